"""The three reminder kinds: the daily habits the app is built around."""

from __future__ import annotations

from enum import StrEnum


class ReminderKind(StrEnum):
    """A kind of reminder; its value is the config table name (``[reminders.<value>]``)."""

    POSTURE = "posture"
    HEAD = "head"
    STRETCH = "stretch"

    @property
    def heading(self) -> str:
        """The notification title for this kind."""
        return _TITLES[self]


_TITLES = {
    ReminderKind.POSTURE: "Posture check",
    ReminderKind.HEAD: "Head position",
    ReminderKind.STRETCH: "Stretch break",
}
