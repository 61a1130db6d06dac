"""What a freedesktop notification server says: its capabilities, and why it closed one."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ClosedReason(enum.IntEnum):
    """Why the server closed a notification (the spec's NotificationClosed reasons)."""

    EXPIRED = 1
    DISMISSED = 2
    CLOSED = 3  # by CloseNotification
    UNDEFINED = 4  # also: the server went away with it on screen


@dataclass(frozen=True)
class ServerInfo:
    """What the notification server said about itself."""

    name: str
    version: str
    capabilities: frozenset[str]

    @property
    def has_actions(self) -> bool:
        """Whether buttons (and a click on the body, the ``default`` action) come back."""
        return "actions" in self.capabilities

    @property
    def body_markup(self) -> bool:
        """Whether the server reads the body as markup (so plain text must be escaped)."""
        return "body-markup" in self.capabilities

    @property
    def persistence(self) -> bool:
        """Whether notifications stay in a history after they leave the screen."""
        return "persistence" in self.capabilities


def escape_markup(text: str) -> str:
    """``text`` for a body-markup server: ``&``, ``<`` and ``>`` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
