"""Open a file with the desktop's default application, on each OS."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

# xdg-open's documented exit statuses, in words a person can act on.
_XDG_OPEN_STATUS = {
    1: "xdg-open was called wrongly",
    2: "the file was not found",
    3: "no application is set up to open it",
    4: "the application failed to open it",
}


def open_with_system(
    path: Path,
    platform: str = sys.platform,
    on_failure: Callable[[str], None] | None = None,
) -> None:
    """Hand ``path`` to the system's handler (xdg-open, open, or the Windows shell).

    Raises OSError when no handler can be started. A handler that starts and then fails
    (exits non-zero) is reported later, on another thread, as ``on_failure(reason)``.
    """
    if platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined,unused-ignore]  # noqa: S606
        return
    command = "open" if platform == "darwin" else "xdg-open"
    # Popen, not run: the handler may be the editor itself and live as long as it does.
    # A daemon thread waits for it (so no zombie is left) and reports a failure.
    process = subprocess.Popen(
        [command, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def wait() -> None:
        status = process.wait()
        if status != 0 and on_failure is not None:
            reason = _XDG_OPEN_STATUS.get(status, "") if command == "xdg-open" else ""
            on_failure(f"{command} exited with status {status}{': ' + reason if reason else ''}")

    threading.Thread(target=wait, name="reap-opener", daemon=True).start()
