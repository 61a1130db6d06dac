"""The person's answers, decided by the core alone: Show me, Done, Later, dismissals.

Driven like tests/unit/test_state.py: events fed to ``step`` at chosen times, no adapter.
"""

from __future__ import annotations

from datetime import timedelta

from deskmobility.core.actions import Action
from deskmobility.core.config import ReminderSettings, Settings
from deskmobility.core.events import (
    ActionInvoked,
    CloseReason,
    DesktopKnown,
    Dismiss,
    DoneRequested,
    Due,
    LaterRequested,
    MicroBreakStepDue,
    NotificationClosed,
    Notify,
    Said,
)
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.state import AppState, alarms
from deskmobility.core.status import status_of, today_line
from tests.conftest import START

from .test_state import MIN, Run, recorded, settings, shown


def head_reminder(run: Run, minutes: float = 20) -> Notify:
    [note] = [e for e in run.at(minutes, Due()) if isinstance(e, Notify)]
    return note


def test_each_reminder_offers_show_done_later_and_posture_only_done_later() -> None:
    run = Run()
    head = head_reminder(run)
    assert head.actions == (Action.SHOW, Action.DONE, Action.LATER)
    assert head.default is Action.SHOW  # a click on the body shows the guide
    [posture] = [e for e in run.at(30, Due()) if isinstance(e, Notify)]
    assert posture.actions == (Action.DONE, Action.LATER)
    assert posture.default is None


def test_done_records_what_was_done_and_counts_today() -> None:
    run = Run()
    head_reminder(run)
    effects = run.at(20.2, ActionInvoked("head", Action.DONE))
    assert recorded(effects) == [HistoryKind.DONE]
    assert today_line(status_of(run.state, run.now)) == "Today: 1 of 1 done, 0 breaks"
    assert run.state.showing == {}


def test_show_me_guides_the_suggested_exercise_and_finishing_it_counts_as_done() -> None:
    run = Run()
    head_reminder(run)
    suggested = run.state.showing["head"].exercise_id
    run.at(20.5, ActionInvoked("head", Action.SHOW))
    session = run.state.session
    assert session is not None
    assert session.exercise.id == suggested
    while (due := alarms(run.state)["micro-break-step"]) is not None:
        run.at((due - START) / MIN, MicroBreakStepDue())
    kinds = recorded(run.effects)
    assert kinds[-2:] == [HistoryKind.MICRO_BREAK_FINISHED, HistoryKind.DONE]


def test_stop_ends_a_break_early_without_counting_it() -> None:
    run = Run()
    run.at(1, ActionInvoked("micro-break", Action.ANOTHER))
    # Through a local: asserting on run.state.session itself would keep mypy's narrowing
    # to "not None" past run.at(), and the assertion below would look unreachable.
    started = run.state.session
    assert started is not None
    effects = run.at(1.1, ActionInvoked("micro-break", Action.STOP))
    assert recorded(effects) == [HistoryKind.MICRO_BREAK_STOPPED]
    assert Dismiss("micro-break") in effects
    assert run.state.session is None
    assert alarms(run.state)["micro-break-step"] is None


def test_done_during_a_break_ends_it_with_the_closing_note() -> None:
    run = Run()
    run.at(1, ActionInvoked("micro-break", Action.ANOTHER))
    effects = run.at(1.1, ActionInvoked("micro-break", Action.DONE))
    assert shown(effects) == ["Micro-break done"]
    assert recorded(effects) == [HistoryKind.MICRO_BREAK_FINISHED]


def test_later_brings_the_reminder_back_after_the_snooze() -> None:
    run = Run(AppState.begin(settings(posture=600, head=20, stretch=600), START))
    head_reminder(run)
    effects = run.at(20.2, ActionInvoked("head", Action.LATER))
    assert recorded(effects) == [HistoryKind.LATER]
    assert Said("Head position: again at 09:30") in effects
    assert alarms(run.state)["reminder-head"] == START + 30.2 * MIN
    again = head_reminder(run, 30.2)
    assert again.title == "Head position"
    # Shown again, its timer restarts from then: the usual interval, no snooze left over.
    assert alarms(run.state)["reminder-head"] == START + 50.2 * MIN


