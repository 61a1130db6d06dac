from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from deskmobility.core.history import HistoryEvent, HistoryKind
from deskmobility.core.stats import KindStats, by_kind, summarize
from tests.conftest import FakeClock

H = timedelta(hours=1)


@dataclass(frozen=True)
class E:
    at: datetime
    kind: str


def test_breaks_per_day_count_micro_and_natural_breaks(clock: FakeClock) -> None:
    day = clock.now().replace(hour=9)
    events = [
        E(day, "reminder"),
        E(day + H, "micro_break_finished"),
        E(day + 2 * H, "natural_break"),
        E(day + 3 * H, "reminder"),
        E(day + 3 * H, "micro_break_started"),
    ]
    [today] = summarize(events, clock.now(), days=1).days
    assert (today.breaks, today.micro_breaks, today.reminders) == (2, 1, 2)


def test_longest_stretch_without_a_break_includes_the_ends_of_the_day(clock: FakeClock) -> None:
    day = clock.now().replace(hour=9)
    events = [
        E(day, "reminder"),
        E(day + H, "natural_break"),
        E(day + 4 * H, "micro_break_finished"),
        E(day + 4.5 * H, "reminder"),
    ]
    [today] = summarize(events, clock.now(), days=1).days
    assert today.longest_without_break == 3 * H


def test_days_without_events_are_listed_with_zeros(clock: FakeClock) -> None:
    summary = summarize([], clock.now(), days=7)
    assert len(summary.days) == 7
    assert summary.days[-1].day == clock.now().date()
    assert summary.total_breaks == 0
    assert summary.streak == 0


def test_streak_counts_days_in_a_row_and_tolerates_today_not_done_yet(clock: FakeClock) -> None:
    now = clock.now()
    done = [E(now - timedelta(days=d), "micro_break_finished") for d in (1, 2, 3, 5)]
    assert summarize(done, now, days=7).streak == 3
    assert summarize([*done, E(now, "micro_break_finished")], now, days=7).streak == 4


def test_days_follow_the_local_timezone(clock: FakeClock) -> None:
    now = clock.now()  # 09:00 at +01:00
    late_yesterday = (now - timedelta(hours=9, minutes=30)).astimezone()  # 23:30 local
    summary = summarize([E(late_yesterday, "natural_break")], now, days=2)
    assert [d.breaks for d in summary.days] == [1, 0]


def test_by_kind_counts_what_was_shown_and_what_came_of_it() -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    events = [
        HistoryEvent(at, HistoryKind.REMINDER, "posture,head", "x"),
        HistoryEvent(at, HistoryKind.DONE, "posture,head", "x"),
        HistoryEvent(at, HistoryKind.REMINDER, "head", "y"),
        HistoryEvent(at, HistoryKind.LATER, "head", "y"),
        HistoryEvent(at, HistoryKind.REMINDER, "stretch", "z"),
        HistoryEvent(at, HistoryKind.EXPIRED, "stretch", "z"),
        HistoryEvent(at, HistoryKind.MICRO_BREAK_FINISHED, "stretch", "z"),  # not an outcome
        HistoryEvent(at, HistoryKind.PAUSE),
    ]
    assert by_kind(events) == {
        "head": KindStats(shown=2, done=1, later=1),
        "posture": KindStats(shown=1, done=1),
        "stretch": KindStats(shown=1, expired=1),
    }
    assert by_kind(events)["head"].acted_on == 2
