"""macOS: the IOHIDSystem registry entry's ``HIDIdleTime``, read with ``ioreg``.

``HIDIdleTime`` is a 64-bit count of nanoseconds since the last HID input. IOKit through
ctypes would need CoreFoundation object handling (IOServiceGetMatchingServices,
IORegistryEntryCreateCFProperty, CFNumberGetValue, CFRelease) for one number; running
``ioreg -r -d 1 -c IOHIDSystem`` once a minute costs a few milliseconds, needs no
permission, and fails visibly. ``-r -d 1`` prints only the IOHIDSystem node itself with its
properties, one per line::

    +-o IOHIDSystem  <class IOHIDSystem, id 0x100000483, registered, matched, ...>
        {
          "HIDIdleTime" = 27341625
          ...
        }
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Callable, Sequence
from datetime import timedelta

from deskmobility.adapters.idle._base import IdleReadError

log = logging.getLogger(__name__)

IOREG = "/usr/sbin/ioreg"
IOREG_ARGS = ("-r", "-d", "1", "-c", "IOHIDSystem")
IOREG_TIMEOUT_S = 5.0
# A property line of the object itself ('  |   "HIDIdleTime" = 123'), never a key inside an
# inline dictionary such as '"HIDParameters" = {"HIDIdleTime"=...}'.
_IDLE_LINE = re.compile(r'^[ \t|]*"HIDIdleTime"\s*=\s*(\d+)[ \t]*$', re.MULTILINE)

Runner = Callable[[Sequence[str]], str]


def parse_hid_idle_ns(text: str) -> int | None:
    """The HIDIdleTime in ``ioreg`` output, in nanoseconds, or None if there is none.

    With more than one IOHIDSystem entry the smallest wins: the most recent input.
    """
    values = [int(match) for match in _IDLE_LINE.findall(text)]
    return min(values) if values else None


def run_ioreg(argv: Sequence[str]) -> str:
    """Run ``argv`` and return its stdout; raise IdleReadError if that fails."""
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=IOREG_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise IdleReadError(f"cannot run {argv[0]}: {error}") from error
    if done.returncode != 0:
        raise IdleReadError(f"{argv[0]} exited {done.returncode}: {done.stderr.strip()[:200]}")
    return done.stdout


class MacIdleMonitor:
    """Idle time from IOKit's HID system, via ``ioreg``."""

    name = "macos"
    REPORTS_IDLE = True

    def __init__(self, runner: Runner = run_ioreg, ioreg: str = IOREG) -> None:
        """``runner`` runs a command and returns stdout (tests pass captured output)."""
        self._runner = runner
        self._ioreg = ioreg

    def idle_for(self) -> timedelta | None:
        """See IdleMonitor.idle_for."""
        try:
            return self._read()
        except IdleReadError as error:
            log.debug("macos: cannot read the idle time: %s", error)
            return None

    def probe(self) -> str | None:
        """See IdleMonitor.probe."""
        try:
            self._read()
        except IdleReadError as error:
            return str(error)
        return None

    def close(self) -> None:
        """Nothing is held open."""

    def _read(self) -> timedelta:
        nanoseconds = parse_hid_idle_ns(self._runner((self._ioreg, *IOREG_ARGS)))
        if nanoseconds is None:
            raise IdleReadError("ioreg printed no HIDIdleTime for IOHIDSystem")
        return timedelta(microseconds=nanoseconds // 1000)
