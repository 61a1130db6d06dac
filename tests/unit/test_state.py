"""The core's decisions, called directly: no App, no timer, no store, no lock, no threads.

Each test builds an ``AppState``, feeds ``step`` events at chosen times and reads the new
state, the effects and ``alarms``.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from deskmobility.core.actions import Action
from deskmobility.core.config import ReminderSettings, Settings
from deskmobility.core.events import (
    CameBack,
    ClockChanged,
    ConfigRejected,
    Due,
    Effect,
    Event,
    Log,
    MicroBreakRequested,
    MicroBreakStepDue,
    Notify,
    PauseEnded,
    PauseRequested,
    ProblemFound,
    Record,
    ResumeRequested,
    Said,
    SavePause,
    SettingsChanged,
    Started,
    WentAway,
)
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.state import AppState, alarms, wants_hold_check
from deskmobility.core.status import held_line, next_line, status_lines, status_of, today_line
from deskmobility.core.step import step
from tests.conftest import START

MIN = timedelta(minutes=1)


def settings(posture: int = 30, head: int = 20, stretch: int = 45) -> Settings:
    return Settings(
        reminders={
            ReminderKind.POSTURE: ReminderSettings(True, posture * MIN),
            ReminderKind.HEAD: ReminderSettings(True, head * MIN),
            ReminderKind.STRETCH: ReminderSettings(True, stretch * MIN),
        }
    )


class Run:
    """A state moved through events on a hand-written timeline (wall and monotonic)."""

    def __init__(self, state: AppState | None = None) -> None:
        self.state = state or AppState.begin(settings(), START)
        self.now = START
        self.mono = 1000.0
        self.rng = random.Random(3)  # noqa: S311  # seeded: repeatable exercise choices
        self.effects: list[Effect] = []
        self.feed(Started())

    def at(self, minutes: float, event: Event) -> list[Effect]:
        """Let time pass to ``minutes`` after START, then feed ``event``."""
        target = START + minutes * MIN
        self.mono += (target - self.now).total_seconds()
        self.now = target
        return self.feed(event)

    def feed(self, event: Event) -> list[Effect]:
        self.state, effects = step(
            self.state, event, now=self.now, monotonic=self.mono, rng=self.rng
        )
        self.effects += effects
        return effects


def shown(effects: list[Effect]) -> list[str]:
    return [e.title for e in effects if isinstance(e, Notify)]


def recorded(effects: list[Effect]) -> list[HistoryKind]:
    return [e.event.kind for e in effects if isinstance(e, Record)]


def test_alarms_point_at_each_kinds_next_due_time() -> None:
    run = Run()
    wanted = alarms(run.state)
    assert wanted["reminder-head"] == START + 20 * MIN
    assert wanted["reminder-posture"] == START + 30 * MIN
    assert wanted["reminder-stretch"] == START + 45 * MIN
    assert wanted["held"] is None
    assert wanted["micro-break-step"] is None


def test_a_due_reminder_is_recorded_before_it_is_shown_and_restarts_its_timer() -> None:
    run = Run()
    effects = run.at(20, Due())
    assert shown(effects) == ["Head position"]
    kinds = [type(e) for e in effects if isinstance(e, Record | Notify)]
    assert kinds == [Record, Notify]
    assert recorded(effects) == [HistoryKind.REMINDER]
    assert alarms(run.state)["reminder-head"] == START + 40 * MIN


def test_a_held_reminder_waits_keeps_its_time_and_rechecks() -> None:
    run = Run()
    assert wants_hold_check(run.state, START + 20 * MIN)
    effects = run.at(20, Due(held="do not disturb"))
    assert shown(effects) == []
    assert run.state.held == "do not disturb"
    wanted = alarms(run.state)
    assert wanted["reminder-head"] is None  # waits for the hold to end
    assert wanted["held"] == START + 20.5 * MIN
    assert run.state.plan.next_due(ReminderKind.HEAD) == START + 20 * MIN  # not reset
    assert shown(run.at(31, Due(held=None))) == ["Posture + head"]


def test_no_hold_check_when_nothing_is_due_or_the_person_is_away() -> None:
    run = Run()
    assert not wants_hold_check(run.state, START + 10 * MIN)
    run.at(14, WentAway(5 * MIN))
    assert not wants_hold_check(run.state, START + 20 * MIN)


def test_an_absence_waits_then_counts_as_a_break() -> None:
    run = Run()
    run.at(14, WentAway(5 * MIN))
    assert run.state.away_since == START + 9 * MIN
    assert alarms(run.state)["reminder-head"] is None
    effects = run.at(70, CameBack())
    assert recorded(effects) == [HistoryKind.NATURAL_BREAK]
    assert alarms(run.state)["reminder-head"] == START + 90 * MIN
    assert run.state.today.breaks == 1


def test_a_suspend_restarts_every_timer_whatever_the_event() -> None:
    run = Run()
    run.now += 3 * 60 * MIN  # wall time moves, monotonic time stood still
    effects = run.feed(Due())
    assert recorded(effects) == [HistoryKind.SUSPEND]
    assert shown(effects) == []
    assert alarms(run.state)["reminder-head"] == run.now + 20 * MIN


def test_a_clock_set_back_moves_the_plan_with_it() -> None:
    run = Run()
    run.at(10, Started())
    run.now -= 60 * MIN  # set back an hour at 10 min: the clock reads START - 50 min
    effects = run.feed(ClockChanged())
    assert recorded(effects) == [HistoryKind.CLOCK_SET_BACK]
    # Head was due 10 real minutes from now, and still is.
    assert alarms(run.state)["reminder-head"] == run.now + 10 * MIN


def test_a_small_clock_wobble_changes_nothing() -> None:
    run = Run()
    run.at(10, Started())
    run.now -= 30 * timedelta(seconds=1)
    assert recorded(run.feed(ClockChanged())) == []
    assert alarms(run.state)["reminder-head"] == START + 20 * MIN


def test_a_micro_break_runs_once_step_by_step_in_one_slot_and_ends_with_a_note() -> None:
    run = Run()
    started = run.at(5, MicroBreakRequested())
    [first] = [e for e in started if isinstance(e, Notify)]
    assert first.title.startswith("Step 1 of ")
    assert (first.slot, first.actions) == ("micro-break", (Action.STOP, Action.DONE))
    again = run.at(5.5, MicroBreakRequested())
    assert shown(again) == []
    assert Said("A micro-break is already running") in again
    session = run.state.session
    assert session is not None
    steps = []
    while (due := alarms(run.state)["micro-break-step"]) is not None:
        steps += [
            e for e in run.at((due - START) / MIN, MicroBreakStepDue()) if isinstance(e, Notify)
        ]
    assert [n.slot for n in steps] == ["micro-break"] * len(session.steps)
    assert [n.title.split(":")[0] for n in steps[:-1]] == [
        f"Step {i} of {len(session.steps)}" for i in range(2, len(session.steps) + 1)
    ]
    assert steps[-1].title == "Micro-break done"
    assert steps[-1].actions == (Action.ANOTHER, Action.DONE)
    assert recorded(run.effects).count(HistoryKind.MICRO_BREAK_FINISHED) == 1
    assert run.state.session is None


def test_pause_is_saved_and_a_pause_that_runs_out_brings_no_burst() -> None:
    run = Run()
    effects = run.at(0, PauseRequested(START + 120 * MIN))
    assert SavePause(START + 120 * MIN) in effects
    assert alarms(run.state)["pause-end"] == START + 120 * MIN
    assert shown(run.at(20, Due())) == []
    ended = run.at(120, PauseEnded())
    assert SavePause(None) in ended
    wanted = alarms(run.state)
    assert wanted["pause-end"] is None
    assert wanted["reminder-head"] == START + 140 * MIN


def test_resume_restarts_every_timer_now() -> None:
    run = Run()
    run.at(0, PauseRequested(START + 120 * MIN))
    effects = run.at(30, ResumeRequested())
    assert SavePause(None) in effects
    assert recorded(effects) == [HistoryKind.RESUME]
    assert alarms(run.state)["reminder-head"] == START + 50 * MIN


def test_a_rejected_config_is_told_once_and_cleared_by_a_good_one() -> None:
    run = Run()
    first = run.feed(ConfigRejected("c.toml:3: reminders.head.every: bad"))
    assert shown(first) == ["Config not applied"]
    assert shown(run.feed(ConfigRejected("c.toml:3: reminders.head.every: bad"))) == []
    assert held_line(status_of(run.state, run.now)) == (
        "Config has errors: the last good settings are in use"
    )
    run.feed(SettingsChanged(settings(posture=5, head=600, stretch=600)))
    assert run.state.config_problem is None
    assert alarms(run.state)["reminder-posture"] == START + 5 * MIN


def test_a_problem_is_told_once_per_distinct_text() -> None:
    run = Run()
    assert shown(run.feed(ProblemFound("History", "disk full"))) == ["History"]
    assert shown(run.feed(ProblemFound("History", "disk full"))) == []
    assert shown(run.feed(ProblemFound("History", "locked"))) == ["History"]


def test_reminders_are_fresh_only_within_the_merge_window() -> None:
    run = Run()
    [notify] = [e for e in run.at(20, Due()) if isinstance(e, Notify)]
    assert notify.slot == "head"
    assert notify.fresh_for == timedelta(minutes=1)


def test_status_words_the_same_lines_for_tray_and_command_line() -> None:
    run = Run()
    run.at(14, WentAway(5 * MIN))
    status = status_of(run.state, run.now)
    assert status_lines(status) == [
        "Next: head position at 09:20",
        "Away: reminders wait until you are back",
        "Today: 0 of 0 done, 0 breaks",
    ]
    run.at(70, CameBack())
    assert today_line(status_of(run.state, run.now)) == "Today: 0 of 0 done, 1 break"


def test_a_long_pause_says_its_date() -> None:
    run = Run()
    run.feed(PauseRequested(START + timedelta(days=366, hours=2)))
    assert next_line(status_of(run.state, run.now)) == "Paused until Wed 3 Mar 2027 11:00"
    run.feed(PauseRequested(START + timedelta(days=1)))
    assert next_line(status_of(run.state, run.now)) == "Paused until Tue 3 Mar 09:00"


def test_every_decision_logs_through_effects_not_a_logger() -> None:
    run = Run()
    effects = run.at(14, WentAway(5 * MIN))
    assert [e for e in effects if isinstance(e, Log)] == [
        Log(logging.INFO, "away since 09:09:00; reminders wait")
    ]


def test_today_counts_start_from_the_recorded_history() -> None:
    before = Run()
    before.at(20, Due())
    before.at(40, Due())
    events = [e.event for e in before.effects if isinstance(e, Record)]
    state = AppState.begin(settings(), START + 41 * MIN, today=events)
    assert state.today.reminders == 2
    yesterday = AppState.begin(
        settings(), datetime(2026, 3, 3, 9, tzinfo=START.tzinfo), today=events
    )
    assert yesterday.today.reminders == 0
