"""ReminderPlan, driven by a hand-wound clock: nothing here sleeps or reads the real time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deskmobility.core.clock import LocalOffset, SystemClock, in_zone
from deskmobility.core.config import QuietHours, ReminderSettings, Settings
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.schedule import MERGE_WINDOW, ReminderPlan
from tests.conftest import START, FakeClock

POSTURE, HEAD, STRETCH = ReminderKind.POSTURE, ReminderKind.HEAD, ReminderKind.STRETCH
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)


def plan_settings(
    posture: timedelta = 30 * MIN,
    head: timedelta = 20 * MIN,
    stretch: timedelta = 45 * MIN,
    *,
    off: tuple[ReminderKind, ...] = (),
    quiet: tuple[time, time] | None = None,
) -> Settings:
    every = {POSTURE: posture, HEAD: head, STRETCH: stretch}
    return Settings(  # eye rest, not named, keeps its default: off
        reminders={kind: ReminderSettings(kind not in off, every[kind]) for kind in every},
        quiet_hours=QuietHours(*quiet) if quiet else None,
    )


def at(hour: int, minute: int = 0, *, day: int = 0) -> datetime:
    """A wall-clock time on the clock's first day (or ``day`` days later), in its timezone."""
    return START.replace(hour=hour, minute=minute) + timedelta(days=day)


Fired = list[tuple[datetime, tuple[ReminderKind, ...]]]


def run_timer(
    plan: ReminderPlan, clock: FakeClock, until: datetime, limit: int = 1000
) -> tuple[ReminderPlan, Fired]:
    """Act as the timer adapter does: wake at the soonest due time, notify, restart what fired.

    Stops at ``until`` or after ``limit`` notifications.
    """
    fired: Fired = []
    while len(fired) < limit and plan.upcoming() and (wake := plan.upcoming()[0][1]) <= until:
        clock.advance(max(timedelta(0), wake - clock.now()))
        kinds = plan.due_now(clock.now())
        assert kinds, f"the timer woke at {clock.now()} for a reminder that is not due"
        fired.append((clock.now(), kinds))
        plan = plan.restarted(kinds, clock.now())
    clock.advance(max(timedelta(0), until - clock.now()))
    return plan, fired


def times_of(fired: Fired, kind: ReminderKind) -> list[datetime]:
    return [when for when, kinds in fired if kind in kinds]


# --- first reminders and switched-off kinds ----------------------------------------


def test_each_kind_is_first_due_one_interval_after_the_start(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start)
    assert plan.upcoming() == (
        (HEAD, start + 20 * MIN),
        (POSTURE, start + 30 * MIN),
        (STRETCH, start + 45 * MIN),
    )


def test_nothing_is_due_until_the_first_interval_is_nearly_over(clock: FakeClock) -> None:
    plan = ReminderPlan.start(plan_settings(), clock.now())
    clock.advance(19 * MIN - S)
    assert plan.due_now(clock.now()) == ()
    clock.advance(S)
    assert plan.due_now(clock.now()) == (HEAD,)  # 20m is within the minute's merge window


def test_a_switched_off_kind_is_never_due(clock: FakeClock) -> None:
    plan = ReminderPlan.start(plan_settings(off=(HEAD,)), clock.now())
    assert plan.next_due(HEAD) is None
    assert HEAD not in dict(plan.upcoming())
    _, fired = run_timer(plan, clock, clock.now() + 8 * H)
    assert fired
    assert times_of(fired, HEAD) == []


def test_with_every_kind_switched_off_nothing_is_ever_due(clock: FakeClock) -> None:
    plan = ReminderPlan.start(plan_settings(off=tuple(ReminderKind)), clock.now())
    clock.advance(24 * H)
    assert plan.upcoming() == ()
    assert plan.due_now(clock.now()) == ()


# --- merging kinds that fall due together ------------------------------------------


def test_kinds_due_within_the_merge_window_arrive_together(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(20 * MIN, 20 * MIN + 30 * S, 21 * MIN), start)
    assert MERGE_WINDOW == MIN
    assert plan.due_now(start + 20 * MIN) == (POSTURE, HEAD, STRETCH)  # 20m, 20m30s, 21m


