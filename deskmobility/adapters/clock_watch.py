"""Hear at once when the system clock is set, without polling.

The app's timers wait for wall-clock times. When the clock is set back an hour, a timer
armed for 10:20 would wait the extra hour; the core moves its plan by the jump instead, but
it must hear of the jump first. On Linux a ``timerfd`` on CLOCK_REALTIME armed with
``TFD_TIMER_CANCEL_ON_SET`` does exactly this: a read of it fails with ECANCELED the moment
the clock is set (and when the machine resumes from a suspend), and blocks otherwise.

Elsewhere there is no watch yet (Windows sends WM_TIMECHANGE to a window, macOS posts
NSSystemClockDidChangeNotification; both need a message loop this app does not run): the
core still sees a jump at the next timer, by comparing the wall and monotonic clocks.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import select
import sys
import threading
from collections.abc import Callable

from deskmobility.adapters.selection import PassedOver, Selection

log = logging.getLogger(__name__)

_CLOCK_REALTIME = 0
_TFD_CLOEXEC = 0o2000000
_TFD_TIMER_ABSTIME = 1
_TFD_TIMER_CANCEL_ON_SET = 2
# Armed for the far future: the timer itself should never expire, only be cancelled.
_FAR_FUTURE_S = 2**31 - 1


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


class _Itimerspec(ctypes.Structure):
    _fields_ = (("it_interval", _Timespec), ("it_value", _Timespec))


class ClockWatchError(Exception):
    """The watch cannot be set up here; the message says why."""


class TimerfdClockWatch:
    """The Linux clock watch: a cancel-on-set timerfd read on a thread of its own."""

    name = "timerfd"

    def __init__(self) -> None:
        """Create and arm the timerfd; raises ClockWatchError where that is not possible."""
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            self._create = libc.timerfd_create
            self._settime = libc.timerfd_settime
        except (OSError, AttributeError) as error:
            raise ClockWatchError(f"no timerfd in the C library: {error}") from error
        self._fd = self._create(_CLOCK_REALTIME, _TFD_CLOEXEC)
        if self._fd < 0:
            raise ClockWatchError(f"timerfd_create failed: {os.strerror(ctypes.get_errno())}")
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self.arm()

    def arm(self) -> None:
        """(Re-)arm the timer; a read fails with ECANCELED from the next clock change on."""
        spec = _Itimerspec(_Timespec(0, 0), _Timespec(_FAR_FUTURE_S, 0))
        flags = _TFD_TIMER_ABSTIME | _TFD_TIMER_CANCEL_ON_SET
        if self._settime(self._fd, flags, ctypes.byref(spec), None) != 0:
            raise ClockWatchError(f"timerfd_settime failed: {os.strerror(ctypes.get_errno())}")

    def start(self, on_change: Callable[[], None]) -> None:
        """Watch on a daemon thread; ``on_change`` runs there at each clock change."""
        self._thread = threading.Thread(
            target=self._watch, args=(on_change,), name="clock-watch", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop the thread and close the timerfd."""
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(2)
        for fd in (self._fd, self._wake_r, self._wake_w):
            os.close(fd)

    def wait(self) -> bool:
        """Block until the clock is set (True) or ``close`` is called (False)."""
        while True:
            readable, _, _ = select.select([self._fd, self._wake_r], [], [])
            if self._wake_r in readable:
                return False
            if self.read_changed():
                return True

    def read_changed(self) -> bool:
        """Read the readable timerfd: True when it says the clock was set, then re-arm."""
        try:
            os.read(self._fd, 8)
        except OSError as error:
            if error.errno != errno.ECANCELED:
                raise
            self.arm()
            return True
        # It expired (it is armed for 2038, so only a clock set that far does this).
        self.arm()
        return False

    def _watch(self, on_change: Callable[[], None]) -> None:
        try:
            while self.wait():
                log.info("the system clock was set (or the machine woke); re-planning")
                try:
                    on_change()
                except Exception:
                    log.exception("re-planning after a clock change failed")
        except (OSError, ClockWatchError) as error:
            log.warning("stopped watching the clock: %s", error)


def select_clock_watch(platform: str = sys.platform) -> Selection[TimerfdClockWatch | None]:
    """The clock watch for this system, or None, with why (the shared selection shape)."""
    if not platform.startswith("linux"):
        why = (
            f"no clock-change watch on {platform}: a clock set back is noticed only at the "
            "next timer, so reminders may come up to that much late"
        )
        return Selection(None, "none", why, available=False)
    try:
        watch = TimerfdClockWatch()
    except ClockWatchError as error:
        return Selection(
            None,
            "none",
            "no clock-change watch",
            (PassedOver("timerfd", str(error)),),
            available=False,
        )
    return Selection(watch, "timerfd", "timerfd with TFD_TIMER_CANCEL_ON_SET")
