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
import ctypes
import ctypes.util
import logging
import os
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from deskmobility.adapters.idle._base import IdleReadError, IdleWatchError, KeptConnectionMonitor

log = logging.getLogger(__name__)

# Xsync.h
_ALARM_NOTIFY = 1  # XSyncAlarmNotify, added to the extension's event base
_ABSOLUTE = 0  # XSyncAbsolute
_POSITIVE_COMPARISON = 2  # XSyncPositiveComparison: counter >= value
_NEGATIVE_COMPARISON = 3  # XSyncNegativeComparison: counter <= value
_DESTROYED = 2  # XSyncAlarmDestroyed
_CA_ALL = 0x3F  # XSyncCACounter | ValueType | Value | TestType | Delta | Events


class _Value(ctypes.Structure):
    _fields_ = (("hi", ctypes.c_int), ("lo", ctypes.c_uint))


class _Trigger(ctypes.Structure):
    _fields_ = (
        ("counter", ctypes.c_ulong),
        ("value_type", ctypes.c_int),
        ("wait_value", _Value),
        ("test_type", ctypes.c_int),
    )


class _AlarmAttributes(ctypes.Structure):
    _fields_ = (
        ("trigger", _Trigger),
        ("delta", _Value),
        ("events", ctypes.c_int),
        ("state", ctypes.c_int),
    )


class _SystemCounter(ctypes.Structure):
    _fields_ = (("name", ctypes.c_char_p), ("counter", ctypes.c_ulong), ("resolution", _Value))


class _AlarmNotifyEvent(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("alarm", ctypes.c_ulong),
        ("counter_value", _Value),
        ("alarm_value", _Value),
        ("time", ctypes.c_ulong),
        ("state", ctypes.c_int),
    )


_XEvent = ctypes.c_long * 24  # Xlib's XEvent union is 24 longs


def _to_ms(value: _Value) -> int:
    return (int(value.hi) << 32) | int(value.lo)


def _value(ms: int) -> _Value:
    ms = max(0, ms)
    return _Value(ms >> 32, ms & 0xFFFFFFFF)


def _load(soname: str, short: str) -> Any:  # noqa: ANN401 - a ctypes.CDLL
    try:
        return ctypes.CDLL(soname)
    except OSError:
        found = ctypes.util.find_library(short)
        if found is None:
            raise IdleWatchError(f"lib{short} is not installed") from None
        return ctypes.CDLL(found)


@dataclass
class _Libs:
    x11: Any
    xext: Any

    @classmethod
    def load(cls) -> _Libs:
        x11, xext = _load("libX11.so.6", "X11"), _load("libXext.so.6", "Xext")
        p, i, u = ctypes.c_void_p, ctypes.c_int, ctypes.c_ulong
        x11_functions: tuple[tuple[str, tuple[Any, ...], Any], ...] = (
            ("XOpenDisplay", (ctypes.c_char_p,), p),
            ("XCloseDisplay", (p,), i),
            ("XConnectionNumber", (p,), i),
            ("XPending", (p,), i),
            ("XNextEvent", (p, p), i),
            ("XFlush", (p,), i),
        )
        xext_functions: tuple[tuple[str, tuple[Any, ...], Any], ...] = (
            ("XSyncQueryExtension", (p, ctypes.POINTER(i), ctypes.POINTER(i)), i),
            ("XSyncInitialize", (p, ctypes.POINTER(i), ctypes.POINTER(i)), i),
            ("XSyncListSystemCounters", (p, ctypes.POINTER(i)), ctypes.POINTER(_SystemCounter)),
            ("XSyncFreeSystemCounterList", (ctypes.POINTER(_SystemCounter),), None),
            ("XSyncCreateAlarm", (p, u, ctypes.POINTER(_AlarmAttributes)), u),
            ("XSyncChangeAlarm", (p, u, u, ctypes.POINTER(_AlarmAttributes)), i),
            ("XSyncDestroyAlarm", (p, u), i),
            ("XSyncQueryCounter", (p, u, ctypes.POINTER(_Value)), i),
        )
        for library, functions in ((x11, x11_functions), (xext, xext_functions)):
            for name, argtypes, restype in functions:
                function = getattr(library, name)
                function.argtypes, function.restype = argtypes, restype
        return cls(x11, xext)


