"""The tray icon, drawn with pillow at run time: a person sitting tall on a round badge.

Three looks: running (teal badge), running with a ring that fills in eight steps toward the
next stretch break, and paused (grey badge with pause bars instead of the figure). Everything
is drawn supersampled and scaled down with LANCZOS, so it stays crisp from 16 to 256 px.

This is the only module that imports pillow.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

if TYPE_CHECKING:
    from collections.abc import Sequence

PROGRESS_STEPS = 8
"""The ring fills in this many steps, so the icon changes at most this often per interval."""

_Rgba = tuple[int, int, int, int]

_BADGE = (30, 132, 118, 255)  # teal
_RING_TRACK = (18, 86, 77, 255)  # darker teal: the unfilled part of the ring
_RING_FILL = (255, 196, 72, 255)  # amber: time already spent toward the break
_FIGURE = (255, 255, 255, 255)
_PAUSED_BADGE = (118, 124, 130, 255)
_PAUSE_BARS = (255, 255, 255, 255)

_RING_INNER = 0.40  # inner radius of the progress ring, as a fraction of the icon size
_STROKE = 0.125  # limb and spine thickness, as a fraction of the icon size


def quantise_progress(progress: float | None) -> int | None:
    """Return how many of the ring's eight segments are filled, or None for no ring.

    ``progress`` runs from 0 (a break just ended) to 1 (the next break is due). Values outside
    that range are clamped. The result changes only at multiples of 1/8, so callers can
    compare it to decide whether the icon needs redrawing.
    """
    if progress is None or math.isnan(progress):
        return None
    clamped = min(1.0, max(0.0, progress))
    return min(PROGRESS_STEPS, math.floor(clamped * PROGRESS_STEPS))


def icon_look(*, paused: bool, progress: float | None) -> tuple[bool, int | None]:
    """Return the key that decides what the icon looks like; equal keys draw equal images."""
    return (True, None) if paused else (False, quantise_progress(progress))


def render_icon(size: int, *, paused: bool = False, progress: float | None = None) -> Image.Image:
    """Draw the icon as a ``size`` x ``size`` RGBA image.

    When paused, the ring is not drawn: the time to the next break means nothing then.
    """
    if size < 1:
        raise ValueError(f"icon size must be positive, got {size}")
    look_paused, steps = icon_look(paused=paused, progress=progress)
    return _render(size, look_paused, steps).copy()


@lru_cache(maxsize=64)
def _render(size: int, paused: bool, steps: int | None) -> Image.Image:
    scale = 8 if size <= 64 else 4  # noqa: PLR2004  (supersampling factor)
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
        return ((cx - r) * big, (cy - r) * big, (cx + r) * big, (cy + r) * big)

    if paused:
        draw.ellipse(box(0.5, 0.5, 0.5), fill=_PAUSED_BADGE)
        _draw_pause_bars(draw, big)
    else:
        if steps is None:
            draw.ellipse(box(0.5, 0.5, 0.5), fill=_BADGE)
        else:
            draw.ellipse(box(0.5, 0.5, 0.5), fill=_RING_TRACK)
            if steps:
                end = -90 + 360 * steps / PROGRESS_STEPS
                draw.pieslice(box(0.5, 0.5, 0.5), start=-90, end=end, fill=_RING_FILL)
            draw.ellipse(box(0.5, 0.5, _RING_INNER), fill=_BADGE)
        _draw_figure(draw, big, _FIGURE)

    return image.resize((size, size), Image.Resampling.LANCZOS)


def _draw_figure(draw: ImageDraw.ImageDraw, big: int, colour: _Rgba) -> None:
    """Draw a person sitting tall, seen from the side and facing right."""
    head = 0.1
    draw.ellipse(
        ((0.465 - head) * big, (0.225 - head) * big, (0.465 + head) * big, (0.225 + head) * big),
        fill=colour,
    )
    # Upright back, thigh level with the seat, shin straight down.
    _stroke(draw, [(0.425, 0.405), (0.405, 0.615), (0.63, 0.615), (0.63, 0.775)], big, colour)


def _stroke(
    draw: ImageDraw.ImageDraw,
    points: Sequence[tuple[float, float]],
    big: int,
    colour: _Rgba,
    width: float = _STROKE,
) -> None:
    """Draw a polyline with round caps and joints."""
    pixels = [(x * big, y * big) for x, y in points]
    line_width = round(width * big)
    draw.line(pixels, fill=colour, width=line_width, joint="curve")
    r = line_width / 2
    for x, y in pixels:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def _draw_pause_bars(draw: ImageDraw.ImageDraw, big: int) -> None:
    """Draw two bold pause bars in the middle of the badge."""
    half_height, bar, gap = 0.22, 0.13, 0.1
    for left in (0.5 - gap / 2 - bar, 0.5 + gap / 2):
        draw.rounded_rectangle(
            (left * big, (0.5 - half_height) * big, (left + bar) * big, (0.5 + half_height) * big),
            radius=round(0.025 * big),
            fill=_PAUSE_BARS,
        )
