"""The Linux and Windows notifiers behind the Notifier port: plyer's, but our own on D-Bus."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

from deskmobility.adapters.notify._base import NotifyError

APP_NAME = "deskmobility"
_NOTIFICATIONS = "org.freedesktop.Notifications"
_NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


class DbusNotifier:
    """freedesktop notifications over D-Bus with dbus-python, one short connection each.

    Not through plyer's NotifyDbus: it sends on dbus-python's shared ``SessionBus()``, and
    the server's answer to every notification, a ``NotificationClosed`` signal addressed to
    that connection, then queues there for the life of the process, as nothing dispatches
    it (no D-Bus main loop here): a few kB of memory per reminder, never given back
    (bench/soak.py found it; docs/reliability.md). A private connection closed after the
    call takes those signals with it. The call is the one plyer makes.
    """

    name = "dbus"

    def __init__(self, icon: Path) -> None:
        import dbus  # type: ignore[import-not-found,unused-ignore]  # noqa: F401, PLC0415

        self._icon = str(icon)

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Call org.freedesktop.Notifications.Notify; raise NotifyError when no server answers."""
        import dbus  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

        try:
            bus = dbus.SessionBus(private=True)
        except dbus.DBusException as error:
            raise NotifyError(f"no session bus to send notifications on: {error}") from error
        try:
            server = bus.get_object(_NOTIFICATIONS, _NOTIFICATIONS_PATH, introspect=False)
            dbus.Interface(server, _NOTIFICATIONS).Notify(
                APP_NAME,
                dbus.UInt32(0),
                self._icon,
                title,
                body,
                dbus.Array([], signature="s"),
                dbus.Dictionary({}, signature="sv"),
                dbus.Int32(max(1, round(timeout.total_seconds())) * 1000),
            )
        except dbus.DBusException as error:
            raise NotifyError(f"the notification server did not answer: {error}") from error
        finally:
            bus.close()


class NotifySendNotifier:
    """The notify-send command, through plyer."""

    name = "plyer-notify-send"

    def __init__(self, icon: Path) -> None:
        from plyer.platforms.linux.notification import (  # noqa: PLC0415
            NotifySendNotification,
        )

        self._plyer = NotifySendNotification()
        self._icon = str(icon)

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Run notify-send via plyer (plyer's facade drops the icon for it, so call it directly)."""
        try:
            self._plyer._notify(  # noqa: SLF001
                title=title,
                message=body,
                app_name=APP_NAME,
                icon=self._icon,
                expire_time=str(round(timeout.total_seconds() * 1000)),
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise NotifyError(f"notify-send failed: {error}") from error


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
