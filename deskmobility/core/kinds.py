"""The reminder kinds: the daily habits the app is built around, and eye rest (optional)."""

from __future__ import annotations

from enum import StrEnum


class ReminderKind(StrEnum):
    """A kind of reminder; its value is the config table name (``[reminders.<value>]``)."""

    POSTURE = "posture"
    HEAD = "head"
    STRETCH = "stretch"
    EYES = "eyes"

    @property
    def heading(self) -> str:
        """The notification title for this kind."""
        return _TITLES[self]

    @property
    def short(self) -> str:
        """One word for this kind, as merged titles list it ("Posture + head")."""
        return _SHORT[self]


_TITLES = {
    ReminderKind.POSTURE: "Posture check",
    ReminderKind.HEAD: "Head position",
    ReminderKind.STRETCH: "Stretch break",
    ReminderKind.EYES: "Eye rest",
}

_SHORT = {
    ReminderKind.POSTURE: "posture",
    ReminderKind.HEAD: "head",
    ReminderKind.STRETCH: "stretch",
    ReminderKind.EYES: "eyes",
}
