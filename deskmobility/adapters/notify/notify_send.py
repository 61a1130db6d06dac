"""The ``notify-send`` command (libnotify-bin): the Linux notifier when PyGObject is missing."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

from deskmobility.adapters.notify._base import NotifyError

APP_NAME = "deskmobility"
TIMEOUT_S = 10.0


class NotifySendNotifier:
    """One ``notify-send`` run per notification; a non-zero exit is an error, never silent.

    Run directly rather than through plyer's NotifySendNotification, which ignores the exit
    status and passes the title where a leading ``-`` would read as an option.
    """

    name = "notify-send"

    def __init__(self, icon: Path, program: str = "notify-send") -> None:
        self._icon = str(icon)
        self._program = program

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Run notify-send with the text as arguments (never through a shell)."""
        argv = [
            self._program,
            f"--app-name={APP_NAME}",
            f"--icon={self._icon}",
            f"--expire-time={max(1, round(timeout.total_seconds())) * 1000}",
            "--",
            title,
            body,
        ]
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as error:
            raise NotifyError(f"notify-send failed: {error}") from error
        if done.returncode != 0:
            raise NotifyError(f"notify-send exited {done.returncode}: {done.stderr.strip()[:200]}")
