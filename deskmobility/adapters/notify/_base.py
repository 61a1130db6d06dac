"""The notifier port."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol


class NotifyError(Exception):
    """A notification could not be shown; the message says why, for the user."""


class Notifier(Protocol):
    """Shows one desktop notification, or raises NotifyError. Never silent."""

    name: str

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Show ``title`` and ``body`` for about ``timeout``."""
        ...


class UnavailableNotifier:
    """Chosen when nothing on this machine can notify: every send says what to install."""

    name = "unavailable"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Raise NotifyError with the reason."""
        del title, body, timeout
        raise NotifyError(self.reason)