def test_a_kind_due_just_beyond_the_merge_window_waits_its_turn(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(20 * MIN, 20 * MIN + 30 * S, 21 * MIN + S), start)
    assert plan.due_now(start + 20 * MIN) == (POSTURE, HEAD)
    assert plan.due_now(start + 20 * MIN + S) == (POSTURE, HEAD, STRETCH)


def test_the_merge_window_is_a_tenth_of_the_shortest_interval_when_that_is_less(
    clock: FakeClock,
) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(10 * S, 11 * S, 12 * S), start)
    assert plan.due_now(start + 10 * S) == (POSTURE, HEAD)  # window 1s: 11s in, 12s out


def test_a_switched_off_kind_does_not_shrink_the_merge_window(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(20 * MIN, 20 * MIN + 50 * S, S, off=(STRETCH,)), start)
    assert plan.due_now(start + 20 * MIN) == (POSTURE, HEAD)


def test_a_late_check_reports_every_overdue_kind_once(clock: FakeClock) -> None:
    plan = ReminderPlan.start(plan_settings(), clock.now())
    clock.jump(3 * H)  # a suspend: the wall clock moved, the timer did not wake
    assert plan.due_now(clock.now()) == (HEAD, POSTURE, STRETCH)


# --- restarting, pausing, resuming -------------------------------------------------


def test_restarting_a_kind_moves_it_back_a_full_interval(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start)
    clock.advance(40 * MIN)
    plan = plan.restarted([STRETCH], clock.now())
    assert plan.next_due(STRETCH) == start + 40 * MIN + 45 * MIN
    assert plan.next_due(HEAD) == start + 20 * MIN  # others keep their timers
    assert plan.next_due(POSTURE) == start + 30 * MIN


def test_a_pause_holds_every_reminder_even_overdue_ones(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start).paused(until=start + 2 * H)
    for minutes in range(0, 120, 5):
        now = start + minutes * MIN
        assert plan.is_paused(now)
        assert plan.due_now(now) == ()
    assert not plan.is_paused(start + 2 * H)


def test_timers_restart_when_a_pause_ends_so_there_is_no_burst(clock: FakeClock) -> None:
    start = clock.now()
    end = start + 2 * H
    plan = ReminderPlan.start(plan_settings(), start).paused(until=end)
    assert plan.due_now(end) == ()
    _, fired = run_timer(plan, clock, end + H)
    assert fired == [
        (end + 20 * MIN, (HEAD,)),
        (end + 30 * MIN, (POSTURE,)),
        (end + 40 * MIN, (HEAD,)),
        (end + 45 * MIN, (STRETCH,)),
        (end + 60 * MIN, (POSTURE, HEAD)),
    ]


def test_a_short_pause_also_restarts_the_timers_at_its_end(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start).paused(until=start + 10 * MIN)
    assert plan.next_due(HEAD) == start + 30 * MIN  # not 20m: the pause was a rest


def test_resuming_early_restarts_the_timers_from_then(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start).paused(until=start + 2 * H)
    clock.advance(25 * MIN)
    plan = plan.resumed(clock.now())
    assert not plan.is_paused(clock.now())
    assert plan.paused_until is None
    assert plan.upcoming() == (
        (HEAD, start + 45 * MIN),
        (POSTURE, start + 55 * MIN),
        (STRETCH, start + 70 * MIN),
    )


# --- new settings ------------------------------------------------------------------


def test_new_settings_keep_the_timers_of_unchanged_kinds(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start)
    clock.advance(10 * MIN)
    plan = plan.with_settings(plan_settings(stretch=1 * H), clock.now())
    assert plan.next_due(HEAD) == start + 20 * MIN
    assert plan.next_due(POSTURE) == start + 30 * MIN
    assert plan.next_due(STRETCH) == clock.now() + H  # changed: starts afresh


def test_switching_a_kind_on_starts_its_timer_then(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(off=(HEAD,)), start)
    clock.advance(50 * MIN)
    plan = plan.with_settings(plan_settings(), clock.now())
    assert plan.next_due(HEAD) == clock.now() + 20 * MIN
    assert plan.next_due(POSTURE) == start + 30 * MIN  # overdue still: unchanged


