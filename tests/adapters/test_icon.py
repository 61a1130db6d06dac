from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageStat

from deskmobility.adapters.icon import (
    PROGRESS_STEPS,
    icon_look,
    quantise_progress,
    render_icon,
)

SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.tobytes() == b.tobytes()


def _saturation(image: Image.Image) -> float:
    """Mean HSV saturation over the opaque pixels."""
    hsv = image.convert("RGB").convert("HSV")
    return ImageStat.Stat(hsv.getchannel("S"), mask=image.getchannel("A")).mean[0]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("look", [{}, {"paused": True}, {"progress": 0.5}])
def test_icon_is_rgba_at_the_requested_size(size: int, look: dict[str, Any]) -> None:
    image = render_icon(size, **look)
    assert image.mode == "RGBA"
    assert image.size == (size, size)


@pytest.mark.parametrize("size", SIZES)
def test_icon_is_a_round_badge_with_transparent_corners(size: int) -> None:
    alpha = render_icon(size).getchannel("A")
    assert alpha.getpixel((0, 0)) == 0
    assert alpha.getpixel((size - 1, size - 1)) == 0
    assert alpha.getpixel((size // 2, size // 2)) == 255


@pytest.mark.parametrize("size", SIZES)
def test_figure_is_drawn_in_white_on_the_badge(size: int) -> None:
    image = render_icon(size)
    pixels = zip(*(band.tobytes() for band in image.split()), strict=True)
    white = sum(1 for r, g, b, a in pixels if min(r, g, b) > 230 and a > 230)
    assert white >= size * size // 20


@pytest.mark.parametrize("size", SIZES)
def test_paused_icon_is_grey_and_differs_from_running(size: int) -> None:
    running = render_icon(size)
    paused = render_icon(size, paused=True)
    assert not _same(running, paused)
    diff = ImageStat.Stat(ImageChops.difference(running, paused).convert("L")).mean[0]
    assert diff > 10
    assert _saturation(running) > 100
    assert _saturation(paused) < 30


def test_paused_icon_ignores_progress() -> None:
    assert _same(render_icon(32, paused=True), render_icon(32, paused=True, progress=0.7))


@pytest.mark.parametrize(
    ("progress", "steps"),
    [
        (None, None),
        (0.0, 0),
        (0.124, 0),
        (0.125, 1),
        (0.5, 4),
        (0.874, 6),
        (0.875, 7),
        (0.999, 7),
        (1.0, 8),
        (-0.5, 0),
        (3.0, 8),
        (float("nan"), None),
    ],
)
def test_progress_is_quantised_to_eighths(progress: float | None, steps: int | None) -> None:
    assert quantise_progress(progress) == steps


def test_icon_look_is_the_redraw_key() -> None:
    assert icon_look(paused=False, progress=0.30) == icon_look(paused=False, progress=0.37)
    assert icon_look(paused=False, progress=0.37) != icon_look(paused=False, progress=0.38)
    assert icon_look(paused=True, progress=0.1) == icon_look(paused=True, progress=0.9)


@pytest.mark.parametrize("size", [16, 24, 48])
def test_images_are_equal_within_a_step_and_differ_across_steps(size: int) -> None:
    distinct = []
    for step in range(PROGRESS_STEPS + 1):
        start = step / PROGRESS_STEPS
        first = render_icon(size, progress=start)
        if step < PROGRESS_STEPS:
            end = (step + 1) / PROGRESS_STEPS - 1e-6
            assert _same(first, render_icon(size, progress=end)), step
        distinct.append(first.tobytes())
    assert len(set(distinct)) == PROGRESS_STEPS + 1


def test_ring_fills_clockwise_from_the_top() -> None:
    size = 64
    top_right = (size * 3 // 4 - 1, size // 10)  # on the ring, just right of 12 o'clock
    top_left = (size // 4, size // 10)  # on the ring, just left of 12 o'clock
    quarter = render_icon(size, progress=0.25)
    pixel = quarter.getpixel((size // 2 + 6, 2))
    assert isinstance(pixel, tuple)
    r, g, b, _ = pixel
    assert r > 200, "amber fill at the top right after a quarter"
    assert g > 150
    assert b < 120
    assert quarter.getpixel(top_left) != quarter.getpixel(top_right)
    full = render_icon(size, progress=1.0)
    assert full.getpixel(top_left) == full.getpixel((size - 1 - top_left[0], top_left[1]))


def test_no_progress_draws_no_ring() -> None:
    assert not _same(render_icon(32), render_icon(32, progress=0.0))


def test_rendering_twice_gives_independent_images() -> None:
    first = render_icon(16)
    first.putpixel((8, 8), (0, 0, 0, 0))
    assert render_icon(16).getpixel((8, 8)) != (0, 0, 0, 0)


def test_rejects_an_empty_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        render_icon(0)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("paused", [False, True])
def test_committed_assets_match_the_renderer(size: int, paused: bool) -> None:
    name = f"deskmobility-{'paused-' if paused else ''}{size}.png"
    with Image.open(ASSETS / name) as on_disk:
        assert on_disk.size == (size, size)
        assert _same(on_disk.convert("RGBA"), render_icon(size, paused=paused))
