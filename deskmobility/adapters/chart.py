"""Draw the statistics as an image with pillow: bars of breaks per day, readable at a glance."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from deskmobility.core.stats import KindStats, Summary

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

WIDTH, HEIGHT = 900, 420
KIND_ROW = 26  # each reminder kind's bar below the days
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 24, 64, 64
BACKGROUND = (255, 255, 255)
INK = (40, 40, 40)
GRID = (225, 225, 225)
BREAKS = (38, 132, 120)  # the icon's teal
MICRO = (240, 160, 60)


# The suffixes we write, and the format each names: what people open charts with.
FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".gif": "GIF",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


class ChartPathError(ValueError):
    """A chart path we will not write to; the message says why."""


def chart_format(path: Path) -> str:
    """The image format ``path``'s suffix names; ChartPathError for an unknown suffix or folder.

    The folder must exist already: a mistyped path is not silently created.
    """
    image_format = FORMATS.get(path.suffix.lower())
    if image_format is None:
        shown = f'"{path.suffix}"' if path.suffix else "no suffix"
        raise ChartPathError(
            f"{shown} does not name an image format this can write; end the name "
            f"with one of {', '.join(FORMATS)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise ChartPathError(f"the folder {folder} does not exist")
    return image_format


def render_chart(
    summary: Summary, image_format: str = "PNG", kinds: Mapping[str, KindStats] | None = None
) -> bytes:
    """Breaks (and completed micro-breaks) per day; below, each reminder kind's shown and done.

    Returns the image file's bytes.
    """
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415  # only `stats --chart` needs pillow

    kinds = kinds or {}
    extra = (len(kinds) * KIND_ROW + 40) if kinds else 0
    image = Image.new("RGB", (WIDTH, HEIGHT + extra), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    title = ImageFont.load_default(size=20)
    days = summary.days
    top = max([1, *(day.breaks for day in days)])
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base = MARGIN_TOP + plot_h
    draw.text(
        (MARGIN_LEFT, 18),
        f"Breaks per day: {summary.total_breaks} in {len(days)} days, streak {summary.streak}",
        fill=INK,
        font=title,
    )
    for value in range(top + 1):
        if top > 10 and value % max(1, top // 5):  # noqa: PLR2004
            continue
        y = base - plot_h * value / top
        draw.line([(MARGIN_LEFT, y), (WIDTH - MARGIN_RIGHT, y)], fill=GRID)
        draw.text((MARGIN_LEFT - 8, y), str(value), fill=INK, font=font, anchor="rm")
    slot = plot_w / max(1, len(days))
    bar = max(4.0, slot * 0.6)
    for index, day in enumerate(days):
        x = MARGIN_LEFT + slot * index + (slot - bar) / 2
        if day.breaks:
            draw.rectangle([x, base - plot_h * day.breaks / top, x + bar, base], fill=BREAKS)
        if day.micro_breaks:
            inner = bar / 3
            y = base - plot_h * day.micro_breaks / top
            draw.rectangle([x + inner, y, x + 2 * inner, base], fill=MICRO)
        if len(days) <= 14 or index % max(1, len(days) // 10) == 0:  # noqa: PLR2004
            label = f"{day.day:%a}\n{day.day:%d %b}" if len(days) <= 14 else f"{day.day:%d %b}"  # noqa: PLR2004
            draw.multiline_text(
                (x + bar / 2, base + 8), label, fill=INK, font=font, anchor="ma", align="center"
            )
    draw.line([(MARGIN_LEFT, base), (WIDTH - MARGIN_RIGHT, base)], fill=INK, width=2)
    legend_y = 24
    for color, text in ((BREAKS, "all breaks"), (MICRO, "micro-breaks done")):
        x = WIDTH - MARGIN_RIGHT - (300 if color == BREAKS else 170)
        draw.rectangle([x, legend_y, x + 14, legend_y + 14], fill=color)
        draw.text((x + 20, legend_y), text, fill=INK, font=font)
    if kinds:
        _draw_kinds(draw, kinds, HEIGHT + 16, font)
    out = io.BytesIO()
    image.save(out, format=image_format)
    return out.getvalue()


def _draw_kinds(
    draw: ImageDraw.ImageDraw,
    kinds: Mapping[str, KindStats],
    top: int,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
) -> None:
    """One bar per reminder kind: its length is how many were shown, the teal part done."""
    most = max(1, *(stats.shown for stats in kinds.values()))
    left, width = MARGIN_LEFT + 100, WIDTH - MARGIN_LEFT - 100 - MARGIN_RIGHT - 140
    draw.text((MARGIN_LEFT, top), "Reminders shown, and done", fill=INK, font=font)
    for row, (kind, stats) in enumerate(kinds.items(), start=1):
        y = top + row * KIND_ROW
        draw.text((MARGIN_LEFT, y), kind, fill=INK, font=font)
        shown = width * stats.shown / most
        draw.rectangle([left, y, left + shown, y + 16], fill=GRID)
        if stats.done:
            draw.rectangle([left, y, left + width * stats.done / most, y + 16], fill=BREAKS)
        draw.text((left + shown + 8, y), f"{stats.done} of {stats.shown} done", fill=INK, font=font)
