"""Desktop notifications: pick the notifier this platform can use, and say which and why.

Linux and the BSDs: the freedesktop notification server over GDBus (``freedesktop``; needs
PyGObject, which the tray loads anyway), else the ``notify-send`` command. Windows:
plyer's balloon notifications. macOS: plyer's notifier where pyobjus is installed, else
AppleScript's ``display notification`` (osascript). ``DESKMOBILITY_NOTIFIER`` (freedesktop,
notify-send, windows, macos, osascript; ``dbus`` is an old name for freedesktop) forces one.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from deskmobility.adapters.notify._base import Notifier, NotifyError, UnavailableNotifier
from deskmobility.adapters.selection import PassedOver, Selection

__all__ = ["Notifier", "NotifyError", "UnavailableNotifier", "select_notifier"]

ENV_VAR = "DESKMOBILITY_NOTIFIER"
LINUX_HELP = (
    "install PyGObject (pip install 'deskmobility[linux]', or the python3-gi package) "
    "or notify-send (the libnotify-bin package)"
)
_UNIX = ("linux", "freebsd", "openbsd", "netbsd")


def _has_gio() -> str | None:
    """None if PyGObject's Gio imports, else why not."""
    from deskmobility.adapters._session_bus import SessionBusError, import_gio  # noqa: PLC0415

    try:
        import_gio()
    except SessionBusError as error:
        return str(error)
    return None


def select_notifier(
    icon: Path,
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    which: Callable[[str], str | None] = shutil.which,
    has_gio: Callable[[], str | None] = _has_gio,
) -> Selection[Notifier]:
    """The notifier to use, why, and what was passed over (see the module docstring)."""
    forced = env.get(ENV_VAR, "").strip().lower()
    forced = "freedesktop" if forced == "dbus" else forced
    if platform.startswith(_UNIX) or forced in {"freedesktop", "notify-send"}:
        return _freedesktop(icon, forced, env, which, has_gio)
    if platform == "win32" or forced == "windows":
        from deskmobility.adapters.notify.plyer_backends import WindowsNotifier  # noqa: PLC0415

        return Selection(
            WindowsNotifier(icon), "plyer-windows", "Windows balloon notifications through plyer"
        )
    if platform == "darwin" or forced in {"macos", "osascript"}:
        from deskmobility.adapters.notify.macos import select_macos  # noqa: PLC0415

        return select_macos(forced=forced == "osascript", which=which)
    why = f"no notifier for platform {platform!r}"
    return Selection(UnavailableNotifier(why), "unavailable", why, available=False)


def _freedesktop(
    icon: Path,
    forced: str,
    env: Mapping[str, str],
    which: Callable[[str], str | None],
    has_gio: Callable[[], str | None],
) -> Selection[Notifier]:
    from deskmobility.adapters._session_bus import session_bus_address  # noqa: PLC0415

    passed: list[PassedOver] = []
    if forced in {"", "freedesktop"}:
        problem = has_gio()
        if problem is None:
            from deskmobility.adapters.notify.freedesktop import (  # noqa: PLC0415
                FreedesktopNotifier,
            )

            notifier = FreedesktopNotifier(icon, session_bus_address(env))
            why = "org.freedesktop.Notifications over GDBus (actions and replacing where offered)"
            return Selection(notifier, notifier.name, why)
        passed.append(PassedOver("freedesktop", problem))
    else:
        passed.append(PassedOver("freedesktop", f"{ENV_VAR}={forced}", turned_off=True))
    if forced in {"", "notify-send"}:
        if which("notify-send"):
            from deskmobility.adapters.notify.notify_send import (  # noqa: PLC0415
                NotifySendNotifier,
            )

            return Selection(
                NotifySendNotifier(icon), "notify-send", "the notify-send command", tuple(passed)
            )
        passed.append(PassedOver("notify-send", "not found on PATH (the libnotify-bin package)"))
    why = f"cannot show desktop notifications: {LINUX_HELP}"
    return Selection(UnavailableNotifier(why), "unavailable", why, tuple(passed), available=False)
