"""Windows: ``GetLastInputInfo`` against the tick count, through ctypes.

``LASTINPUTINFO.dwTime`` is the tick count (milliseconds since boot, as from GetTickCount)
of the session's last input, and it is a 32-bit DWORD: it wraps to 0 every 2**32 ms,
about 49.7 days of uptime. Subtracting it from GetTickCount64() — or from GetTickCount()
once that wraps too — gives nonsense unless the subtraction is done modulo 2**32, which is
what ``idle_ms`` does; GetTickCount64 is used where it exists (Vista and later) only so that
``now`` itself never wraps mid-calculation. Its restype must be set to c_uint64: the ctypes
default (a C int) would truncate it.

Microsoft also documents that dwTime "is not guaranteed to be incremental" (input injected
with SendInput carries its own tick count), so a last input a little *after* now is read
as no idle time, not as 49.7 days of it.

Nothing here touches ``ctypes.WinDLL`` until the monitor is used, so the module imports
(and is unit-tested with a fake DLL object) on any platform.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from datetime import timedelta
from typing import Any, Protocol

from deskmobility.adapters.idle._base import IdleReadError, from_ms

log = logging.getLogger(__name__)

TICK_MODULUS = 2**32
# How far in the future a last-input stamp may lie (SendInput, thread timing) and still be
# read as "just now" rather than as a wrapped, enormous idle time.
FUTURE_SLACK_MS = 60_000


class LastInputInfo(ctypes.Structure):
    """The Win32 LASTINPUTINFO structure."""

    _fields_ = (("cbSize", ctypes.c_uint32), ("dwTime", ctypes.c_uint32))


class User32(Protocol):
    """The part of user32.dll used here."""

    GetLastInputInfo: Any


class Kernel32(Protocol):
    """The part of kernel32.dll used here (GetTickCount64 may be missing before Vista)."""

    GetTickCount: Any


def idle_ms(now_ticks: int, last_input_ticks: int) -> int:
    """Milliseconds from the last input to now, across the 32-bit tick wraparound.

    ``now_ticks`` may be a 64-bit count; both are compared modulo 2**32. A last input
    stamped up to FUTURE_SLACK_MS after now counts as 0.
    """
    elapsed = (now_ticks - last_input_ticks) % TICK_MODULUS
    if elapsed > TICK_MODULUS - FUTURE_SLACK_MS:
        return 0
    return elapsed


class WindowsIdleMonitor:
    """Idle time of this Windows session (GetLastInputInfo is per session, not system-wide)."""

    name = "windows"
    REPORTS_IDLE = True

    def __init__(self, user32: User32 | None = None, kernel32: Kernel32 | None = None) -> None:
        """The DLLs default to the system's; tests pass stand-ins."""
        self._user32 = user32
        self._kernel32 = kernel32
        self._tick_count: Any = None

    def idle_for(self) -> timedelta | None:
        """See IdleMonitor.idle_for."""
        try:
            return from_ms(self._read_ms())
        except IdleReadError as error:
            log.debug("windows: cannot read the idle time: %s", error)
            return None

    def probe(self) -> str | None:
        """See IdleMonitor.probe."""
        try:
            self._read_ms()
        except IdleReadError as error:
            return str(error)
        return None

    def close(self) -> None:
        """Nothing is held open."""

    def _read_ms(self) -> int:
        user32, tick_count = self._functions()
        info = LastInputInfo()
        info.cbSize = ctypes.sizeof(LastInputInfo)
        if not user32.GetLastInputInfo(ctypes.pointer(info)):
            raise IdleReadError("GetLastInputInfo failed")
        return idle_ms(int(tick_count()), int(info.dwTime))

    def _functions(self) -> tuple[User32, Any]:
        if self._user32 is None or self._kernel32 is None:
            self._user32, self._kernel32 = _system_dlls()
        if self._tick_count is None:
            self._tick_count = _tick_function(self._user32, self._kernel32)
        return self._user32, self._tick_count


def _tick_function(user32: User32, kernel32: Kernel32) -> Any:  # noqa: ANN401 - a ctypes function
    user32.GetLastInputInfo.argtypes = (ctypes.POINTER(LastInputInfo),)
    user32.GetLastInputInfo.restype = ctypes.c_int32  # BOOL
    tick64 = getattr(kernel32, "GetTickCount64", None)
    if tick64 is not None:
        tick64.argtypes = ()
        tick64.restype = ctypes.c_uint64
        return tick64
    kernel32.GetTickCount.argtypes = ()
    kernel32.GetTickCount.restype = ctypes.c_uint32
    return kernel32.GetTickCount


def _system_dlls() -> tuple[User32, Kernel32]:
    load = getattr(ctypes, "WinDLL", None)  # ctypes has WinDLL on Windows only
    if load is None:
        raise IdleReadError(f"GetLastInputInfo needs Windows, not {sys.platform}")
    try:
        return load("user32"), load("kernel32")
    except OSError as error:
        raise IdleReadError(f"cannot load user32/kernel32: {error}") from error
