"""What a freedesktop notification server says: its capabilities, and why it closed one."""

from __future__ import annotations

from dataclasses import dataclass

from deskmobility.core.events import CloseReason

# The spec's NotificationClosed reasons, by number.
_REASONS = {
    1: CloseReason.EXPIRED,
    2: CloseReason.DISMISSED,
    3: CloseReason.CLOSED,
    4: CloseReason.UNDEFINED,
}


def close_reason(code: int) -> CloseReason:
    """The core's CloseReason for a NotificationClosed reason number (unknown: UNDEFINED)."""
    return _REASONS.get(code, CloseReason.UNDEFINED)


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