def test_new_settings_do_not_end_a_pause(clock: FakeClock) -> None:
    start = clock.now()
    plan = ReminderPlan.start(plan_settings(), start).paused(until=start + H)
    plan = plan.with_settings(plan_settings(head=10 * MIN), start + 5 * MIN)
    assert plan.is_paused(start + 30 * MIN)
    assert plan.next_due(HEAD) == start + H + 10 * MIN


# --- quiet hours -------------------------------------------------------------------


def test_nothing_is_due_inside_same_day_quiet_hours(clock: FakeClock) -> None:
    plan = ReminderPlan.start(plan_settings(quiet=(time(12), time(13))), clock.now())
    _, fired = run_timer(plan, clock, at(15))
    assert all(not time(12) <= when.time() < time(13) for when, _ in fired)
    # 12:00 was due for all three (start of the window counts as inside): each waits
    # one interval after the window ends.
    assert next(when for when in times_of(fired, HEAD) if when.hour >= 12) == at(13, 20)
    assert next(when for when in times_of(fired, POSTURE) if when.hour >= 12) == at(13, 30)
    assert next(when for when in times_of(fired, STRETCH) if when.hour >= 12) == at(13, 45)


def test_nothing_is_due_inside_quiet_hours_that_cross_midnight(clock: FakeClock) -> None:
    clock.advance(8 * H)  # 17:00
    plan = ReminderPlan.start(plan_settings(quiet=(time(18), time(8))), clock.now())
    _, fired = run_timer(plan, clock, at(9, day=1))
    assert fired == [
        (at(17, 20), (HEAD,)),
        (at(17, 30), (POSTURE,)),
        (at(17, 40), (HEAD,)),
        (at(17, 45), (STRETCH,)),
        (at(8, 20, day=1), (HEAD,)),
        (at(8, 30, day=1), (POSTURE,)),
        (at(8, 40, day=1), (HEAD,)),
        (at(8, 45, day=1), (STRETCH,)),
        (at(9, day=1), (POSTURE, HEAD)),
    ]


def test_a_timer_that_runs_out_after_midnight_waits_for_the_morning(clock: FakeClock) -> None:
    start = at(23, 50)
    plan = ReminderPlan.start(plan_settings(quiet=(time(22), time(7))), start)
    assert plan.next_due(HEAD) == at(7, 20, day=1)


def test_a_reminder_due_as_quiet_hours_end_is_not_held(clock: FakeClock) -> None:
    start = at(12, 40)
    plan = ReminderPlan.start(plan_settings(quiet=(time(12), time(13))), start)
    assert plan.next_due(HEAD) == at(13)  # the window's end is outside it


def test_quiet_hours_ending_on_seconds_are_honoured(clock: FakeClock) -> None:
    start = at(18)
    settings = plan_settings(10 * S, 10 * S, 10 * S, quiet=(time(18), time(8, 0, 30)))
    plan = ReminderPlan.start(settings, start)
    end = at(8, day=1) + 30 * S
    assert plan.next_due(HEAD) == end + 10 * S


@pytest.mark.parametrize("every", [10 * H, 12 * H, 23 * H])
def test_an_interval_longer_than_the_day_between_quiet_hours_comes_as_they_end(
    clock: FakeClock, every: timedelta
) -> None:
    # From 08:00 such an interval always ends in the next night's quiet hours, so
    # restarting the timer at the window's end would put it off forever.
    settings = plan_settings(every, every, every, quiet=(time(18), time(8)))
    plan = ReminderPlan.start(settings, clock.now())
    _, fired = run_timer(plan, clock, at(9, day=4))
    assert fired == [(at(8, day=day), (POSTURE, HEAD, STRETCH)) for day in (1, 2, 3, 4)]


# --- a day at the desk -------------------------------------------------------------


def test_a_work_day_with_the_default_intervals(clock: FakeClock) -> None:
    plan = ReminderPlan.start(plan_settings(), clock.now())  # 09:00, 30/20/45 minutes
    _, fired = run_timer(plan, clock, at(17))
    counts = {kind: len(times_of(fired, kind)) for kind in ReminderKind}
    assert counts == {HEAD: 24, POSTURE: 16, STRETCH: 10, ReminderKind.EYES: 0}
    # 50 reminders, 13 of them sharing a notification: every hour head and posture
    # coincide, and at 10:30, 12:00 (all three), 13:30, 15:00 (all three), 16:30 too.
    assert len(fired) == 37
    assert fired[0] == (at(9, 20), (HEAD,))
    assert fired[-1] == (at(17), (POSTURE, HEAD))
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(fired)]
    assert min(gaps) >= MERGE_WINDOW


