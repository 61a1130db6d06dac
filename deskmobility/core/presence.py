"""Is the user at the desk? Idle-time samples in, "went away" / "came back" events out.

Where the desktop has no idle events, the polling idle watch (``adapters/idle/poll.py``)
passes each sample of an idle monitor to ``Presence.observe`` with the current time.
Being idle for at least ``natural_break`` counts as being away, which the planner treats
as a break taken.

A sample of None (the monitor cannot tell right now) changes nothing: an unknown is never
read as "away" nor as "back". Times come from the samples, not from when they were taken:
both ``since`` and ``at`` are ``now - idle_for``, the moment of the last input seen. For
``WentAway`` that is when the absence began; for ``CameBack`` it is the latest moment the
user is known to have been back (they returned at or before it, within one sampling period).

``suspended_for`` spots a suspend (or the wall clock jumping forward) between two
ticks of the app: on Linux and macOS the monotonic clock stops while the machine sleeps,
so wall time runs ahead of it by the time spent asleep.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

# Wall time may run ahead of monotonic time by this much without it counting as a suspend
# (NTP slews, a slow tick); more is a suspend or a clock change.
SUSPEND_THRESHOLD = timedelta(seconds=60)
# Two samples of one idle stretch put its start this close together, whatever the jitter
# between reading the clock and reading the idle counter. A later start means new input.
SAME_STRETCH = timedelta(seconds=2)


@dataclass(frozen=True)
class WentAway:
    """The user has been idle for ``natural_break``; the idle stretch began at ``since``."""

    since: datetime


@dataclass(frozen=True)
class CameBack:
    """The user was back by ``at`` (last input seen) from an absence begun at ``away_since``."""

    at: datetime
    away_since: datetime

    @property
    def away_for(self) -> timedelta:
        """How long the absence lasted."""
        return self.at - self.away_since


PresenceEvent = WentAway | CameBack


@dataclass(frozen=True)
class Presence:
    """Whether the user is away and since when; ``Presence()`` is "at the desk"."""

    away_since: datetime | None = None

    @property
    def away(self) -> bool:
        """Tell whether the last known sample said "away"."""
        return self.away_since is not None

    def observe(
        self, now: datetime, idle_for: timedelta | None, natural_break: timedelta
    ) -> tuple[Presence, PresenceEvent | None]:
        """Take one idle sample at ``now``; return the new state and the event, if any.

        If input resumed and stopped again between two samples that were more than
        ``natural_break`` apart (a suspend, a stalled poller), the absence is closed with a
        CameBack at the last input, and the next sample reports the new WentAway.
        """
        if idle_for is None:
            return self, None
        last_input = _before(now, max(idle_for, timedelta(0)))
        if self.away_since is None:
            if idle_for >= natural_break:
                return replace(self, away_since=last_input), WentAway(since=last_input)
            return self, None
        if idle_for < natural_break or last_input > self.away_since + SAME_STRETCH:
            return replace(self, away_since=None), CameBack(
                at=last_input, away_since=self.away_since
            )
        return self, None


def suspended_for(
    prev_wall: datetime, prev_mono: float, now_wall: datetime, now_mono: float
) -> timedelta | None:
    """How far wall time ran ahead of monotonic time between two ticks, if over a minute.

    ``*_wall`` are timezone-aware datetimes and ``*_mono`` seconds from a monotonic clock
    (``Clock.now()`` and ``Clock.monotonic()``), both read at each tick. Returns None for
    ordinary ticks and for a wall clock set back.
    """
    wall = now_wall.astimezone(UTC) - prev_wall.astimezone(UTC)
    gap = wall - timedelta(seconds=now_mono - prev_mono)
    return gap if gap > SUSPEND_THRESHOLD else None


def _before(now: datetime, span: timedelta) -> datetime:
    """``now - span`` as an instant (in UTC, so a DST change inside ``span`` cannot shift it)."""
    return (now.astimezone(UTC) - span).astimezone(now.tzinfo)
