"""GNOME: Mutter's idle monitor on the session bus (Wayland and X11 sessions alike).

``org.gnome.Mutter.IdleMonitor.GetIdletime`` on ``/org/gnome/Mutter/IdleMonitor/Core``
returns a ``uint64``: milliseconds since the last input on any device, as the compositor
sees it. It is the only idle counter a GNOME Wayland session offers a client (XWayland's
XScreenSaver sees only input sent to X11 windows). Safe Eyes, Gajim and GNOME Break Timer
read it the same way.
"""

from __future__ import annotations

from deskmobility.adapters.idle._base import DBusIdleMonitor


class MutterIdleMonitor(DBusIdleMonitor):
    """Idle time from GNOME Mutter over D-Bus."""

    name = "mutter"
    SERVICE = "org.gnome.Mutter.IdleMonitor"
    PATH = "/org/gnome/Mutter/IdleMonitor/Core"
    INTERFACE = "org.gnome.Mutter.IdleMonitor"
    METHOD = "GetIdletime"
    LABEL = "GNOME Mutter IdleMonitor"
