"""Presence: idle samples in, WentAway / CameBack out; and spotting a suspend.

Time comes from the ``clock`` fixture (a FakeClock): nothing sleeps, nothing reads the
real clock. ``advance`` lets time pass; ``jump`` moves the wall clock alone, as a suspend
does to CLOCK_MONOTONIC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from deskmobility.core.presence import (
    CameBack,
    Presence,
    PresenceEvent,
    WentAway,
    suspended_for,
)
from tests.conftest import FakeClock

BREAK = timedelta(minutes=5)
MINUTE = timedelta(minutes=1)


def test_a_user_at_the_desk_raises_no_event(clock: FakeClock) -> None:
    presence = Presence()
    for idle in (timedelta(0), timedelta(seconds=40), timedelta(minutes=4, seconds=59)):
        clock.advance(MINUTE)
        presence, event = presence.observe(clock.now(), idle, BREAK)
        assert event is None
        assert not presence.away


def test_walking_away_and_back_gives_one_went_away_then_one_came_back(clock: FakeClock) -> None:
    left_at = clock.now()
    presence = Presence()
    events: list[PresenceEvent] = []
    # Sampled once a minute: idle grows with the time since the user left.
    for _ in range(12):
        clock.advance(MINUTE)
        presence, event = presence.observe(clock.now(), clock.now() - left_at, BREAK)
        if event:
            events.append(event)
    assert events == [WentAway(since=left_at)]
    assert presence.away_since == left_at

    # Back 20 s before the next sample; idle restarted from their last keystroke.
    clock.advance(MINUTE)
    presence, event = presence.observe(clock.now(), timedelta(seconds=3), BREAK)
    assert event == CameBack(at=clock.now() - timedelta(seconds=3), away_since=left_at)
    assert event.away_for == timedelta(minutes=13) - timedelta(seconds=3)
    assert presence == Presence()


def test_idle_of_exactly_natural_break_counts_as_away(clock: FakeClock) -> None:
    presence, event = Presence().observe(clock.now(), BREAK, BREAK)
    assert event == WentAway(since=clock.now() - BREAK)
    assert presence.away


def test_unknown_samples_change_nothing_at_the_desk_or_away(clock: FakeClock) -> None:
    presence, event = Presence().observe(clock.now(), None, BREAK)
    assert (presence, event) == (Presence(), None)

    presence, _ = presence.observe(clock.now(), timedelta(minutes=7), BREAK)
    away = presence
    for _ in range(3):  # the monitor cannot tell for a while: still away, no "came back"
        clock.advance(MINUTE)
        presence, event = presence.observe(clock.now(), None, BREAK)
        assert event is None
        assert presence == away

    clock.advance(MINUTE)
    presence, event = presence.observe(clock.now(), timedelta(seconds=1), BREAK)
    assert isinstance(event, CameBack)
    assert event.away_since == away.away_since


def test_sampling_jitter_within_one_idle_stretch_raises_no_event(clock: FakeClock) -> None:
    presence, _ = Presence().observe(clock.now(), timedelta(minutes=6), BREAK)
    # The next sample's idle time is 1.5 s short of the time that passed (reading the
    # counter and the clock are two calls): the same stretch, not new input.
    clock.advance(MINUTE)
    later, event = presence.observe(
        clock.now(), timedelta(minutes=7) - timedelta(seconds=1.5), BREAK
    )
    assert event is None
    assert later == presence


def test_input_between_two_far_apart_samples_closes_the_absence_then_opens_a_new_one(
    clock: FakeClock,
) -> None:
    """Away, then asleep for an hour: the user woke the machine, typed, and left again."""
    presence, _ = Presence().observe(clock.now(), timedelta(minutes=5), BREAK)
    first_since = presence.away_since
    assert first_since is not None

    clock.advance(timedelta(hours=1))
    idle = timedelta(minutes=10)  # still over natural_break, but the stretch is a new one
    presence, event = presence.observe(clock.now(), idle, BREAK)
    assert event == CameBack(at=clock.now() - idle, away_since=first_since)
    assert not presence.away

    presence, event = presence.observe(clock.now(), idle, BREAK)
    assert event == WentAway(since=clock.now() - idle)


def test_a_negative_idle_reading_counts_as_no_idle_time(clock: FakeClock) -> None:
    presence, _ = Presence().observe(clock.now(), timedelta(minutes=9), BREAK)
    presence, event = presence.observe(clock.now(), timedelta(seconds=-2), BREAK)
    assert event == CameBack(at=clock.now(), away_since=clock.now() - timedelta(minutes=9))


def test_since_is_the_real_instant_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-03-29: clocks go from 02:00 CET to 03:00 CEST. Two real hours before 03:30
    # CEST (01:30 UTC) is 00:30 CET (23:30 UTC), not the wall-clock 01:30.
    now = datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
    _, event = Presence().observe(now, timedelta(hours=2), BREAK)
    assert isinstance(event, WentAway)
    assert event.since.astimezone(UTC) == datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert event.since.tzinfo is berlin


def test_ordinary_ticks_are_not_a_suspend(clock: FakeClock) -> None:
    before = (clock.now(), clock.monotonic())
    clock.advance(timedelta(minutes=30))
    assert suspended_for(*before, clock.now(), clock.monotonic()) is None


def test_a_suspend_shows_as_wall_time_running_ahead_of_monotonic_time(clock: FakeClock) -> None:
    before = (clock.now(), clock.monotonic())
    clock.advance(MINUTE)
    clock.jump(timedelta(hours=2))  # asleep: CLOCK_MONOTONIC stood still
    clock.advance(MINUTE)
    assert suspended_for(*before, clock.now(), clock.monotonic()) == timedelta(hours=2)


def test_small_clock_adjustments_and_a_clock_set_back_are_not_a_suspend(clock: FakeClock) -> None:
    before = (clock.now(), clock.monotonic())
    clock.advance(MINUTE)
    clock.jump(timedelta(seconds=60))  # exactly the threshold: NTP, not a suspend
    assert suspended_for(*before, clock.now(), clock.monotonic()) is None

    before = (clock.now(), clock.monotonic())
    clock.advance(MINUTE)
    clock.jump(-timedelta(hours=1))
    assert suspended_for(*before, clock.now(), clock.monotonic()) is None


def test_a_forward_clock_change_is_reported_like_a_suspend(clock: FakeClock) -> None:
    before = (clock.now(), clock.monotonic())
    clock.jump(timedelta(minutes=61))
    assert suspended_for(*before, clock.now(), clock.monotonic()) == timedelta(minutes=61)


def test_a_suspend_across_a_utc_offset_change_is_measured_in_real_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)  # CET
    after = datetime(2026, 3, 29, 4, 30, tzinfo=berlin)  # CEST: two real hours later
    assert suspended_for(before, 100.0, after, 100.0) == timedelta(hours=2)


samples = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=3600),  # seconds since the previous sample
        st.one_of(st.none(), st.integers(min_value=0, max_value=7200)),  # idle seconds
    ),
    max_size=40,
)


@given(samples)
def test_events_alternate_and_each_came_back_closes_the_last_went_away(
    steps: list[tuple[int, int | None]],
) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    presence = Presence()
    events: list[PresenceEvent] = []
    for gap, idle in steps:
        now += timedelta(seconds=gap)
        sample = None if idle is None else timedelta(seconds=idle)
        presence, event = presence.observe(now, sample, BREAK)
        if event is not None:
            events.append(event)
    for index, event in enumerate(events):
        if index % 2 == 0:
            assert isinstance(event, WentAway)
        else:
            assert isinstance(event, CameBack)
            previous = events[index - 1]
            assert isinstance(previous, WentAway)
            assert event.away_since == previous.since
            assert event.at >= event.away_since
    assert presence.away == (len(events) % 2 == 1)
