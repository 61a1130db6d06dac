"""The ports: the small interfaces the composition root drives its adapters through.

Each adapter satisfies one of these structurally; tests' doubles must satisfy them too
(mypy checks both). Nothing here imports an adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from deskmobility.core.events import Notify
from deskmobility.core.history import HistoryEvent


class IdleWatch(Protocol):
    """Says when the person has gone idle for a while, and when they are back.

    Event-driven where the desktop offers events (X11 SYNC alarms, Mutter idle watches);
    an adaptive poll of an idle-time reading elsewhere. Callbacks arrive on the watch's own
    thread: they must return quickly and never block on the watch.
    """

    name: str
    mode: str  # how it learns of input, for the log: "events (...)" or "poll (...)"

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """Call ``on_away(idle)`` once idle time reaches ``away_after``, then ``on_back()``.

        After ``on_back`` the watch re-arms for the next absence. Calling ``watch`` again
        replaces the threshold and the callbacks (a config edit changed natural_break).
        """
        ...

    def close(self) -> None:
        """Stop watching and release what the watch holds open."""
        ...


class Notifications(Protocol):
    """Hands notifications to a notifier without waiting for it."""

    def post(self, notification: Notify) -> None:
        """Queue one; a newer one in the same slot replaces it, waiting or on screen.

        One still waiting after its ``fresh_for`` is dropped rather than shown late.
        """
        ...

    def dismiss(self, slot: str) -> None:
        """Take the notification in ``slot`` off the screen, if it is there."""
        ...


class Alarms(Protocol):
    """Runs callbacks at wall-clock times, one named alarm per purpose."""

    def at(self, job_id: str, when: datetime, action: Callable[[], None]) -> None:
        """Run ``action`` at ``when``, replacing any alarm with the same id."""
        ...

    def cancel(self, job_id: str) -> None:
        """Drop the alarm ``job_id`` if it is armed."""
        ...


class History(Protocol):
    """Keeps what happened and the small state that outlives a run, without blocking."""

    def record(self, event: HistoryEvent) -> None:
        """Queue ``event`` to be appended; it reaches the file even if the file is busy now."""
        ...

    def save_pause(self, until: datetime | None) -> None:
        """Queue remembering the pause's end (None: no pause)."""
        ...


class HoldCheck(Protocol):
    """Tells what holds reminders right now: do-not-disturb, a fullscreen window."""

    def held(self) -> str | None:
        """Why reminders should wait now, or None. May take a moment: called unlocked."""
        ...


class ClockWatch(Protocol):
    """Calls back when the operating system's realtime clock is set (or the machine wakes)."""

    name: str

    def start(self, on_change: Callable[[], None]) -> None:
        """Begin watching; ``on_change`` runs on the watch's own thread."""
        ...

    def close(self) -> None:
        """Stop watching."""
        ...
