"""The App's behaviour, driven by hand: an injected clock, a timer the test fires, a real store.

The timer and the outbox here are test doubles for the APScheduler and notifier adapters,
which have their own tests against the real thing (tests/e2e).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import pytest

from deskmobility.adapters.store import Store
from deskmobility.app import App
from deskmobility.core.config import ConfigError, Problem, ReminderSettings, Settings
from deskmobility.core.kinds import ReminderKind
from tests.conftest import FakeClock
from tests.doubles import (
    HandFiredTimer,
    RecordingOutbox,
    ScriptedIdleWatch,
    SwitchableHold,
    build_app,
)

MIN = timedelta(minutes=1)


def settings(posture: int = 30, head: int = 20, stretch: int = 45) -> Settings:
    return Settings(
        reminders={
            ReminderKind.POSTURE: ReminderSettings(True, timedelta(minutes=posture)),
            ReminderKind.HEAD: ReminderSettings(True, timedelta(minutes=head)),
            ReminderKind.STRETCH: ReminderSettings(True, timedelta(minutes=stretch)),
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened, _ = Store.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def timer(clock: FakeClock) -> HandFiredTimer:
    return HandFiredTimer(clock)


@pytest.fixture
def idle(clock: FakeClock, timer: HandFiredTimer) -> ScriptedIdleWatch:
    return ScriptedIdleWatch(clock, timer)


class MakeApp(Protocol):
    """The ``make_app`` fixture: an App over the doubles, started with ``config``."""

    def __call__(
        self, config: Settings | None = None
    ) -> tuple[App, HandFiredTimer, RecordingOutbox]: ...


@pytest.fixture
def make_app(
    clock: FakeClock, store: Store, idle: ScriptedIdleWatch, timer: HandFiredTimer
) -> MakeApp:
    def make(config: Settings | None = None) -> tuple[App, HandFiredTimer, RecordingOutbox]:
        app, outbox = build_app(clock, store, timer, config or settings(), idle=idle)
        return app, timer, outbox

    return make


def test_each_kind_fires_at_its_interval_with_an_exercise(
    make_app: MakeApp, clock: FakeClock, store: Store
) -> None:
    _app, timer, outbox = make_app(settings(posture=30, head=20, stretch=45))
    start = clock.now()
    timer.run_until(start + 21 * MIN)
    assert outbox.titles() == ["Head position"]
    assert "Try: " in outbox.sent[0][1]
    timer.run_until(start + 46 * MIN)
    assert outbox.titles() == ["Head position", "Posture check", "Head position", "Stretch break"]
    history = store.history()
    assert [event.kind for event in history] == ["reminder"] * 4
    assert all(event.exercise for event in history)


def test_kinds_due_together_arrive_as_one_notification(make_app: MakeApp, clock: FakeClock) -> None:
    _app, timer, outbox = make_app(settings(posture=20, head=20, stretch=20))
    timer.run_until(clock.now() + 20 * MIN)
    assert outbox.titles() == ["Posture + head + stretch"]


def test_micro_break_guides_once_and_moves_the_stretch_reminder(
    make_app: MakeApp, clock: FakeClock, store: Store
) -> None:
    app, timer, outbox = make_app(settings(posture=600, head=600, stretch=45))
    start = clock.now()
    clock.advance(30 * MIN)
    app.start_micro_break()
    app.start_micro_break()  # a second click while it runs does nothing
    assert len(outbox.sent) == 1
    title, _ = outbox.sent[0]
    assert title.startswith("Step 1 of ")
    assert app.status().break_running

    timer.run_until(clock.now() + 10 * MIN)
    assert outbox.titles()[-1] == "Micro-break done"
    assert not app.status().break_running
    # The stretch reminder due at 45 min moved back a full interval from the break's end.
    due = dict(app.status().next_due)[ReminderKind.STRETCH]
    assert due > start + 45 * MIN + 30 * MIN
    kinds = [event.kind for event in store.history()]
    assert kinds == ["micro_break_started", "micro_break_finished"]


def test_pause_holds_reminders_and_resume_restarts_the_timers(
    make_app: MakeApp, clock: FakeClock
) -> None:
    app, timer, outbox = make_app(settings(posture=30, head=20, stretch=45))
    start = clock.now()
    app.pause_for(60 * MIN)
    assert app.status().paused_until == start + 60 * MIN
    timer.run_until(start + 59 * MIN)
    assert outbox.sent == []
    app.resume()
    assert app.status().paused_until is None
    timer.run_until(start + 59 * MIN + 21 * MIN)
    assert outbox.titles() == ["Head position"]


def test_a_pause_that_runs_out_brings_no_burst(make_app: MakeApp, clock: FakeClock) -> None:
    app, timer, outbox = make_app(settings(posture=30, head=20, stretch=45))
    start = clock.now()
    app.pause_for(120 * MIN)
    timer.run_until(start + 121 * MIN)
    assert outbox.sent == []
    timer.run_until(start + 141 * MIN)
    assert outbox.titles() == ["Head position"]


def test_pause_survives_a_restart(make_app: MakeApp, clock: FakeClock, store: Store) -> None:
    app, _, _ = make_app()
    app.pause_for(60 * MIN)
    again, _, _ = make_app()
    assert again.status().paused_until == clock.now() + 60 * MIN


def test_a_rejected_config_is_told_once(make_app: MakeApp) -> None:
    app, _, outbox = make_app()
    error = ConfigError([Problem("c.toml", 3, "reminders.head.every", "bad")])
    app.config_rejected(error)
    app.config_rejected(error)
    assert outbox.titles() == ["Config not applied"]
    assert "c.toml:3: reminders.head.every: bad" in outbox.sent[0][1]
    assert app.status().config_problem is not None


def test_new_settings_apply_and_clear_the_problem(make_app: MakeApp, clock: FakeClock) -> None:
    app, timer, outbox = make_app(settings(posture=30, head=20, stretch=45))
    app.config_rejected(ConfigError([Problem("c.toml", 1, "", "bad")]))
    app.apply_settings(settings(posture=5, head=600, stretch=600))
    assert app.status().config_problem is None
    timer.run_until(clock.now() + 6 * MIN)
    assert outbox.titles()[-1] == "Posture check"


def test_next_line_says_what_comes_next(make_app: MakeApp, clock: FakeClock) -> None:
    app, _, _ = make_app(settings(posture=30, head=20, stretch=45))
    assert app.next_line() == "Next: head position at 09:20"
    app.pause_for(60 * MIN)
    assert app.next_line().startswith("Paused until ")


def test_no_reminder_while_away_and_timers_restart_on_return(
    make_app: MakeApp, clock: FakeClock, idle: ScriptedIdleWatch, store: Store
) -> None:
    app, timer, outbox = make_app(settings(posture=30, head=20, stretch=45))
    start = clock.now()
    # Typing until 14 min, then away for an hour: "away" at 19 min, before head is due.
    timer.run_until(start + 14 * MIN)
    idle.last_input = clock.now()
    timer.run_until(start + 75 * MIN)
    assert outbox.sent == []
    assert app.status().away
    # Back at 75 min: nothing stale waits; the first reminder is a full interval later.
    idle.last_input = None
    timer.run_until(start + 76 * MIN)
    assert not app.status().away
    assert outbox.sent == []
    timer.run_until(start + 75 * MIN + 21 * MIN)
    assert outbox.titles() == ["Head position"]
    breaks = [event for event in store.history() if event.kind == "natural_break"]
    assert len(breaks) == 1


def test_a_short_absence_is_not_a_break(
    make_app: MakeApp, clock: FakeClock, idle: ScriptedIdleWatch
) -> None:
    _app, timer, outbox = make_app(settings(posture=600, head=20, stretch=600))
    start = clock.now()
    idle.last_input = start
    timer.run_until(start + 4 * MIN)  # idle 4 min, under the 5 min natural break
    idle.last_input = None
    timer.run_until(start + 21 * MIN)
    assert outbox.titles() == ["Head position"]


def test_waking_from_suspend_brings_no_burst(
    make_app: MakeApp, clock: FakeClock, idle: ScriptedIdleWatch
) -> None:
    _app, timer, outbox = make_app(settings(posture=30, head=20, stretch=45))
    start = clock.now()
    timer.run_until(start + 10 * MIN)
    clock.jump(3 * 60 * MIN)  # the lid was shut for three hours
    timer.run_until(clock.now() + 19 * MIN)
    assert outbox.sent == []
    timer.run_until(clock.now() + 2 * MIN)
    assert outbox.titles() == ["Head position"]


def held_app(
    clock: FakeClock, store: Store
) -> tuple[App, HandFiredTimer, RecordingOutbox, SwitchableHold]:
    hold = SwitchableHold()
    timer = HandFiredTimer(clock)
    app, outbox = build_app(
        clock, store, timer, settings(posture=30, head=20, stretch=45), holds=hold
    )
    return app, timer, outbox, hold


def test_do_not_disturb_defers_without_resetting_and_ends_with_one_reminder(
    clock: FakeClock, store: Store
) -> None:
    app, timer, outbox, hold = held_app(clock, store)
    start = clock.now()
    hold.reason = "do not disturb"
    timer.run_until(start + 50 * MIN)  # a 50-minute call: head, posture, stretch all fall due
    assert outbox.sent == []
    assert app.status().held == "do not disturb"
    hold.reason = None
    timer.run_until(start + 51 * MIN)
    assert outbox.titles() == ["Posture + head + stretch"]
    assert app.status().held is None


def test_a_hold_keeps_the_timers_of_kinds_not_yet_due(clock: FakeClock, store: Store) -> None:
    _app, timer, outbox, hold = held_app(clock, store)
    start = clock.now()
    hold.reason = "a fullscreen window"
    timer.run_until(start + 25 * MIN)  # head held at 20
    hold.reason = None
    timer.run_until(start + 26 * MIN)
    assert outbox.titles() == ["Head position"]
    timer.run_until(start + 31 * MIN)  # posture still at 30: the hold did not reset it
    assert outbox.titles() == ["Head position", "Posture check"]
