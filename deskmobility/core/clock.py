"""The one place that reads the system clock, and how its times are read in local time.

A time from ``SystemClock`` is local wall-clock time at the fixed UTC offset in force at
that instant, and its tzinfo (``LocalOffset``) remembers the zone it was read in. Both
halves matter:

- The fixed offset keeps arithmetic and comparisons exact. With a real zone as tzinfo
  (a ``ZoneInfo``), Python adds and compares by wall time: on the autumn night
  ``02:59:30+02:00 + 1 minute`` is ``03:00:30+01:00``, an hour and a minute later, and
  every "in a minute" armed in the repeated hour lies in the past.
- The zone lets the planner read another instant (an interval later, say) in the offset
  in force *then* (``local_like``): quiet hours keep to local time across a DST change.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol


class Clock(Protocol):
    """Anything that can tell the time: the system, or a test's hand-wound clock."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never jumps, for spotting suspends and clock changes."""
        ...


class LocalOffset(tzinfo):
    """The fixed UTC offset in force at one instant in ``zone``, remembering ``zone``.

    ``zone`` None is the operating system's local zone, as ``datetime.astimezone()`` reads
    it (the C library, asked afresh for each instant).
    """

    def __init__(self, offset: timedelta, name: str | None, zone: tzinfo | None) -> None:
        self._offset = offset
        self._name = name
        self.zone = zone

    def utcoffset(self, dt: datetime | None, /) -> timedelta:  # noqa: ARG002
        """Return the fixed offset."""
        return self._offset

    def dst(self, dt: datetime | None, /) -> timedelta | None:  # noqa: ARG002
        """Return None: how much of the offset is daylight saving is not known here."""
        return None

    def tzname(self, dt: datetime | None, /) -> str | None:  # noqa: ARG002
        """Return the zone's name for the offset, e.g. "CEST"."""
        return self._name

    def fromutc(self, dt: datetime, /) -> datetime:
        """Return UTC ``dt`` (with this tzinfo attached) at this offset."""
        return dt + self._offset

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalOffset):
            return NotImplemented
        return (self._offset, self._name, self.zone) == (other._offset, other._name, other.zone)

    def __hash__(self) -> int:
        return hash((self._offset, self._name))

    def __reduce__(self) -> tuple[Any, ...]:
        return (LocalOffset, (self._offset, self._name, self.zone))

    def __repr__(self) -> str:
        return f"LocalOffset({self._offset!r}, {self._name!r}, {self.zone!r})"


def in_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    """``moment`` read on a wall clock in ``zone`` (None: the system's local zone).

    The result has a ``LocalOffset``: the offset in force at ``moment``, and ``zone``.
    """
    local = moment.astimezone(zone)
    # The offset from the conversion itself: it asks the zone nothing about wall times.
    offset = local.replace(tzinfo=None) - moment.astimezone(UTC).replace(tzinfo=None)
    return local.replace(tzinfo=LocalOffset(offset, local.tzname(), zone), fold=0)


def local_like(moment: datetime, like: datetime) -> datetime:
    """``moment`` read on the wall clock ``like`` was read on.

    For a ``SystemClock`` time, in its zone, at the offset in force at ``moment`` (which
    may differ from ``like``'s across a DST change); for any other aware time, in its
    tzinfo (a test's fixed offset stays that offset).
    """
    zone = like.tzinfo
    if isinstance(zone, LocalOffset):
        return in_zone(moment, zone.zone)
    return moment.astimezone(zone)


class SystemClock:
    """The real clock, in the local timezone.

    The zone is the operating system's, read through ``datetime.astimezone()`` as before
    (the C library's own tz database, ``TZ`` included; no dependency), or ``zone``.
    """

    def __init__(self, zone: tzinfo | None = None) -> None:
        self._zone = zone

    def now(self) -> datetime:
        """Return the local time, timezone-aware (see the module docstring)."""
        return in_zone(datetime.now(UTC), self._zone)

    def monotonic(self) -> float:
        """Return time.monotonic()."""
        return time.monotonic()
