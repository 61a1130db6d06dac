"""The tray on the screen, for the e2e tests: find the icon, click it, read its menus.

Shared by test_tray_adapter.py, test_tray_app.py and test_resilience.py (and ``user_env``
by bench/soak.py): where the icon is docked in trayer or shown in the StatusNotifierItem
bar, clicks with xdotool that never hang on ``--sync``, and menus read off a screenshot
with tesseract.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from .processes import wait_until

if TYPE_CHECKING:
    from .desktop import Desktop

Box = tuple[int, int, int, int]

CLI = [sys.executable, "-m", "deskmobility"]

TEAL, AMBER, GREY = (30, 132, 118), (255, 196, 72), (118, 124, 130)  # icon.py's colours
TOP = (0, 0, 1024, 520)  # where trayer's menus open (below its icon at the top right)
SNI_ICON = (1012, 756)  # the right end of gtk-sni-tray-standalone's bottom bar


def user_env(home: Path) -> dict[str, str]:
    """HOME and XDG folders of one user, so the app starts with no state of its own."""
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_RUNTIME_DIR": home / "run",
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    dirs["XDG_RUNTIME_DIR"].chmod(0o700)
    return {name: str(path) for name, path in dirs.items()}


def run_cli(
    desktop: Desktop, env: dict[str, str], *args: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """``deskmobility ARGS`` on the desktop as the user of ``env`` (see ``user_env``)."""
    return subprocess.run(
        [*CLI, *args],
        env={**desktop.env, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


# -- reading the screen ------------------------------------------------------------------


@dataclass
class Word:
    text: str
    x: int  # centre, in screen pixels
    y: int
    left: int


def screen(desktop: Desktop, name: str) -> Image.Image:
    path = desktop.screenshot(name)
    with Image.open(path) as image:
        return image.convert("RGB")


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def ocr(image: Image.Image, box: Box, threshold: int) -> list[Word]:
    """Read words in ``box`` of a screenshot: grey, 3x, thresholded, ``tesseract --psm 11``."""
    left, top = box[0], box[1]
    crop = image.crop(box).convert("L")
    crop = crop.resize((crop.width * 3, crop.height * 3), Image.Resampling.LANCZOS)
    crop = crop.point(lambda v: 255 if v > threshold else 0)
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "--psm", "11", "tsv"],
        input=png(crop),
        capture_output=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one thread: faster for small images
    )
    words = []
    for row in result.stdout.decode().splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) == 12 and cells[11].strip() and float(cells[10]) > 30:
            x, y, w, h = (int(cells[i]) // 3 for i in (6, 7, 8, 9))
            words.append(Word(cells[11].strip(), left + x + w // 2, top + y + h // 2, left + x))
    return words


def bare(text: str) -> str:
    """A word without the trailing dots or ellipsis tesseract reads in various ways."""
    return text.rstrip(".…:,")


def read(
    desktop: Desktop,
    expected: list[str],
    name: str,
    *,
    box: Box = TOP,
    timeout: float = 8.0,
    bare_too: bool = False,
) -> dict[str, Word]:
    """Screenshot until every ``expected`` word can be read in ``box``; return where each is.

    Two thresholds, since grey (disabled) text and bold text read best at different ones.
    With ``bare_too``, each word is also found under its ``bare()`` spelling.
    """
    found: dict[str, Word] = {}
    deadline = time.monotonic() + timeout
    while True:
        image = screen(desktop, name)
        found = {}
        for threshold in (205, 165):
            for word in ocr(image, box, threshold):
                found.setdefault(word.text, word)
                if bare_too:
                    found.setdefault(bare(word.text), word)
            if all(w in found for w in expected):
                return found
        if time.monotonic() > deadline:
            missing = [w for w in expected if w not in found]
            pytest.fail(f"could not read {missing} in {name}; read: {sorted(found)}")
        time.sleep(0.3)


def colour_share(image: Image.Image, box: Box, colour: tuple[int, ...]) -> float:
    """The share of pixels in ``box`` within a small distance of ``colour``."""
    crop = image.crop(box)
    pixels = list(zip(*(band.tobytes() for band in crop.split()), strict=True))
    near = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, colour, strict=True)) < 60)
    return near / len(pixels)


# -- finding the icon --------------------------------------------------------------------


def trayer_icons(desktop: Desktop) -> list[Box]:
    """Boxes (x, y, w, h) of the icons docked in trayer, from ``xwininfo -root -tree``.

    An icon is a socket window with the icon's own window inside, at the same place; the
    set keeps one box per icon. No trayer panel: no icons.
    """
    tree = desktop.run(["xwininfo", "-root", "-tree"]).stdout.splitlines()
    starts = [i for i, line in enumerate(tree) if '("panel" "trayer")' in line]
    if not starts:
        return []
    indent = len(tree[starts[0]]) - len(tree[starts[0]].lstrip())
    boxes = []
    for line in tree[starts[0] + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        match = re.search(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)", line)
        if match:
            w, h, x, y = map(int, match.groups())
            if w >= 16 and h >= 16:
                boxes.append((x, y, w, h))
    return sorted(set(boxes))


def docked_icon(
    desktop: Desktop, colour: tuple[int, int, int] = TEAL, name: str = "tray.png"
) -> Box:
    """Wait until exactly one icon is docked in trayer and drawn mostly in ``colour``.

    Returns its box (x, y, w, h); ``name`` is the screenshot it is looked for in.
    """
    box = (0, 0, 0, 0)

    def drawn() -> bool:
        nonlocal box
        boxes = trayer_icons(desktop)
        if len(boxes) != 1:
            return False
        [box] = boxes
        x, y, w, h = box
        return colour_share(screen(desktop, name), (x, y, x + w, y + h), colour) > 0.2

    wait_until(drawn, 10.0, f"one icon in trayer drawn in {colour}",
               lambda: f"icons: {trayer_icons(desktop)}")  # fmt: skip
    return box


def centre(box: Box) -> tuple[int, int]:
    x, y, w, h = box
    return x + w // 2, y + h // 2


def wait_for_sni_icon(desktop: Desktop) -> None:
    """Wait until a StatusNotifierItem is registered and drawn in teal at ``SNI_ICON``."""
    wait_until(lambda: bool(desktop.sni_items()), 10.0, "a StatusNotifierItem")
    x, y = SNI_ICON
    around = (x - 12, y - 12, x + 12, y + 12)
    wait_until(lambda: colour_share(screen(desktop, "sni-bar.png"), around, TEAL) > 0.1, 10.0,
               "the icon in the SNI bar")  # fmt: skip


# -- the pointer and the keyboard --------------------------------------------------------


def hover(desktop: Desktop, x: int, y: int) -> None:
    """Move the pointer to (x, y); ``mousemove --sync`` never returns if it is there already."""
    here = re.match(r"x:(\d+) y:(\d+)", desktop.xdotool("getmouselocation"))
    if here is None or (int(here[1]), int(here[2])) != (x, y):
        desktop.xdotool("mousemove", "--sync", str(x), str(y))


def click(desktop: Desktop, x: int, y: int, button: int = 1) -> None:
    hover(desktop, x, y)
    desktop.xdotool("click", str(button))


def escape(desktop: Desktop) -> None:
    desktop.xdotool("key", "Escape")
    desktop.xdotool("key", "Escape")
    time.sleep(0.3)


def open_menu(
    desktop: Desktop,
    icon: tuple[int, int],
    name: str,
    words: tuple[str, ...] = ("Ergonomic", "Pause"),
    *,
    box: Box = TOP,
    bare_too: bool = False,
) -> dict[str, Word]:
    """Right-click the icon; wait until ``words`` and "Quit" can be read; return the words."""
    click(desktop, *icon, button=3)
    return read(desktop, [*words, "Quit"], name, box=box, bare_too=bare_too)
