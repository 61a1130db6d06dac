"""macOS: plyer's notifier when pyobjus is there, else AppleScript's ``display notification``."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta

from deskmobility.adapters.notify._base import Notifier, NotifyError, UnavailableNotifier
from deskmobility.adapters.selection import PassedOver, Selection


def applescript_string(text: str) -> str:
    """Quote text as an AppleScript string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class OsascriptNotifier:
    """``osascript -e 'display notification …'``: always present on macOS, needs no bindings."""

    name = "osascript"

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Run osascript; the script text is one argument, never a shell line."""
        del timeout  # macOS decides how long banners stay
        script = (
            f"display notification {applescript_string(body)} "
            f"with title {applescript_string(title)}"
        )
        try:
            subprocess.run(["osascript", "-e", script], check=True, capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError) as error:
            raise NotifyError(f"osascript could not show the notification: {error}") from error


class PlyerMacNotifier:
    """plyer's NSUserNotification notifier (needs pyobjus)."""

    name = "plyer-macos"

    def __init__(self) -> None:
        from plyer.platforms.macosx.notification import instance  # noqa: PLC0415

        self._plyer = instance()

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Show the notification through plyer."""
        del timeout  # NSUserNotification has no timeout
        try:
            self._plyer.notify(title=title, message=body, app_name="deskmobility")
        except Exception as error:
            raise NotifyError(f"macOS refused the notification: {error}") from error


def select_macos(forced: bool, which: Callable[[str], str | None]) -> Selection[Notifier]:
    """Prefer plyer's notifier; fall back to osascript, saying why."""
    passed: list[PassedOver] = []
    if forced:
        passed.append(PassedOver("plyer-macos", "DESKMOBILITY_NOTIFIER=osascript", turned_off=True))
    else:
        try:
            return Selection(
                PlyerMacNotifier(), "plyer-macos", "plyer's macOS notifier (pyobjus found)"
            )
        except ImportError as error:
            passed.append(PassedOver("plyer-macos", f"needs pyobjus ({error})"))
    if which("osascript"):
        return Selection(
            OsascriptNotifier(), "osascript", "AppleScript's display notification", tuple(passed)
        )
    passed.append(PassedOver("osascript", "not found"))
    why = "cannot show notifications on macOS"
    return Selection(UnavailableNotifier(why), "unavailable", why, tuple(passed), available=False)
