"""dunst's pause: the ``paused`` property of its ``org.dunstproject.cmd0`` interface.

dunst serves ``org.dunstproject.cmd0`` on the same object as org.freedesktop.Notifications
(``/org/freedesktop/Notifications``, bus name org.freedesktop.Notifications). ``paused`` is
a read-write boolean that emits PropertiesChanged; ``dunstctl is-paused`` and
``dunstctl set-paused true|false|toggle`` are Properties.Get/Set of it. Newer releases
(not Debian 12's 1.9.0) add pause levels (``pauseLevel``, 0-100), and ``paused`` reads
true for any level above 0; a notification shows through only with an
``override_pause_level`` rule, which deskmobility's reminders do not have, so any pause
hides them. dunst does not serve the freedesktop ``Inhibited`` property.
"""

from __future__ import annotations

from typing import Any

from deskmobility.adapters.interruptions._base import DBusPropertyCheck


class DunstPausedCheck(DBusPropertyCheck):
    """Holds reminders while dunst is paused (``dunstctl set-paused true``)."""

    name = "dunst"
    INTERFACE = "org.dunstproject.cmd0"
    PROPERTY = "paused"

    def missing(self, bus: Any, error_name: str, message: str) -> str:  # noqa: ANN401, ARG002
        """The server is there but is not dunst (or a dunst older than 1.5, without cmd0)."""
        return (
            "the notification server is not dunst (it has no org.dunstproject.cmd0.paused: "
            f"{error_name}: {message})"
        )
