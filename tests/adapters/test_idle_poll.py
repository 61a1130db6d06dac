"""The polling IdleWatch, one look at a time: a scripted idle reading, no thread, no sleep."""

from __future__ import annotations

import threading
from datetime import timedelta

from deskmobility.adapters.idle.poll import LOOK_MARGIN, PollingIdleWatch
from deskmobility.core.presence import Presence
from tests.conftest import START

BREAK = timedelta(minutes=5)


class ScriptedMonitor:
    """An IdleMonitor whose reading the test sets (the real ones are tested in e2e)."""

    name = "scripted"
    REPORTS_IDLE = True

    def __init__(self) -> None:
        self.idle: timedelta | None = timedelta(0)

    def idle_for(self) -> timedelta | None:
        return self.idle

    def probe(self) -> str | None:
        return None

    def close(self) -> None:
        pass


def test_at_the_desk_the_next_look_is_when_an_absence_could_first_count() -> None:
    monitor = ScriptedMonitor()
    watch = PollingIdleWatch(monitor, now=lambda: START)
    monitor.idle = timedelta(minutes=2)
    calls: list[str] = []
    presence, wait = watch.look(Presence(), BREAK, lambda idle: calls.append("away"), calls.clear)
    assert wait == timedelta(minutes=3) + LOOK_MARGIN
    assert not presence.away
    assert calls == []


def test_away_then_back_calls_each_once_and_looks_every_minute_while_away() -> None:
    monitor = ScriptedMonitor()
    watch = PollingIdleWatch(monitor, now=lambda: START)
    calls: list[object] = []
    monitor.idle = timedelta(minutes=6)
    presence, wait = watch.look(Presence(), BREAK, calls.append, lambda: calls.append("back"))
    assert calls == [timedelta(minutes=6)]
    assert wait == LOOK_MARGIN
    presence, _ = watch.look(presence, BREAK, calls.append, lambda: calls.append("back"))
    assert calls == [timedelta(minutes=6)]  # still away: no second call
    monitor.idle = timedelta(seconds=3)
    presence, _ = watch.look(presence, BREAK, calls.append, lambda: calls.append("back"))
    assert calls == [timedelta(minutes=6), "back"]
    assert not presence.away


def test_an_unreadable_idle_time_changes_nothing_and_looks_again_soon() -> None:
    monitor = ScriptedMonitor()
    monitor.idle = None
    watch = PollingIdleWatch(monitor, now=lambda: START)
    calls: list[object] = []
    presence, wait = watch.look(Presence(), BREAK, calls.append, lambda: calls.append("back"))
    assert (presence, wait, calls) == (Presence(), LOOK_MARGIN, [])


def test_a_failing_callback_is_logged_and_the_watch_goes_on() -> None:
    monitor = ScriptedMonitor()
    watch = PollingIdleWatch(monitor, now=lambda: START)
    monitor.idle = timedelta(minutes=6)

    def broken(_idle: timedelta) -> None:
        raise RuntimeError("boom")

    presence, wait = watch.look(Presence(), BREAK, broken, lambda: None)
    assert presence.away
    assert wait == LOOK_MARGIN


def test_close_wakes_the_waiting_thread_at_once() -> None:
    monitor = ScriptedMonitor()
    watch = PollingIdleWatch(monitor, now=lambda: START)
    watch.watch(BREAK, lambda _idle: None, lambda: None)  # next look in about 6 minutes
    watch.close()
    assert not any(t.name == "idle-poll" for t in threading.enumerate())
