"""Statistics from the history: breaks per day, micro-breaks completed, longest sitting, streak.

A *break* is a micro-break completed or a natural break (time away). Pure: events in,
numbers out; the day boundaries are those of the timezone of the ``today`` passed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from deskmobility.core.history import BREAK_KINDS, HistoryKind


class Event(Protocol):
    """The two fields of a history event that statistics read."""

    @property
    def at(self) -> datetime:
        """When it happened (timezone-aware)."""
        ...

    @property
    def kind(self) -> str:
        """What happened (a ``HistoryKind`` value)."""
        ...


@dataclass(frozen=True)
class DayStats:
    """One calendar day."""

    day: date
    breaks: int
    micro_breaks: int
    reminders: int
    longest_without_break: timedelta


@dataclass(frozen=True)
class Summary:
    """A span of days, oldest first, and the current streak."""

    days: tuple[DayStats, ...]
    streak: int

    @property
    def total_breaks(self) -> int:
        """Breaks over the whole span."""
        return sum(day.breaks for day in self.days)


def summarize(events: Iterable[Event], today: datetime, days: int) -> Summary:
    """Statistics for the ``days`` calendar days ending ``today``, in today's timezone."""
    zone = today.tzinfo
    by_day: dict[date, list[Event]] = {}
    for event in sorted(events, key=lambda e: e.at):
        by_day.setdefault(event.at.astimezone(zone).date(), []).append(event)
    last = today.date()
    span = [last - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    stats = tuple(_day(day, by_day.get(day, [])) for day in span)
    return Summary(days=stats, streak=_streak(by_day, last))


def _day(day: date, events: list[Event]) -> DayStats:
    breaks = [e for e in events if e.kind in BREAK_KINDS]
    return DayStats(
        day=day,
        breaks=len(breaks),
        micro_breaks=sum(e.kind == HistoryKind.MICRO_BREAK_FINISHED for e in events),
        reminders=sum(e.kind == HistoryKind.REMINDER for e in events),
        longest_without_break=_longest_gap(events),
    )


def _longest_gap(events: list[Event]) -> timedelta:
    """The longest time between two breaks, or the day's first/last activity and a break.

    The app records something at least at every reminder, so the first and last events of
    a day bound the time the person was at the desk.
    """
    if not events:
        return timedelta(0)
    marks = [events[0].at, *(e.at for e in events if e.kind in BREAK_KINDS), events[-1].at]
    return max(later - earlier for earlier, later in itertools.pairwise(marks))


def _streak(by_day: dict[date, list[Event]], today: date) -> int:
    """Days in a row with at least one completed micro-break, up to today.

    Today not done yet does not break the streak: it counts from yesterday then.
    """

    def done(day: date) -> bool:
        return any(e.kind == HistoryKind.MICRO_BREAK_FINISHED for e in by_day.get(day, []))

    day = today if done(today) else today - timedelta(days=1)
    count = 0
    while done(day):
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class KindStats:
    """What came of one reminder kind's notifications."""

    shown: int = 0
    done: int = 0
    later: int = 0
    dismissed: int = 0
    expired: int = 0

    @property
    def acted_on(self) -> int:
        """Answered at all: done, or put off on purpose."""
        return self.done + self.later


class _Reminded(Event, Protocol):
    @property
    def reminder(self) -> str | None:
        """The reminder kinds, comma-joined."""
        ...


_OUTCOME_FIELDS: dict[str, str] = {
    HistoryKind.REMINDER: "shown",
    HistoryKind.DONE: "done",
    HistoryKind.LATER: "later",
    HistoryKind.DISMISSED: "dismissed",
    HistoryKind.EXPIRED: "expired",
}


def by_kind(events: Iterable[_Reminded]) -> dict[str, KindStats]:
    """Per reminder kind: how many were shown, and what the person did with them.

    A merged reminder counts for each kind it named. A micro-break started from a
    reminder's "Show me" and finished is recorded as that reminder done.
    """
    counts: dict[str, dict[str, int]] = {}
    for event in events:
        field = _OUTCOME_FIELDS.get(event.kind)
        if field is None or not event.reminder:
            continue
        for kind in event.reminder.split(","):
            tally = counts.setdefault(kind, {})
            tally[field] = tally.get(field, 0) + 1
    return {kind: KindStats(**tally) for kind, tally in sorted(counts.items())}
