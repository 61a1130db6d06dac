"""The notifier port."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from deskmobility.adapters.notify._server import ServerInfo
    from deskmobility.core.events import CloseReason


class NotifyError(Exception):
    """A notification could not be shown; the message says why, for the user."""


class Notifier(Protocol):
    """Shows one desktop notification, or raises NotifyError. Never silent."""

    name: str

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Show ``title`` and ``body`` for about ``timeout``."""
        ...


@runtime_checkable
class InteractiveNotifier(Notifier, Protocol):
    """A notifier whose notifications can be updated in place, withdrawn and answered.

    The freedesktop notifier is one; plyer's (Windows) and osascript (macOS) are not, and
    there the tray menu and the command line answer reminders instead.
    """

    def server(self) -> ServerInfo:
        """What the server offers (``has_actions``); raises NotifyError without one."""
        ...

    def notify(
        self,
        title: str,
        body: str,
        *,
        timeout: timedelta | None = None,
        replaces_id: int = 0,
        actions: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Show (or update ``replaces_id``) and return the notification's id."""
        ...

    def withdraw(self, notification_id: int) -> None:
        """Take a notification off the screen."""
        ...

    def listen(
        self,
        on_action: Callable[[int, str], None] | None = None,
        on_closed: Callable[[int, CloseReason], None] | None = None,
    ) -> None:
        """Have the server's answers for our notifications delivered to these callbacks."""
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
