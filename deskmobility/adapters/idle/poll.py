"""An IdleWatch for desktops that only answer "how long idle?": look only when it can matter.

While the person is at the desk, the next look is when their current idle time could
first reach the threshold (plus a margin), so someone who keeps typing costs one look per
threshold. While they are away, a look a minute notices them come back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from deskmobility.adapters.idle._base import IdleMonitor
from deskmobility.core.presence import CameBack, Presence, WentAway

log = logging.getLogger(__name__)

LOOK_MARGIN = timedelta(minutes=1)


class PollingIdleWatch:
    """Turns an idle-time reading into "away" and "back" calls, on a thread of its own."""

    def __init__(
        self,
        monitor: IdleMonitor,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.monitor = monitor
        self.name = monitor.name
        self.mode = f"poll ({monitor.name} has no idle events)"
        self._now = now
        self._changed = threading.Condition()
        self._closed = False
        self._settings: tuple[timedelta, Callable[[timedelta], None], Callable[[], None]] | None
        self._settings = None
        self._thread: threading.Thread | None = None

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """Start (or re-aim) the watch."""
        with self._changed:
            self._settings = (away_after, on_away, on_back)
            self._changed.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="idle-poll", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the thread and the monitor's connection."""
        with self._changed:
            self._closed = True
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(2)
        self.monitor.close()

    def _run(self) -> None:
        presence = Presence()
        wait: timedelta | None = None  # None: look now
        while (settings := self._next_look(wait)) is not None:
            away_after, on_away, on_back = settings
            presence, wait = self.look(presence, away_after, on_away, on_back)

    def _next_look(
        self, wait: timedelta | None
    ) -> tuple[timedelta, Callable[[timedelta], None], Callable[[], None]] | None:
        """Sleep ``wait`` (or until re-aimed) and return what to look for; None once closed."""
        with self._changed:
            if wait is not None and not self._closed:
                self._changed.wait(wait.total_seconds())
            while self._settings is None and not self._closed:
                self._changed.wait()
            return None if self._closed else self._settings

    def look(
        self,
        presence: Presence,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> tuple[Presence, timedelta]:
        """Read the idle time once, call back on a change; return the state and the next wait."""
        idle = self.monitor.idle_for()
        presence, event = presence.observe(self._now(), idle, away_after)
        try:
            if isinstance(event, WentAway):
                on_away(idle or away_after)
            elif isinstance(event, CameBack):
                on_back()
        except Exception:  # a failing callback must not end the watch's thread
            log.exception("%s: an idle callback failed", self.name)
        margin = min(LOOK_MARGIN, away_after)
        if idle is None or presence.away:
            return presence, margin
        return presence, max(timedelta(0), away_after - idle) + margin