class _Connection:
    """One display with SYNC initialised and its IDLETIME counter found (one thread uses it)."""

    def __init__(self, display_name: str | None) -> None:
        if not display_name:
            raise IdleWatchError("DISPLAY is not set")
        self.libs = _Libs.load()
        self.name = display_name
        self.display = self.libs.x11.XOpenDisplay(display_name.encode())
        if not self.display:
            raise IdleWatchError(f"cannot open X11 display {display_name!r}")
        try:
            self.event_base = self._sync_event_base()
            self.idletime = self._idletime_counter()
        except IdleWatchError:
            self.libs.x11.XCloseDisplay(self.display)
            raise
        self.fd = int(self.libs.x11.XConnectionNumber(self.display))

    def _sync_event_base(self) -> int:
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        xext = self.libs.xext
        if not xext.XSyncQueryExtension(self.display, event_base, error_base):
            raise IdleWatchError(f"X11 display {self.name!r} lacks the SYNC extension")
        major, minor = ctypes.c_int(), ctypes.c_int()
        if not xext.XSyncInitialize(self.display, major, minor):
            raise IdleWatchError(f"X11 display {self.name!r}: SYNC did not initialise")
        return int(event_base.value)

    def _idletime_counter(self) -> int:
        count = ctypes.c_int()
        counters = self.libs.xext.XSyncListSystemCounters(self.display, count)
        if not counters:
            raise IdleWatchError(f"X11 display {self.name!r} lists no SYNC counters")
        try:
            for index in range(count.value):
                if counters[index].name == b"IDLETIME":
                    return int(counters[index].counter)
        finally:
            self.libs.xext.XSyncFreeSystemCounterList(counters)
        raise IdleWatchError(f"X11 display {self.name!r} has no IDLETIME counter")

    def set_alarm(self, alarm: int, test: int, ms: int) -> int:
        """Create (``alarm`` 0) or change an alarm on IDLETIME; return its id."""
        attributes = _AlarmAttributes()
        attributes.trigger.counter = self.idletime
        attributes.trigger.value_type = _ABSOLUTE
        attributes.trigger.wait_value = _value(ms)
        attributes.trigger.test_type = test
        attributes.delta = _value(0)  # with a comparison: inactive once it has triggered
        attributes.events = 1
        xext = self.libs.xext
        if alarm:
            xext.XSyncChangeAlarm(self.display, alarm, _CA_ALL, ctypes.byref(attributes))
        else:
            alarm = int(xext.XSyncCreateAlarm(self.display, _CA_ALL, ctypes.byref(attributes)))
        self.libs.x11.XFlush(self.display)
        return alarm

    def idle_ms(self) -> int:
        """IDLETIME now (one round trip); IdleReadError if the server is gone."""
        if not self.alive():
            raise IdleReadError(f"X11 display {self.name!r}: the server closed the connection")
        value = _Value()
        if not self.libs.xext.XSyncQueryCounter(self.display, self.idletime, ctypes.byref(value)):
            raise IdleReadError(f"X11 display {self.name!r}: XSyncQueryCounter failed")
        return _to_ms(value)

    def alive(self) -> bool:
        """Whether the X server is still there (reads nothing, so Xlib is never surprised)."""
        with socket.socket(fileno=os.dup(self.fd)) as peek:
            try:
                return peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
            except BlockingIOError:
                return True
            except OSError:
                return False

    def events(self) -> list[_AlarmNotifyEvent]:
        """Every alarm event Xlib has or can read now, without blocking."""
        found = []
        buffer = _XEvent()
        x11 = self.libs.x11
        while x11.XPending(self.display) > 0:
            x11.XNextEvent(self.display, buffer)
            if buffer[0] & 0x7F == self.event_base + _ALARM_NOTIFY:
                found.append(_AlarmNotifyEvent.from_buffer_copy(buffer))
        return found

    def close(self, *, alive: bool = True) -> None:
        """Close the display; with a dead server only the socket (Xlib would exit)."""
        if alive:
            self.libs.x11.XCloseDisplay(self.display)
        else:
            with contextlib.suppress(OSError):
                os.close(self.fd)


class X11SyncIdleWatch:
    """Away and back from X SYNC alarms on IDLETIME (see the module docstring)."""

    name = "x11-sync"
    mode = "events (X11 SYNC IDLETIME alarms)"

    def __init__(self, display_name: str | None) -> None:
        """Open the display and find IDLETIME now; IdleWatchError if that fails."""
        self._x = _Connection(display_name)
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

    def __init__(self, x: _Connection) -> None:
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
            self.away_alarm = self.x.set_alarm(self.away_alarm, _POSITIVE_COMPARISON, away_ms)

    def handle(self, event: _AlarmNotifyEvent) -> None:
        if event.state == _DESTROYED:
            return
        if event.alarm == self.away_alarm and not self.away:
            self.away = True
            # Back at the first input: the counter drops below where it stands now.
            below = max(0, min(_to_ms(event.counter_value), self.away_ms) - 1)
            self.back_alarm = self.x.set_alarm(self.back_alarm, _NEGATIVE_COMPARISON, below)
            _call(self.on_away, timedelta(milliseconds=_to_ms(event.counter_value)))
        elif event.alarm == self.back_alarm and self.away:
            self.away = False
            self.away_alarm = self.x.set_alarm(self.away_alarm, _POSITIVE_COMPARISON, self.away_ms)
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
        self._x: _Connection | None = None
        self._lock = threading.Lock()  # one reader at a time on the connection

    def _read_ms(self) -> int:
        if self._x is None:
            try:
                self._x = _Connection(self.display_name)
            except IdleWatchError as error:
                raise IdleReadError(str(error)) from error
        return self._x.idle_ms()

    def _drop(self) -> None:
        x, self._x = self._x, None
        if x is not None:
            x.close(alive=x.alive())
