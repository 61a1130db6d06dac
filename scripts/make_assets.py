"""Write the PNG icons in ``assets/`` from the same drawing code the tray uses.

Run ``python scripts/make_assets.py`` after changing ``deskmobility/adapters/icon.py`` and
commit the PNGs: notifications and the desktop entry load these files, so they must match
the tray. ``--check`` exits 1 if a file on disk differs from a fresh render (byte for byte,
so a different pillow version may report files as stale).
"""

# ruff: noqa: INP001  (a standalone script, deliberately not a package)

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from deskmobility.adapters.icon import render_icon

SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def _png(size: int, *, paused: bool) -> bytes:
    buffer = io.BytesIO()
    # optimize=True keeps the files small; no timestamps or text chunks, so output is stable.
    render_icon(size, paused=paused).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _ico() -> bytes:
    # Windows balloon notifications take only .ico; the notifier looks for this name next
    # to the 64 px PNG.
    buffer = io.BytesIO()
    sizes = [(n, n) for n in (16, 24, 32, 48, 64)]
    render_icon(64).save(buffer, format="ICO", sizes=sizes)
    return buffer.getvalue()


def _targets() -> dict[Path, bytes]:
    files = {}
    for size in SIZES:
        files[ASSETS / f"deskmobility-{size}.png"] = _png(size, paused=False)
        files[ASSETS / f"deskmobility-paused-{size}.png"] = _png(size, paused=True)
    files[ASSETS / "deskmobility-64.ico"] = _ico()
    return files


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) every asset; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for path, data in _targets().items():
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sys.stdout.write(f"wrote {path.relative_to(ASSETS.parent)} ({len(data)} bytes)\n")
    for path in stale:
        sys.stderr.write(f"out of date: {path.relative_to(ASSETS.parent)}\n")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
