"""The adaptive-poll idle watch, driven through ``look()`` with a fake reading and clock.

No thread runs and nothing sleeps: each test sets what the idle source reads and what the
clock says, calls ``look()``, and checks what was reported and when the next look is due.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from deskmobility.adapters.idle.polling import (
    AWAY_LOOK,
    MIN_LOOK,
    UNREADABLE_LOOK,
    PollingIdleWatch,
)

AWAY_AFTER = timedelta(minutes=5)


class FakeReading:
    """An IdleMonitor whose reading the test sets."""

    name = "fake"
    REPORTS_IDLE = True

    def __init__(self) -> None:
        self.idle: timedelta | None = timedelta(0)
        self.reads = 0
        self.closed = False

    def idle_for(self) -> timedelta | None:
        self.reads += 1
        return self.idle

    def probe(self) -> str | None:
        return None

    def close(self) -> None:
        self.closed = True


class FakeClock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, span: timedelta) -> None:
        self.seconds += span.total_seconds()


class Scenario:
    """A watch on a fake reading, and what it reported."""

    def __init__(self) -> None:
        self.reading = FakeReading()
        self.clock = FakeClock()
        self.reports: list[object] = []
        self.watch = PollingIdleWatch(self.reading, self.clock, start_thread=False)
        self.watch.watch(AWAY_AFTER, self.reports.append, lambda: self.reports.append("back"))

    def after(self, span: timedelta, idle: timedelta | None) -> timedelta:
        """Let ``span`` pass, with the source then reading ``idle``; look; the next delay."""
        self.clock.advance(span)
        self.reading.idle = idle
        return self.watch.look()


def test_a_person_at_the_desk_is_looked_at_once_per_threshold():
    s = Scenario()
    assert s.after(timedelta(0), timedelta(seconds=20)) == AWAY_AFTER - timedelta(seconds=20)
    # They kept working: at that moment the idle time is small again.
    delay = s.after(timedelta(minutes=4, seconds=40), timedelta(seconds=3))
    assert delay == AWAY_AFTER - timedelta(seconds=3)
    assert s.reports == []
    assert s.reading.reads == 2


def test_the_look_falls_when_an_absence_could_first_reach_the_threshold():
    s = Scenario()
    assert s.after(timedelta(0), timedelta(minutes=2)) == timedelta(minutes=3)
    # Nobody touched anything: exactly at the threshold now.
    assert s.after(timedelta(minutes=3), AWAY_AFTER) == AWAY_LOOK
    assert s.reports == [AWAY_AFTER]


def test_while_away_it_looks_each_minute_and_notices_the_return():
    s = Scenario()
    s.after(timedelta(0), timedelta(minutes=6))
    assert s.reports == [timedelta(minutes=6)]
    assert s.after(AWAY_LOOK, timedelta(minutes=7)) == AWAY_LOOK  # still away
    assert s.after(AWAY_LOOK, timedelta(seconds=12)) == AWAY_AFTER - timedelta(seconds=12)
    assert s.reports == [timedelta(minutes=6), "back"]


def test_a_return_and_a_new_absence_between_two_looks_counts_as_back():
    s = Scenario()
    s.after(timedelta(0), timedelta(minutes=5))
    # Back for a moment, then away again: idle reads above the threshold, yet far below
    # the 5 min + 10 min it would read had nobody touched anything.
    s.after(timedelta(minutes=10), timedelta(minutes=6))
    assert s.reports == [timedelta(minutes=5), "back"]


def test_a_reading_just_below_the_threshold_does_not_spin():
    s = Scenario()
    assert s.after(timedelta(0), AWAY_AFTER - timedelta(milliseconds=5)) == MIN_LOOK


def test_an_unreadable_source_waits_and_reports_nothing():
    s = Scenario()
    assert s.after(timedelta(0), None) == UNREADABLE_LOOK
    s.after(timedelta(0), timedelta(minutes=5))
    assert s.after(AWAY_LOOK, None) == AWAY_LOOK  # away stays away while unreadable
    assert s.reports == [timedelta(minutes=5)]


def test_a_threshold_shorter_than_a_minute_is_looked_at_that_often():
    s = Scenario()
    s.watch.watch(timedelta(seconds=10), s.reports.append, lambda: s.reports.append("back"))
    assert s.after(timedelta(0), timedelta(seconds=10)) == timedelta(seconds=10)
    assert s.reports == [timedelta(seconds=10)]


def test_a_new_watch_starts_over_with_the_new_threshold():
    s = Scenario()
    s.after(timedelta(0), timedelta(minutes=6))
    s.watch.watch(timedelta(minutes=10), s.reports.append, lambda: s.reports.append("back"))
    assert s.after(timedelta(0), timedelta(minutes=6)) == timedelta(minutes=4)
    assert s.reports == [timedelta(minutes=6)]


def test_a_failing_callback_does_not_stop_the_watch():
    s = Scenario()

    def broken(_idle: timedelta) -> None:
        raise RuntimeError("boom")

    s.watch.watch(AWAY_AFTER, broken, lambda: None)
    assert s.after(timedelta(0), timedelta(minutes=9)) == AWAY_LOOK


def test_close_stops_the_thread_at_once_and_closes_the_source():
    reading = FakeReading()
    reading.idle = timedelta(0)
    watch = PollingIdleWatch(reading)
    looked = threading.Event()
    watch.watch(AWAY_AFTER, lambda _idle: None, looked.set)
    watch.close()  # the thread waits up to 5 minutes for its next look: close wakes it
    assert reading.closed
    assert not any(t.name == "idle-fake" for t in threading.enumerate())
    assert watch.mode.startswith("poll (fake")
