"""The baseline for the footprint benchmark: the least a pystray + APScheduler + plyer app costs.

A bare pystray icon (GTK backend unless PYSTRAY_BACKEND says otherwise), an APScheduler
``BackgroundScheduler`` started with no jobs, and ``import plyer``; nothing else happens.
The benchmark runs it both as is (GTK free to load Mesa) and with ``GDK_GL=disable``, so
deskmobility can be compared with "the same backend and GL setting".

Run by ``python -m bench.footprint``; on its own: ``python bench/bare_icon.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYSTRAY_BACKEND", "gtk")

import plyer  # noqa: F401  (the import is the point: the cost of having it)
import pystray
from apscheduler.schedulers.background import BackgroundScheduler
from PIL import Image, ImageDraw


def main() -> None:
    scheduler = BackgroundScheduler()
    scheduler.start()
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 60, 60), fill=(40, 120, 200, 255))
    icon = pystray.Icon("bare-icon", image, "bare icon")

    def setup(tray: pystray.Icon) -> None:
        tray.visible = True

    icon.run(setup=setup)  # until SIGTERM (its default action ends the process)
    scheduler.shutdown(wait=False)


if __name__ == "__main__":
    main()
