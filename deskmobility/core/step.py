"""The app's decisions: ``step(state, event, now)`` returns the new state and its effects.

Every rule the running app follows lives in the core, as a pure function of the state, the
event and the time: what is due, what a click, an answer, a pause, a hold, an absence, a
suspend, a clock change or a config edit does to the plan, the micro-break and the
history. The composition root (``deskmobility.app``) reads sensors, feeds events in, points
its timers at ``alarms(state)`` and carries the effects out. Nothing here does I/O or reads
a clock. The person's answers are handled in ``core.answers``.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

from deskmobility.core import answers
from deskmobility.core.actions import REMINDER_ACTIONS
from deskmobility.core.config import Settings
from deskmobility.core.decision import REMINDER_TIMEOUT, Decision
from deskmobility.core.events import (
    ActionInvoked,
    CameBack,
    ClockChanged,
    ConfigRejected,
    DesktopKnown,
    DoneRequested,
    Due,
    Effect,
    Event,
    LaterRequested,
    MicroBreakRequested,
    MicroBreakStepDue,
    NotificationClosed,
    PauseEnded,
    PauseRequested,
    ProblemFound,
    Redraw,
    ResumeRequested,
    SavePause,
    SettingsChanged,
    Started,
    WentAway,
)
from deskmobility.core.exercises import ExerciseCatalog
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import lead_kind, reminder_message, welcome_message
from deskmobility.core.state import AppState, Shown, with_showing

# While do-not-disturb or a fullscreen window holds reminders, look again this often.
HELD_RECHECK = timedelta(seconds=30)
# The wall clock may drift from the monotonic clock by this much between two events
# without it counting as a suspend or a clock change (NTP slews, a slow event).
CLOCK_TOLERANCE = timedelta(seconds=60)


def step(
    state: AppState, event: Event, *, now: datetime, monotonic: float, rng: random.Random
) -> tuple[AppState, list[Effect]]:
    """Decide what ``event`` at ``now`` does; return the new state and the effects.

    ``monotonic`` is a reading of a clock that never jumps, taken with ``now``: a suspend
    or a clock change between two events shows as a difference between the two clocks,
    whatever the event. ``rng`` picks exercises.
    """
    d = Decision(state, now, rng)
    _notice_clock(d, monotonic)
    _apply(d, event)
    d.effects.append(Redraw())
    return d.state, d.effects


def _apply(d: Decision, event: Event) -> None:  # noqa: C901, PLR0912  # one arm per event
    match event:
        case Started() | ClockChanged():
            pass  # the timers are armed from the state after every step
        case DesktopKnown(tray=tray, actions=actions):
            _welcome(d, tray=tray, actions=actions)
        case Due(held=held):
            _due(d, held)
        case MicroBreakRequested():
            answers.start_micro_break(d)
        case MicroBreakStepDue():
            answers.step_due(d)
        case ActionInvoked(slot=slot, action=action):
            answers.act(d, slot, action)
        case NotificationClosed(slot=slot, reason=reason):
            answers.closed(d, slot, reason)
        case DoneRequested():
            answers.done_requested(d)
        case LaterRequested(span=span):
            answers.later_requested(d, span)
        case PauseRequested() | ResumeRequested() | PauseEnded():
            _pause(d, event)
        case SettingsChanged(settings=settings):
            _adopt(d, settings)
        case ConfigRejected(problem=problem):
            d.set(config_problem=problem)
            d.tell("Config not applied", f"{problem}\nStill using the last good settings.")
        case WentAway(idle=idle):
            _went_away(d, idle)
        case CameBack():
            _came_back(d)
        case ProblemFound(title=title, body=body):
            d.tell(title, body)


# -- the clock ------------------------------------------------------------------------


def _notice_clock(d: Decision, monotonic: float) -> None:
    last = d.state.last_seen
    d.set(last_seen=(d.now, monotonic))
    if last is None:
        return
    wall = d.now.astimezone(UTC) - last[0].astimezone(UTC)
    jump = wall - timedelta(seconds=monotonic - last[1])
    if jump > CLOCK_TOLERANCE:
        # Asleep (monotonic time stops in a suspend), or the clock set forward: either way
        # the person has not been reminded for a while, so count it as rest.
        d.log(logging.INFO, f"the computer slept (or the clock jumped) for {jump}")
        d.set(plan=d.state.plan.restarted(ReminderKind, d.now), away_since=None)
        d.record(HistoryKind.SUSPEND, detail=f"{int(jump.total_seconds())}s")
    elif jump < -CLOCK_TOLERANCE:
        # Set back: every time in the plan moves back with it, so each reminder stays the
        # same real time away instead of waiting out the difference.
        d.log(logging.INFO, f"the clock was set back by {-jump}; the plan moves with it")
        state = d.state
        d.set(
            plan=state.plan.shifted(jump),
            session=None if state.session is None else state.session.shifted(jump),
            away_since=None if state.away_since is None else state.away_since + jump,
            held_recheck=None if state.held_recheck is None else d.now + HELD_RECHECK,
        )
        d.record(HistoryKind.CLOCK_SET_BACK, detail=f"{int(-jump.total_seconds())}s")


# -- reminders ------------------------------------------------------------------------


def _due(d: Decision, held: str | None) -> None:
    state = d.state
    kinds = () if state.away else state.plan.due_now(d.now)
    if kinds and held is not None:
        # Holding is not resting: timers keep their times, and when the hold ends
        # everything owed arrives as one notification.
        if held != state.held:
            d.log(logging.INFO, f"reminder held: {held}")
        d.set(held=held, held_recheck=d.now + _recheck_every(d))
        return
    if state.held is not None and held is None:
        d.log(logging.INFO, "hold ended")
    d.set(held=None, held_recheck=None)
    if not kinds:
        return
    lead = lead_kind(kinds)
    exercise = d.choose(lead)
    message = reminder_message(kinds, exercise)
    # Recorded before it is shown: whatever the person saw is in the history.
    d.record(HistoryKind.REMINDER, ",".join(kinds), exercise.id)
    d.notify(lead.value, message, REMINDER_TIMEOUT, REMINDER_ACTIONS[lead])
    d.state = with_showing(d.state, lead.value, Shown(kinds, exercise.id, message.title, d.now))
    d.set(plan=d.state.plan.restarted(kinds, d.now))


def _recheck_every(d: Decision) -> timedelta:
    settings = d.state.settings
    intervals = [every for kind in ReminderKind if (every := settings.interval(kind))]
    return min([HELD_RECHECK, *intervals])  # tiny intervals: try-it-out configs


def _welcome(d: Decision, *, tray: bool, actions: bool) -> None:
    """At the very first start, one note: what to expect and how to act on this desktop."""
    if not d.state.first_run:
        return
    d.set(first_run=False)
    d.notify("notice:welcome", welcome_message(tray=tray, actions=actions), REMINDER_TIMEOUT)
    d.record(HistoryKind.WELCOME, detail="tray" if tray else "no tray")


# -- the person's commands ------------------------------------------------------------


def _pause(d: Decision, event: PauseRequested | ResumeRequested | PauseEnded) -> None:
    plan = d.state.plan
    match event:
        case PauseRequested(until=until):
            d.set(plan=plan.paused(until))
            d.effects.append(SavePause(until))
            d.record(HistoryKind.PAUSE, detail=until.isoformat(timespec="seconds"))
        case ResumeRequested():
            d.set(plan=plan.resumed(d.now))
            d.effects.append(SavePause(None))
            d.record(HistoryKind.RESUME)
        case PauseEnded():
            if not plan.is_paused(d.now):
                d.set(plan=plan.pause_over())
                d.effects.append(SavePause(None))


def _adopt(d: Decision, settings: Settings) -> None:
    try:
        catalog = ExerciseCatalog.builtin().with_extra(settings.custom_exercises)
    except ValueError as error:  # validation should have caught it; never crash on it
        _apply(d, ConfigRejected(str(error)))
        return
    if d.state.config_problem is not None:
        d.log(logging.INFO, "config is valid again; using it")
    d.set(
        settings=settings,
        catalog=catalog,
        plan=d.state.plan.with_settings(settings, d.now),
        config_problem=None,
    )


# -- presence -------------------------------------------------------------------------


def _went_away(d: Decision, idle: timedelta) -> None:
    if d.state.away:
        return
    since = (d.now.astimezone(UTC) - idle).astimezone(d.now.tzinfo)
    d.log(logging.INFO, f"away since {since:%H:%M:%S}; reminders wait")
    d.set(away_since=since)


def _came_back(d: Decision) -> None:
    since = d.state.away_since
    if since is None:
        return
    away_for = d.now - since
    d.log(logging.INFO, f"back after {away_for} away; timers restart")
    d.set(away_since=None, plan=d.state.plan.restarted(ReminderKind, d.now))
    d.record(HistoryKind.NATURAL_BREAK, detail=f"{int(away_for.total_seconds())}s")
