"""The notification server's own ``Inhibited`` property: KDE Plasma's do-not-disturb.

``org.freedesktop.Notifications`` may carry a read-only boolean property ``Inhibited``
(emits PropertiesChanged), with ``Inhibit``/``UnInhibit`` methods and an "inhibitions"
capability. It was proposed for the notification spec by Kai Uwe Broulik on the xdg list
in March 2019 ("DBus signal to disable reminders/notifications") and is served by Plasma's
notification server (plasma-workspace libnotificationmanager: ``Inhibited`` in its
org.freedesktop.Notifications.xml). Plasma's applet binds it to its whole do-not-disturb
state: DND switched on by hand or by schedule, an application's inhibition, screens
mirrored, and (Plasma 6.4 and later, by default) a focused fullscreen window.

GNOME Shell, dunst and xfce4-notifyd do not serve it (their interface XML has no
properties; GDBus answers InvalidArgs "No such property"), so this check is kept only where
the probe reads it; GNOME and dunst have checks of their own.
"""

from __future__ import annotations

from typing import Any

from deskmobility.adapters._session_bus import BusCallError, call
from deskmobility.adapters.interruptions._base import DBusPropertyCheck


class FreedesktopInhibitedCheck(DBusPropertyCheck):
    """Holds reminders while the notification server says notifications are inhibited."""

    name = "freedesktop"
    INTERFACE = "org.freedesktop.Notifications"
    PROPERTY = "Inhibited"

    def missing(self, bus: Any, error_name: str, message: str) -> str:  # noqa: ANN401 - Gio
        """Name the server that lacks the property, so the log says which one it was."""
        server = self._server_name(bus)
        return (
            f"the notification server{server} has no Inhibited property "
            f"(KDE Plasma serves it; others answer {error_name}: {message})"
        )

    def _server_name(self, bus: Any) -> str:  # noqa: ANN401 - a Gio.DBusConnection
        target = (self.SERVICE, self.PATH, self.INTERFACE, "GetServerInformation")
        try:
            name, _vendor, version, spec = call(bus, target, None, 2.0)
        except (BusCallError, ValueError):
            return ""
        return f" ({name} {version}, spec {spec})"
