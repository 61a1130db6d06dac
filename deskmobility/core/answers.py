"""What the person answers: micro-breaks step by step, and Done, Later and Show me.

Handlers of ``core.step``'s events that come from the person (a notification's action, the
tray, the command line), each taking the step's ``Decision``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from types import MappingProxyType

from deskmobility.core.actions import END_ACTIONS, STEP_ACTIONS, Action
from deskmobility.core.decision import REMINDER_TIMEOUT, Decision
from deskmobility.core.events import CloseReason, Dismiss
from deskmobility.core.exercises import Exercise
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import micro_break_done_message, step_message
from deskmobility.core.session import BreakSession
from deskmobility.core.state import Shown, with_showing
from deskmobility.core.status import when

MICRO_BREAK = "micro-break"  # the slot of a micro-break's notification: one at a time


def start_micro_break(
    d: Decision, exercise: Exercise | None = None, for_kinds: tuple[ReminderKind, ...] = ()
) -> None:
    """Start guiding ``exercise`` (or a stretch chosen now), unless a break is running."""
    session = d.state.session
    if session is not None and session.running(d.now):
        d.log(logging.INFO, "a micro-break is already running; not starting another")
        d.say("A micro-break is already running")
        return
    exercise = exercise or d.choose(ReminderKind.STRETCH)
    session = BreakSession.begin(exercise, d.now, for_kinds)
    d.set(session=session)
    d.record(HistoryKind.MICRO_BREAK_STARTED, ReminderKind.STRETCH, exercise.id)
    _show_step(d, session)
    # A micro-break is a stretch break: the next stretch reminder is a full interval away.
    d.set(plan=d.state.plan.restarted([ReminderKind.STRETCH], d.now))
    d.say(f"Micro-break started: {exercise.name}")


def step_due(d: Decision) -> None:
    """The step on screen has had its time: show the next, or end the break."""
    session = d.state.session
    if session is None or d.now < session.step_ends:
        return
    if session.last_step:
        _finish(d, session)
        return
    session = session.next_step(d.now)
    d.set(session=session)
    _show_step(d, session)


def act(d: Decision, slot: str, action: Action) -> None:
    """The person chose ``action`` on the notification in ``slot``."""
    if slot == MICRO_BREAK:
        _act_on_break(d, action)
        return
    shown = d.state.showing.get(slot)
    if shown is None:
        d.log(logging.INFO, f"{action} on a reminder that is no longer waiting ({slot})")
        return
    # Answered: off the screen (a server may leave it up after an action; dunst does).
    d.effects.append(Dismiss(slot))
    if action is Action.SHOW:
        d.state = with_showing(d.state, slot, None)
        start_micro_break(d, d.state.catalog.get(shown.exercise_id), shown.kinds)
    elif action is Action.DONE:
        _done(d, slot, shown)
    elif action is Action.LATER:
        _later(d, slot, shown, None)


def done_requested(d: Decision) -> None:
    """Answer "done" from the tray or the command line: the break, else the last reminder."""
    session = d.state.session
    if session is not None:
        _finish(d, session)
        return
    latest = d.state.latest_shown()
    if latest is None:
        d.say("Nothing to mark done: no reminder is waiting")
        return
    _done(d, *latest)
    d.effects.append(Dismiss(latest[0]))


def later_requested(d: Decision, span: timedelta | None) -> None:
    """Answer "later" from the tray or the command line: snooze the last reminder shown."""
    latest = d.state.latest_shown()
    if latest is None:
        d.say("Nothing to snooze: no reminder is waiting")
        return
    _later(d, *latest, span)
    d.effects.append(Dismiss(latest[0]))


def closed(d: Decision, slot: str, reason: CloseReason) -> None:
    """A notification went away; an unanswered reminder counts as dismissed or expired."""
    shown = d.state.showing.get(slot)
    if shown is None:
        return
    d.state = with_showing(d.state, slot, None)
    if reason is CloseReason.CLOSED:
        return  # the app itself took it away (it was answered from the tray, say)
    kind = HistoryKind.EXPIRED if reason is CloseReason.EXPIRED else HistoryKind.DISMISSED
    d.record(kind, ",".join(shown.kinds), shown.exercise_id)


def _act_on_break(d: Decision, action: Action) -> None:
    session = d.state.session
    if action is Action.ANOTHER:
        start_micro_break(d)
    elif session is None:
        return  # Done on the closing note: nothing is left to do
    elif action is Action.STOP:
        d.set(session=None)
        d.record(HistoryKind.MICRO_BREAK_STOPPED, ReminderKind.STRETCH, session.exercise.id)
        d.effects.append(Dismiss(MICRO_BREAK))
        d.say("Micro-break stopped")
    elif action is Action.DONE:
        _finish(d, session)


def _show_step(d: Decision, session: BreakSession) -> None:
    step = session.step
    # Each step expires as its time runs out, so where a server cannot replace one in
    # place, never more than one is on screen.
    d.notify(
        MICRO_BREAK, step_message(session.exercise, step), step.lasts, STEP_ACTIONS, step.lasts
    )


def _finish(d: Decision, session: BreakSession) -> None:
    """The break ran its course, or the person said Done: the closing note."""
    exercise = session.exercise
    d.set(session=None)
    d.record(HistoryKind.MICRO_BREAK_FINISHED, ReminderKind.STRETCH, exercise.id)
    if session.for_kinds:  # it answered a reminder's "Show me"
        d.record(HistoryKind.DONE, ",".join(session.for_kinds), exercise.id)
        _reset_snoozes(d, session.for_kinds)
    d.notify(MICRO_BREAK, micro_break_done_message(exercise), REMINDER_TIMEOUT, END_ACTIONS)
    d.set(plan=d.state.plan.restarted([ReminderKind.STRETCH], d.now))
    d.say(f"Micro-break done: {exercise.name}")


def _done(d: Decision, slot: str, shown: Shown) -> None:
    d.state = with_showing(d.state, slot, None)
    d.record(HistoryKind.DONE, ",".join(shown.kinds), shown.exercise_id)
    _reset_snoozes(d, shown.kinds)
    d.say(f"Done: {shown.title}")


def _later(d: Decision, slot: str, shown: Shown, span: timedelta | None) -> None:
    d.state = with_showing(d.state, slot, None)
    settings = d.state.settings
    wait = span or settings.snooze
    d.record(
        HistoryKind.LATER, ",".join(shown.kinds), shown.exercise_id, f"{int(wait.total_seconds())}s"
    )
    in_a_row = max(d.state.snoozes.get(kind, 0) for kind in shown.kinds)
    if in_a_row >= settings.snooze_limit:
        _reset_snoozes(d, shown.kinds)
        d.say(f"{shown.title}: put off {in_a_row} times in a row; back at its usual time")
        return
    until = d.now + wait
    snoozes = dict(d.state.snoozes)
    snoozes.update({kind: snoozes.get(kind, 0) + 1 for kind in shown.kinds})
    d.set(plan=d.state.plan.snooze(shown.kinds, until), snoozes=MappingProxyType(snoozes))
    d.say(f"{shown.title}: again at {when(until, d.now)}")


def _reset_snoozes(d: Decision, kinds: tuple[ReminderKind, ...]) -> None:
    snoozes = {kind: n for kind, n in d.state.snoozes.items() if kind not in kinds}
    d.set(snoozes=MappingProxyType(snoozes))
