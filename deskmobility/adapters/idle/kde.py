"""KDE Plasma: ``org.freedesktop.ScreenSaver.GetSessionIdleTime``, served by kscreenlocker.

It returns a ``uint32``: milliseconds of idle time from KIdleTime. This works in a Plasma
X11 session only. On Wayland kscreenlocker answers every call with
``org.freedesktop.DBus.Error.NotSupported: GetSessionIdleTime is not supported on this
platform`` (Plasma 5 and 6); there, the only source is the ext-idle-notify Wayland
protocol, which needs a Wayland client connection rather than a D-Bus call. The method is
not part of the freedesktop idle-inhibition spec and GNOME does not implement it, so the
probe is what decides, never the desktop's name.
"""

from __future__ import annotations

from deskmobility.adapters.idle._base import DBusIdleMonitor

_NOT_SUPPORTED = "org.freedesktop.DBus.Error.NotSupported"


class KdeIdleMonitor(DBusIdleMonitor):
    """Idle time from KDE's screen locker over D-Bus (Plasma on X11)."""

    name = "kde"
    SERVICE = "org.freedesktop.ScreenSaver"
    PATH = "/org/freedesktop/ScreenSaver"
    INTERFACE = "org.freedesktop.ScreenSaver"
    METHOD = "GetSessionIdleTime"
    LABEL = "KDE org.freedesktop.ScreenSaver"

    def explain(self, error_name: str, message: str) -> str:
        """Name the Plasma-on-Wayland refusal plainly; otherwise as for any D-Bus monitor."""
        if error_name == _NOT_SUPPORTED:
            return (
                f"{self.LABEL}: {self.METHOD} is refused here ({message}); Plasma answers it "
                "in X11 sessions only, and on Wayland offers idle time only through the "
                "ext-idle-notify Wayland protocol"
            )
        return super().explain(error_name, message)