def test_eye_rest_is_off_by_default_and_runs_on_its_own_timer_when_on(clock: FakeClock) -> None:
    assert Settings().interval(ReminderKind.EYES) is None
    on = Settings(reminders={ReminderKind.EYES: ReminderSettings(True, 20 * MIN)})
    plan = ReminderPlan.start(on, clock.now())
    assert plan.next_due(ReminderKind.EYES) == at(9, 20)
    _, fired = run_timer(plan, clock, at(10))
    # Eye rest falls due with the head reminder (both every 20 minutes): one notification.
    assert [kinds for _, kinds in fired if ReminderKind.EYES in kinds] == [
        (HEAD, ReminderKind.EYES),
        (HEAD, ReminderKind.EYES),
        (POSTURE, HEAD, ReminderKind.EYES),
    ]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(10, 3 * 3600), min_size=3, max_size=3),
    st.sets(st.sampled_from([POSTURE, HEAD, STRETCH]), max_size=2),
)
def test_notifications_are_never_closer_than_the_merge_window(
    seconds: list[int], off: set[ReminderKind]
) -> None:
    clock = FakeClock()
    every = [timedelta(seconds=n) for n in seconds]
    plan = ReminderPlan.start(plan_settings(*every, off=tuple(off)), clock.now())
    kinds = (POSTURE, HEAD, STRETCH)
    on = [interval for interval, kind in zip(every, kinds, strict=True) if kind not in off]
    window = min([MERGE_WINDOW, *(interval / 10 for interval in on)])
    _, fired = run_timer(plan, clock, START + 8 * H, limit=150)
    for (earlier, _), (later, _) in itertools.pairwise(fired):
        assert later - earlier > window
    for kind, interval in zip((POSTURE, HEAD, STRETCH), every, strict=True):
        times = [START, *times_of(fired, kind)]
        for earlier, later in itertools.pairwise(times):
            # never late, and early only by merging with another kind
            assert interval - window <= later - earlier <= interval


_MINUTE_OF_DAY = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@settings(max_examples=100, deadline=None)
@given(
    st.tuples(_MINUTE_OF_DAY, _MINUTE_OF_DAY).filter(lambda window: window[0] != window[1]),
    st.lists(st.integers(60, 24 * 3600), min_size=3, max_size=3),
    st.integers(0, 24 * 60 - 1),
)
def test_no_notification_ever_comes_in_quiet_hours(
    window: tuple[time, time], seconds: list[int], start_minute: int
) -> None:
    clock = FakeClock(START + start_minute * MIN)
    every = [timedelta(seconds=n) for n in seconds]
    plan = ReminderPlan.start(plan_settings(*every, quiet=window), clock.now())
    _, fired = run_timer(plan, clock, clock.now() + 72 * H, limit=100)
    quiet = QuietHours(*window)
    assert [when for when, _ in fired if quiet.contains(when.time())] == []


# --- quiet hours across a daylight-saving change (SystemClock's times, a real zone) ------

