"""Windows: plyer's balloon notifications behind the Notifier port."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from deskmobility.adapters.notify._base import NotifyError

APP_NAME = "deskmobility"


class WindowsNotifier:
    """Windows balloon notifications through plyer (plyer runs each on its own thread)."""

    name = "plyer-windows"

    def __init__(self, icon: Path) -> None:
        from plyer.platforms.win.notification import instance  # noqa: PLC0415

        self._plyer = instance()
        ico = icon.with_suffix(".ico")
        self._icon = str(ico) if ico.exists() else ""  # Windows balloons take .ico only

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Show a balloon; Windows limits the title to 64 and the text to 256 characters."""
        try:
            self._plyer.notify(
                title=title[:63],
                message=body[:255],
                app_name=APP_NAME,
                app_icon=self._icon,
                timeout=max(1, round(timeout.total_seconds())),
            )
        except Exception as error:
            raise NotifyError(f"Windows refused the notification: {error}") from error
