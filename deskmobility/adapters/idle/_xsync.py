"""ctypes bindings for the X SYNC extension's IDLETIME counter (libX11 + libXext).

Only what the idle watch and reading need: open a display, find IDLETIME, create and change
alarms on it, read it, and take alarm events off the connection. All calls for one
``Connection`` must come from one thread at a time. Struct layouts are those of
``X11/extensions/sync.h``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import socket
from dataclasses import dataclass
from typing import Any

from deskmobility.adapters.idle._base import IdleReadError, IdleWatchError

# Xsync.h
_ALARM_NOTIFY = 1  # XSyncAlarmNotify, added to the extension's event base
_ABSOLUTE = 0  # XSyncAbsolute
POSITIVE_COMPARISON = 2  # XSyncPositiveComparison: counter >= value
NEGATIVE_COMPARISON = 3  # XSyncNegativeComparison: counter <= value
DESTROYED = 2  # XSyncAlarmDestroyed
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


class AlarmNotifyEvent(ctypes.Structure):
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


def to_ms(value: _Value) -> int:
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


class Connection:
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
        return to_ms(value)

    def alive(self) -> bool:
        """Whether the X server is still there (reads nothing, so Xlib is never surprised)."""
        with socket.socket(fileno=os.dup(self.fd)) as peek:
            try:
                return peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
            except BlockingIOError:
                return True
            except OSError:
                return False

    def events(self) -> list[AlarmNotifyEvent]:
        """Every alarm event Xlib has or can read now, without blocking."""
        found = []
        buffer = _XEvent()
        x11 = self.libs.x11
        while x11.XPending(self.display) > 0:
            x11.XNextEvent(self.display, buffer)
            if buffer[0] & 0x7F == self.event_base + _ALARM_NOTIFY:
                found.append(AlarmNotifyEvent.from_buffer_copy(buffer))
        return found

    def close(self, *, alive: bool = True) -> None:
        """Close the display; with a dead server only the socket (Xlib would exit)."""
        if alive:
            self.libs.x11.XCloseDisplay(self.display)
        else:
            with contextlib.suppress(OSError):
                os.close(self.fd)