BERLIN = pytest.importorskip("zoneinfo").ZoneInfo("Europe/Berlin")
AUTUMN_CHANGE = datetime(2026, 10, 25, 1, tzinfo=UTC)  # 03:00 +02:00 becomes 02:00 +01:00
SPRING_CHANGE = datetime(2026, 3, 29, 1, tzinfo=UTC)  # 02:00 +01:00 becomes 03:00 +02:00


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin, as SystemClock gives it (the offset in force then)."""
    return in_zone(datetime(year, month, day, hour, minute, tzinfo=BERLIN), BERLIN)


def test_system_clock_times_have_the_offset_in_force_and_remember_the_zone() -> None:
    now = SystemClock().now()
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
    assert now.utcoffset() == datetime.now(UTC).astimezone().utcoffset()
    assert isinstance(now.tzinfo, LocalOffset)
    assert now.tzinfo.zone is None  # the operating system's zone
    in_berlin = SystemClock(BERLIN).now()
    assert abs(in_berlin - now) < timedelta(seconds=5)
    assert in_berlin.utcoffset() == datetime.now(BERLIN).utcoffset()


def test_adding_to_a_system_clock_time_is_exact_across_the_change() -> None:
    """What the App does with ``now + a minute`` and ``due - now`` (a real zone as tzinfo
    would make that wall-clock arithmetic: an hour and a minute, here)."""
    before = in_zone(AUTUMN_CHANGE - 30 * S, BERLIN)
    assert before.isoformat() == "2026-10-25T02:59:30+02:00"
    assert before + MIN == AUTUMN_CHANGE + 30 * S
    after = in_zone(AUTUMN_CHANGE + 10 * MIN, BERLIN)
    assert after.isoformat() == "2026-10-25T02:10:00+01:00"
    assert after - before == 10 * MIN + 30 * S
    assert before < after


@pytest.mark.parametrize(
    ("start", "first_head"),
    [
        (berlin(2026, 10, 24, 17, 50), berlin(2026, 10, 25, 8, 20)),  # autumn: 08:20 +01:00
        (berlin(2026, 3, 28, 17, 50), berlin(2026, 3, 29, 8, 20)),  # spring: 08:20 +02:00
    ],
    ids=["autumn", "spring"],
)
def test_quiet_hours_end_in_local_time_after_a_dst_change(
    start: datetime, first_head: datetime
) -> None:
    plan = ReminderPlan.start(plan_settings(quiet=(time(18), time(8))), start)
    due = plan.next_due(HEAD)
    assert due == first_head
    assert due is not None
    assert (due.time(), due.utcoffset()) == (time(8, 20), first_head.utcoffset())


def test_an_interval_across_the_change_is_real_time() -> None:
    start = in_zone(AUTUMN_CHANGE - 10 * MIN, BERLIN)  # 02:50 +02:00
    due = ReminderPlan.start(plan_settings(), start).next_due(HEAD)
    assert due == AUTUMN_CHANGE + 10 * MIN
    assert due is not None
    assert due.isoformat() == "2026-10-25T02:10:00+01:00"


def test_quiet_hours_ending_in_the_repeated_hour_end_the_first_time() -> None:
    start = berlin(2026, 10, 24, 23, 50)
    due = ReminderPlan.start(plan_settings(quiet=(time(22), time(2, 30))), start).next_due(HEAD)
    assert due is not None
    assert due.isoformat() == "2026-10-25T02:50:00+02:00"


def test_quiet_hours_ending_in_the_skipped_hour_end_after_the_change() -> None:
    start = berlin(2026, 3, 28, 23, 50)
    due = ReminderPlan.start(plan_settings(quiet=(time(22), time(2, 30))), start).next_due(HEAD)
    assert due is not None
    assert due.isoformat() == "2026-03-29T03:50:00+02:00"


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([AUTUMN_CHANGE, SPRING_CHANGE]),
    st.integers(-36 * 60, 12 * 60),
    st.tuples(_MINUTE_OF_DAY, _MINUTE_OF_DAY).filter(lambda window: window[0] != window[1]),
    st.integers(60, 24 * 3600),
)
def test_a_reminder_across_a_dst_change_never_comes_in_local_quiet_hours(
    change: datetime, start_minute: int, window: tuple[time, time], seconds: int
) -> None:
    # Quiet hours ending in the hour the spring change skips end an hour late (the clock
    # never reads their end): with a window of nearly a day, that can be in quiet hours.
    assume(change != SPRING_CHANGE or not time(2) <= window[1] < time(3))
    start = in_zone(change + start_minute * MIN, BERLIN)
    every = timedelta(seconds=seconds)
    plan = ReminderPlan.start(plan_settings(every, every, every, quiet=window), start)
    due = plan.next_due(HEAD)
    assert due is not None
    assert due - start >= every
    assert due.utcoffset() == datetime.fromtimestamp(due.timestamp(), BERLIN).utcoffset()
    assert not QuietHours(*window).contains(due.time()), due.isoformat()