def test_later_in_a_row_is_capped_then_the_usual_interval_applies() -> None:
    run = Run(AppState.begin(settings(posture=600, head=20, stretch=600), START))
    minute = 20.0
    for _ in range(3):
        head_reminder(run, minute)
        run.at(minute + 0.1, ActionInvoked("head", Action.LATER))
        minute += 10.1
    head_reminder(run, minute)
    effects = run.at(minute + 0.1, ActionInvoked("head", Action.LATER))
    [said] = [e.text for e in effects if isinstance(e, Said)]
    assert "3 times in a row" in said
    assert alarms(run.state)["reminder-head"] == START + (minute + 20) * MIN
    # Done resets the count: the next Later snoozes again.
    head_reminder(run, minute + 20)
    run.at(minute + 20.1, ActionInvoked("head", Action.DONE))
    head_reminder(run, minute + 40)
    effects = run.at(minute + 40.1, ActionInvoked("head", Action.LATER))
    assert any(isinstance(e, Said) and "again at" in e.text for e in effects)


def test_a_configured_snooze_and_a_duration_from_the_command_line() -> None:
    base = settings()
    custom = Settings(reminders=base.reminders, snooze=timedelta(minutes=3))
    run = Run(AppState.begin(custom, START))
    head_reminder(run)
    run.at(20, ActionInvoked("head", Action.LATER))
    assert alarms(run.state)["reminder-head"] == START + 23 * MIN
    head_reminder(run, 23)
    effects = run.at(23, LaterRequested(timedelta(minutes=7)))
    assert Dismiss("head") in effects
    assert alarms(run.state)["reminder-head"] == START + 30 * MIN


def test_a_snooze_into_a_pause_gives_way_to_the_pause() -> None:
    run = Run()
    head_reminder(run)
    run.at(20, ActionInvoked("head", Action.LATER))
    plan = run.state.plan.paused(START + 60 * MIN)
    assert plan.next_due(ReminderKind.HEAD) == START + 80 * MIN


def test_a_reminder_closed_unanswered_is_recorded_as_dismissed_or_expired() -> None:
    run = Run()
    head_reminder(run)
    assert recorded(run.at(20.3, NotificationClosed("head", CloseReason.EXPIRED))) == [
        HistoryKind.EXPIRED
    ]
    [note] = [e for e in run.at(30, Due()) if isinstance(e, Notify)]
    assert recorded(run.at(30.1, NotificationClosed(note.slot, CloseReason.DISMISSED))) == [
        HistoryKind.DISMISSED
    ]
    # Answered first: the close that follows an action records nothing more.
    head_reminder(run, 40)
    run.at(40.1, ActionInvoked("head", Action.DONE))
    assert recorded(run.at(40.1, NotificationClosed("head", CloseReason.DISMISSED))) == []


def test_done_and_later_from_the_command_line_answer_the_last_reminder() -> None:
    run = Run()
    assert run.feed(DoneRequested())[0] == Said("Nothing to mark done: no reminder is waiting")
    head_reminder(run)
    assert status_of(run.state, run.now).waiting == "Head position"
    effects = run.at(21, DoneRequested())
    assert Said("Done: Head position") in effects
    assert Dismiss("head") in effects
    assert recorded(effects) == [HistoryKind.DONE]
    assert run.feed(LaterRequested())[0] == Said("Nothing to snooze: no reminder is waiting")


def test_done_from_the_command_line_finishes_a_running_break() -> None:
    run = Run()
    run.at(1, ActionInvoked("micro-break", Action.ANOTHER))
    effects = run.at(1.2, DoneRequested())
    assert recorded(effects) == [HistoryKind.MICRO_BREAK_FINISHED]


def test_the_welcome_comes_once_at_the_first_start_worded_for_the_desktop() -> None:
    run = Run(AppState.begin(settings(), START, first_run=True))
    effects = run.feed(DesktopKnown(tray=False, actions=True))
    [welcome] = [e for e in effects if isinstance(e, Notify)]
    assert "No tray" in welcome.body
    assert "not medical advice" in welcome.body
    assert recorded(effects) == [HistoryKind.WELCOME]
    assert shown(run.feed(DesktopKnown(tray=False, actions=True))) == []
    later_run = Run(AppState.begin(settings(), START))
    assert shown(later_run.feed(DesktopKnown(tray=True, actions=True))) == []


def test_eye_rest_when_switched_on_offers_a_guide_too() -> None:
    base = settings()
    reminders = {**base.reminders, ReminderKind.EYES: ReminderSettings(True, 15 * MIN)}
    run = Run(AppState.begin(Settings(reminders=reminders), START))
    [note] = [e for e in run.at(15, Due()) if isinstance(e, Notify)]
    assert note.slot == "eyes"
    assert Action.SHOW in note.actions
