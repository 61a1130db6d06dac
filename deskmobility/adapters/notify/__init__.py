"""Desktop notifications: pick the notifier this platform can use, and say which and why.

plyer does the delivery (on Linux's D-Bus, our own call: see plyer_backends.DbusNotifier).
We choose plyer's platform class ourselves instead of its
``plyer.notification`` proxy, because the proxy hides failures (a missing backend
becomes a silent no-op) and, on Linux, takes a Flatpak-only path whenever a folder
named /app exists, which breaks on an apostrophe in the text.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from deskmobility.adapters.notify._base import Notifier, NotifyError, UnavailableNotifier

__all__ = ["Notifier", "NotifyError", "UnavailableNotifier", "select_notifier"]

LINUX_HELP = (
    "install dbus-python (pip install dbus-python, or the python3-dbus package) "
    "or notify-send (the libnotify-bin package)"
)


def _has_dbus_python() -> bool:
    try:
        import dbus  # type: ignore[import-not-found,unused-ignore]  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def select_notifier(
    icon: Path,
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    which: Callable[[str], str | None] = shutil.which,
    has_dbus_python: Callable[[], bool] = _has_dbus_python,
) -> tuple[Notifier, str]:
    """Return the notifier to use and a one-line reason for the choice.

    ``DESKMOBILITY_NOTIFIER`` (dbus, notify-send, windows, macos, osascript) forces a choice.
    """
    forced = env.get("DESKMOBILITY_NOTIFIER", "").strip().lower()
    if platform.startswith("linux") or forced in {"dbus", "notify-send"}:
        return _linux(icon, forced, which, has_dbus_python)
    if platform == "win32" or forced == "windows":
        from deskmobility.adapters.notify.plyer_backends import (  # noqa: PLC0415
            WindowsNotifier,
        )

        return WindowsNotifier(icon), "Windows balloon notifications through plyer"
    if platform == "darwin" or forced in {"macos", "osascript"}:
        from deskmobility.adapters.notify.macos import select_macos  # noqa: PLC0415

        return select_macos(forced=forced == "osascript", which=which)
    return UnavailableNotifier(f"no notifier for platform {platform!r}"), "unsupported platform"


def _linux(
    icon: Path,
    forced: str,
    which: Callable[[str], str | None],
    has_dbus_python: Callable[[], bool],
) -> tuple[Notifier, str]:
    from deskmobility.adapters.notify.plyer_backends import (  # noqa: PLC0415
        DbusNotifier,
        NotifySendNotifier,
    )

    if forced in {"", "dbus"} and has_dbus_python():
        return DbusNotifier(icon), "dbus-python is installed: Notify calls on the session bus"
    if forced in {"", "notify-send"} and which("notify-send"):
        return NotifySendNotifier(icon), "dbus-python is missing: plyer runs notify-send"
    reason = f"cannot show desktop notifications: {LINUX_HELP}"
    return UnavailableNotifier(reason), reason
