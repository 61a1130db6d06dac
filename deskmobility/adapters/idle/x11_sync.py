"""X11: the SYNC extension's IDLETIME counter, with alarms, over ctypes on libX11 and libXext.

The X server counts milliseconds since the last input in the ``IDLETIME`` system counter
and wakes a client only when an alarm on it triggers: one "idle for ``away_after``" alarm
(PositiveComparison) while the person is at the desk, one "active again" alarm
(NegativeComparison, below the threshold) while they are away. Between the two nothing
runs: the watch's thread sleeps in select() on the X connection (and a pipe that
``watch``/``close`` write to). KIdleTime and GNOME's old idle monitor work the same way.

Only ctypes and the two C libraries every X11 desktop has are used (no python-xlib, whose
modules cost about 2.4 MB): ``IdleWatchError`` says what is missing, and the selector
then falls back to the polled MIT-SCREEN-SAVER monitor. All Xlib calls for a display are
made on one thread (the probe's, then the watch's after it started).

If the X server goes away, the connection's end of file is noticed before Xlib is asked
(Xlib's default answer to a broken connection is to exit the process); the watch then says
so in the log and stops: without its X server the session is over.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from deskmobility.adapters.idle._base import IdleReadError, IdleWatchError, KeptConnectionMonitor
from deskmobility.adapters.idle._xsync import (
    DESTROYED,
    NEGATIVE_COMPARISON,
    POSITIVE_COMPARISON,
    AlarmNotifyEvent,
    Connection,
    to_ms,
)

log = logging.getLogger(__name__)


class X11SyncIdleWatch:
    """Away and back from X SYNC alarms on IDLETIME (see the module docstring)."""

    name = "x11-sync"
    mode = "events (X11 SYNC IDLETIME alarms)"

    def __init__(self, display_name: str | None) -> None:
        """Open the display and find IDLETIME now; IdleWatchError if that fails."""
        self._x = Connection(display_name)
        self._wake_r, self._wake_w = os.pipe()
        self._lock = threading.Lock()
        self._wanted: tuple[int, Callable[[timedelta], None], Callable[[], None]] | None = None
        self._closing = False
        self._thread: threading.Thread | None = None

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """See IdleWatch.watch."""
        with self._lock:
            self._wanted = (max(1, int(away_after.total_seconds() * 1000)), on_away, on_back)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="idle-x11", daemon=True)
                self._thread.start()
        os.write(self._wake_w, b"w")

    def close(self) -> None:
        """See IdleWatch.close."""
        with self._lock:
            self._closing = True
            thread = self._thread
        os.write(self._wake_w, b"c")
        if thread is not None:
            thread.join(2.0)
        else:
            self._x.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _run(self) -> None:
        state = _AlarmState(self._x)
        try:
            while True:
                readable, _, _ = select.select([self._x.fd, self._wake_r], [], [])
                if self._wake_r in readable:
                    os.read(self._wake_r, 64)
                    with self._lock:
                        if self._closing:
                            break
                        wanted = self._wanted
                    if wanted is not None:
                        state.want(*wanted)
                if self._x.fd in readable and not self._x.alive():
                    log.warning("x11-sync: the X server closed the connection; idle watch ends")
                    self._x.close(alive=False)
                    return
                for event in self._x.events():
                    state.handle(event)
        except Exception:
            log.exception("x11-sync: the idle watch failed")
        self._x.close()


class _AlarmState:
    """Which alarm is armed, and what each alarm event means (on the watch's thread)."""

    def __init__(self, x: Connection) -> None:
        self.x = x
        self.away_ms = 0
        self.on_away: Callable[[timedelta], None] = lambda _idle: None
        self.on_back: Callable[[], None] = lambda: None
        self.away = False
        self.away_alarm = 0
        self.back_alarm = 0

    def want(
        self, away_ms: int, on_away: Callable[[timedelta], None], on_back: Callable[[], None]
    ) -> None:
        self.away_ms, self.on_away, self.on_back = away_ms, on_away, on_back
        if not self.away:
            self.away_alarm = self.x.set_alarm(self.away_alarm, POSITIVE_COMPARISON, away_ms)

    def handle(self, event: AlarmNotifyEvent) -> None:
        if event.state == DESTROYED:
            return
        if event.alarm == self.away_alarm and not self.away:
            self.away = True
            # Back at the first input: the counter drops below where it stands now.
            below = max(0, min(to_ms(event.counter_value), self.away_ms) - 1)
            self.back_alarm = self.x.set_alarm(self.back_alarm, NEGATIVE_COMPARISON, below)
            _call(self.on_away, timedelta(milliseconds=to_ms(event.counter_value)))
        elif event.alarm == self.back_alarm and self.away:
            self.away = False
            self.away_alarm = self.x.set_alarm(self.away_alarm, POSITIVE_COMPARISON, self.away_ms)
            _call(self.on_back)


def _call(callback: Callable[..., None], *args: Any) -> None:  # noqa: ANN401
    try:
        callback(*args)
    except Exception:
        log.exception("x11-sync: an idle callback failed")


class X11SyncIdleMonitor(KeptConnectionMonitor):
    """Idle time read from the IDLETIME counter (XSyncQueryCounter), for ``idle_for()``.

    The reading twin of the watch, with a connection of its own, so that asking "how long
    idle now?" on X11 needs no python-xlib either.
    """

    name = "x11-sync"
    REPORTS_IDLE = True

    def __init__(self, display_name: str | None) -> None:
        """``display_name``: such as ``":0"`` (from DISPLAY); None means there is no display."""
        self.display_name = display_name
        self._x: Connection | None = None
        self._lock = threading.Lock()  # one reader at a time on the connection

    def _read_ms(self) -> int:
        if self._x is None:
            try:
                self._x = Connection(self.display_name)
            except IdleWatchError as error:
                raise IdleReadError(str(error)) from error
        return self._x.idle_ms()

    def _drop(self) -> None:
        x, self._x = self._x, None
        if x is not None:
            x.close(alive=x.alive())
