"""Open a file with the desktop's default application, on each OS."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path


def open_with_system(path: Path, platform: str = sys.platform) -> None:
    """Hand ``path`` to the system's handler (xdg-open, open, or the Windows shell).

    Raises OSError when no handler can be started.
    """
    if platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined,unused-ignore]  # noqa: S606
        return
    command = "open" if platform == "darwin" else "xdg-open"
    # Popen, not run: the handler may be the editor itself and live as long as it does.
    # A daemon thread reaps it when it ends, so no zombie is left behind.
    process = subprocess.Popen(
        [command, str(path)], stdin=subprocess.DEVNULL, start_new_session=True
    )
    threading.Thread(target=process.wait, name="reap-opener", daemon=True).start()
