"""The one place that reads the system clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the time: the system, or a test's hand-wound clock."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never jumps, for spotting suspends and clock changes."""
        ...


class SystemClock:
    """The real clock, in the local timezone."""

    def now(self) -> datetime:
        """Return the local time, timezone-aware."""
        return datetime.now(UTC).astimezone()

    def monotonic(self) -> float:
        """Return time.monotonic()."""
        return time.monotonic()
