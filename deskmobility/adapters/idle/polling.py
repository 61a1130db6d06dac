"""An idle watch for desktops without idle events: an adaptive poll of an idle-time reading.

KDE's ScreenSaver interface, Windows' GetLastInputInfo, macOS' HIDIdleTime and an X server
without SYNC only answer "how long idle now?". This watch asks when it can matter: after
reading ``idle``, the person cannot have been away for ``away_after`` before
``away_after - idle`` has passed, so that is when it looks next (a person at the desk costs
one look per ``away_after``). While they are away it looks once a minute (or once per
``away_after``, if shorter) for their return: the idle time then reads less than it would
had nobody touched anything.

The decisions are in :meth:`PollingIdleWatch.look`, which reads once and returns how long
to wait; the thread only waits on a ``threading.Event`` with that timeout (woken early by
``watch`` and ``close``). Tests call ``look`` with a fake reading and clock, and no thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from deskmobility.adapters.idle._base import IdleMonitor

log = logging.getLogger(__name__)

AWAY_LOOK = timedelta(minutes=1)  # how often to look for the person's return
UNREADABLE_LOOK = timedelta(minutes=5)  # after a failed read, before trying again
MIN_LOOK = timedelta(seconds=1)  # never spin on a reading just below the threshold
# Idle time read while away may fall short of "last reading + time since" by this much
# without counting as input (counters and clocks tick at different moments).
SLACK = timedelta(seconds=2)


class PollingIdleWatch:
    """Away and back from repeated reads of an IdleMonitor (see the module docstring)."""

    def __init__(
        self,
        monitor: IdleMonitor,
        clock: Callable[[], float] = time.monotonic,
        *,
        start_thread: bool = True,
    ) -> None:
        """``clock``: monotonic seconds; ``start_thread=False`` for tests that call ``look``."""
        self.monitor = monitor
        self.name = monitor.name
        self.mode = f"poll ({monitor.name}: looks when an absence could begin, then each minute)"
        self._clock = clock
        self._start_thread = start_thread
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._away_after = timedelta(minutes=5)
        self._on_away: Callable[[timedelta], None] = lambda _idle: None
        self._on_back: Callable[[], None] = lambda: None
        self._away = False
        self._last: tuple[float, timedelta] | None = None  # (clock, idle) at the last look

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """See IdleWatch.watch; the next look happens at once."""
        with self._lock:
            self._away_after, self._on_away, self._on_back = away_after, on_away, on_back
            self._away, self._last = False, None
            if self._thread is None and self._start_thread:
                self._thread = threading.Thread(
                    target=self._run, name=f"idle-{self.name}", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """See IdleWatch.close."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(2.0)
        self.monitor.close()

    def look(self) -> timedelta:
        """Read the idle time once, report away or back, and return when to look next."""
        idle = self.monitor.idle_for()
        now = self._clock()
        with self._lock:
            report, delay = self._decide(idle, now)
        if report is not None:
            report()
        return delay

    def _decide(
        self, idle: timedelta | None, now: float
    ) -> tuple[Callable[[], None] | None, timedelta]:
        """What a reading means (with self._lock held): what to report, and when to look next."""
        away_after, last = self._away_after, self._last
        if idle is None:
            return None, (AWAY_LOOK if self._away else UNREADABLE_LOOK)
        self._last = (now, idle)
        if not self._away:
            if idle < away_after:
                return None, max(MIN_LOOK, away_after - idle)
            self._away = True
            on_away = self._on_away
            return (lambda: _call(on_away, idle)), min(AWAY_LOOK, away_after)
        expected = last[1] + timedelta(seconds=now - last[0]) if last else idle
        if idle >= away_after and idle + SLACK >= expected:
            return None, min(AWAY_LOOK, away_after)  # no input since the last look
        self._away = False
        on_back = self._on_back
        return (lambda: _call(on_back)), max(MIN_LOOK, away_after - idle)

    def _run(self) -> None:
        delay = timedelta(0)
        while True:
            self._wake.wait(delay.total_seconds())
            self._wake.clear()
            with self._lock:
                if self._closed:
                    return
            try:
                delay = self.look()
            except Exception:
                log.exception("%s: reading the idle time failed", self.name)
                delay = UNREADABLE_LOOK


def _call(callback: Callable[..., None], *args: object) -> None:
    try:
        callback(*args)
    except Exception:
        log.exception("idle: a callback failed")
