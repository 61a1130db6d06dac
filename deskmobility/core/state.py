"""The app's decisions: ``step(state, event, now)`` returns the new state and its effects.

Every rule the running app follows lives here, as a pure function of the state, the event
and the time: what is due, what a click, a pause, a hold, an absence, a suspend, a clock
change or a config edit does to the plan, the micro-break and the history. The composition
root (``deskmobility.app``) reads sensors, feeds events in, points its timers at
``alarms(state)`` and carries the effects out. Nothing here does I/O or reads a clock.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from deskmobility.core.config import Settings
from deskmobility.core.events import (
    CameBack,
    ClockChanged,
    ConfigRejected,
    Due,
    Effect,
    Event,
    Log,
    MicroBreakRequested,
    MicroBreakTimeUp,
    Notify,
    PauseEnded,
    PauseRequested,
    ProblemFound,
    Record,
    Redraw,
    ResumeRequested,
    SavePause,
    SettingsChanged,
    Started,
    WentAway,
)
from deskmobility.core.exercises import Exercise, ExerciseCatalog, choose_exercise
from deskmobility.core.history import BREAK_KINDS, HistoryEvent, HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import (
    Message,
    lead_kind,
    micro_break_done_message,
    micro_break_message,
    reminder_message,
)
from deskmobility.core.schedule import ReminderPlan
from deskmobility.core.session import BreakSession

REMINDER_TIMEOUT = timedelta(seconds=20)
# While do-not-disturb or a fullscreen window holds reminders, look again this often.
HELD_RECHECK = timedelta(seconds=30)
# The wall clock may drift from the monotonic clock by this much between two events
# without it counting as a suspend or a clock change (NTP slews, a slow event).
CLOCK_TOLERANCE = timedelta(seconds=60)
# A notice (config problem, history trouble) is worth showing late; a reminder is not.
NOTICE_FRESH_FOR = timedelta(hours=1)
_RECENT_KEPT = 100


@dataclass(frozen=True)
class Today:
    """What the person did today, for the tray's "Today" line."""

    day: date | None = None
    reminders: int = 0
    breaks: int = 0

    def counting(self, event: HistoryEvent) -> Today:
        """Count ``event`` in (a new day starts from zero)."""
        day = event.at.date()
        tally = self if day == self.day else Today(day)
        if event.kind == HistoryKind.REMINDER:
            return replace(tally, reminders=tally.reminders + 1)
        if event.kind in BREAK_KINDS:
            return replace(tally, breaks=tally.breaks + 1)
        return tally

    def on(self, day: date) -> Today:
        """The tally of ``day``: this one if it is that day's, else an empty one."""
        return self if day == self.day else Today(day)


@dataclass(frozen=True)
class AppState:
    """Everything the running app knows. Immutable: ``step`` returns a new one."""

    settings: Settings
    catalog: ExerciseCatalog
    plan: ReminderPlan
    session: BreakSession | None = None
    away_since: datetime | None = None
    held: str | None = None
    held_recheck: datetime | None = None
    config_problem: str | None = None
    told: frozenset[str] = frozenset()
    recent: Mapping[ReminderKind, tuple[str, ...]] = field(default_factory=dict)
    # The wall and monotonic clocks at the last event: how a suspend or a clock set back
    # shows (wall time moving by more, or less, than monotonic time).
    last_seen: tuple[datetime, float] | None = None
    today: Today = Today()

    @classmethod
    def begin(
        cls,
        settings: Settings,
        now: datetime,
        *,
        paused_until: datetime | None = None,
        recent: Mapping[ReminderKind, Iterable[str]] | None = None,
        today: Iterable[HistoryEvent] = (),
    ) -> AppState:
        """The state at start-up: every timer starts now; a saved pause still holds."""
        plan = ReminderPlan.start(settings, now)
        if paused_until is not None and paused_until > now:
            plan = plan.paused(paused_until)
        tally = Today(now.date())
        for event in today:
            tally = tally.counting(event)
        return cls(
            settings=settings,
            catalog=ExerciseCatalog.builtin().with_extra(settings.custom_exercises),
            plan=plan,
            recent=MappingProxyType({k: tuple((recent or {}).get(k, ())) for k in ReminderKind}),
            today=tally.on(now.date()),
        )

    @property
    def away(self) -> bool:
        """Tell whether the person is away from the desk."""
        return self.away_since is not None


def step(
    state: AppState, event: Event, *, now: datetime, monotonic: float, rng: random.Random
) -> tuple[AppState, list[Effect]]:
    """Decide what ``event`` at ``now`` does; return the new state and the effects.

    ``monotonic`` is a reading of a clock that never jumps, taken with ``now``: a suspend
    or a clock change between two events shows as a difference between the two clocks,
    whatever the event. ``rng`` picks exercises.
    """
    decision = _Decision(state, now, rng)
    decision.notice_clock(monotonic)
    decision.apply(event)
    return decision.finish()


class _Decision:
    """One step's working state: the state so far and the effects collected."""

    def __init__(self, state: AppState, now: datetime, rng: random.Random) -> None:
        self.state = state
        self.now = now
        self.rng = rng
        self.effects: list[Effect] = []

    def finish(self) -> tuple[AppState, list[Effect]]:
        self.effects.append(Redraw())
        return self.state, self.effects

    # -- the clock ------------------------------------------------------------------

    def notice_clock(self, monotonic: float) -> None:
        last = self.state.last_seen
        self._set(last_seen=(self.now, monotonic))
        if last is None:
            return
        wall = self.now.astimezone(UTC) - last[0].astimezone(UTC)
        jump = wall - timedelta(seconds=monotonic - last[1])
        if jump > CLOCK_TOLERANCE:
            # Asleep (monotonic time stops in a suspend), or the clock set forward: either
            # way the person has not been reminded for a while, so count it as rest.
            self._log(logging.INFO, f"the computer slept (or the clock jumped) for {jump}")
            self._set(plan=self.state.plan.restarted(ReminderKind, self.now), away_since=None)
            self._record(HistoryKind.SUSPEND, detail=f"{int(jump.total_seconds())}s")
        elif jump < -CLOCK_TOLERANCE:
            # Set back: every time in the plan moves back with it, so each reminder stays
            # the same real time away instead of waiting out the difference.
            self._log(logging.INFO, f"the clock was set back by {-jump}; the plan moves with it")
            self._shift(jump)
            self._record(HistoryKind.CLOCK_SET_BACK, detail=f"{int(-jump.total_seconds())}s")

    def _shift(self, by: timedelta) -> None:
        state = self.state
        session = state.session
        self._set(
            plan=state.plan.shifted(by),
            session=None if session is None else replace(session, started=session.started + by),
            away_since=None if state.away_since is None else state.away_since + by,
            held_recheck=None if state.held_recheck is None else self.now + HELD_RECHECK,
        )

    # -- events ---------------------------------------------------------------------

    def apply(self, event: Event) -> None:  # noqa: C901, PLR0912  # one arm per event
        match event:
            case Started() | ClockChanged():
                pass  # the timers are armed from the state after every step
            case Due(held=held):
                self._due(held)
            case MicroBreakRequested():
                self._start_micro_break()
            case MicroBreakTimeUp():
                self._finish_micro_break()
            case PauseRequested(until=until):
                self._set(plan=self.state.plan.paused(until))
                self.effects.append(SavePause(until))
                self._record(HistoryKind.PAUSE, detail=until.isoformat(timespec="seconds"))
            case ResumeRequested():
                self._set(plan=self.state.plan.resumed(self.now))
                self.effects.append(SavePause(None))
                self._record(HistoryKind.RESUME)
            case PauseEnded():
                if not self.state.plan.is_paused(self.now):
                    self._set(plan=self.state.plan.pause_over())
                    self.effects.append(SavePause(None))
            case SettingsChanged(settings=settings):
                self._adopt(settings)
            case ConfigRejected(problem=problem):
                self._set(config_problem=problem)
                self._tell("Config not applied", f"{problem}\nStill using the last good settings.")
            case WentAway(idle=idle):
                self._went_away(idle)
            case CameBack():
                self._came_back()
            case ProblemFound(title=title, body=body):
                self._tell(title, body)

    def _due(self, held: str | None) -> None:
        state = self.state
        kinds = () if state.away else state.plan.due_now(self.now)
        if kinds and held is not None:
            # Holding is not resting: timers keep their times, and when the hold ends
            # everything owed arrives as one notification.
            if held != state.held:
                self._log(logging.INFO, f"reminder held: {held}")
            self._set(held=held, held_recheck=self.now + self._recheck_every())
            return
        if state.held is not None and held is None:
            self._log(logging.INFO, "hold ended")
        self._set(held=None, held_recheck=None)
        if not kinds:
            return
        exercise = self._choose(lead_kind(kinds))
        # Recorded before it is shown: whatever the person saw is in the history.
        self._record(HistoryKind.REMINDER, ",".join(kinds), exercise.id)
        self._notify(lead_kind(kinds).value, reminder_message(kinds, exercise), REMINDER_TIMEOUT)
        self._set(plan=self.state.plan.restarted(kinds, self.now))

    def _recheck_every(self) -> timedelta:
        settings = self.state.settings
        intervals = [every for kind in ReminderKind if (every := settings.interval(kind))]
        return min([HELD_RECHECK, *intervals])  # tiny intervals: try-it-out configs

    def _start_micro_break(self) -> None:
        session = self.state.session
        if session is not None and session.running(self.now):
            self._log(logging.INFO, "a micro-break is already running; not starting another")
            return
        exercise = self._choose(ReminderKind.STRETCH)
        self._set(session=BreakSession(exercise, self.now))
        self._record(HistoryKind.MICRO_BREAK_STARTED, ReminderKind.STRETCH, exercise.id)
        self._notify(
            "micro-break", micro_break_message(exercise), exercise.takes + timedelta(seconds=5)
        )
        # A micro-break is a stretch break: the next stretch reminder is a full interval away.
        self._set(plan=self.state.plan.restarted([ReminderKind.STRETCH], self.now))

    def _finish_micro_break(self) -> None:
        session = self.state.session
        if session is None or session.running(self.now):
            return
        self._set(session=None)
        self._record(HistoryKind.MICRO_BREAK_FINISHED, ReminderKind.STRETCH, session.exercise.id)
        self._notify("micro-break", micro_break_done_message(session.exercise), REMINDER_TIMEOUT)
        self._set(plan=self.state.plan.restarted([ReminderKind.STRETCH], self.now))

    def _adopt(self, settings: Settings) -> None:
        try:
            catalog = ExerciseCatalog.builtin().with_extra(settings.custom_exercises)
        except ValueError as error:  # validation should have caught it; never crash on it
            self.apply(ConfigRejected(str(error)))
            return
        if self.state.config_problem is not None:
            self._log(logging.INFO, "config is valid again; using it")
        self._set(
            settings=settings,
            catalog=catalog,
            plan=self.state.plan.with_settings(settings, self.now),
            config_problem=None,
        )

    def _went_away(self, idle: timedelta) -> None:
        if self.state.away:
            return
        since = (self.now.astimezone(UTC) - idle).astimezone(self.now.tzinfo)
        self._log(logging.INFO, f"away since {since:%H:%M:%S}; reminders wait")
        self._set(away_since=since)

    def _came_back(self) -> None:
        since = self.state.away_since
        if since is None:
            return
        away_for = self.now - since
        self._log(logging.INFO, f"back after {away_for} away; timers restart")
        self._set(away_since=None, plan=self.state.plan.restarted(ReminderKind, self.now))
        self._record(HistoryKind.NATURAL_BREAK, detail=f"{int(away_for.total_seconds())}s")

    # -- helpers --------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]

    def _choose(self, kind: ReminderKind) -> Exercise:
        state = self.state
        recent = state.recent.get(kind, ())
        exercise = choose_exercise(state.catalog, kind, state.settings.gear, list(recent), self.rng)
        kept = dict(state.recent)
        kept[kind] = (*recent, exercise.id)[-_RECENT_KEPT:]
        self._set(recent=MappingProxyType(kept))
        return exercise

    def _record(
        self,
        kind: HistoryKind,
        reminder: str | None = None,
        exercise: str | None = None,
        detail: str | None = None,
    ) -> None:
        event = HistoryEvent(self.now, kind, reminder, exercise, detail)
        self.effects.append(Record(event))
        self._set(today=self.state.today.counting(event))

    def _notify(self, slot: str, message: Message, timeout: timedelta) -> None:
        fresh_for = self.state.plan.merge_window()
        self.effects.append(Notify(slot, message.title, message.body, timeout, fresh_for))

    def _tell(self, title: str, body: str) -> None:
        if body in self.state.told:
            return
        self._set(told=self.state.told | {body})
        self._log(logging.WARNING, f"{title}: {body}")
        self.effects.append(
            Notify(f"notice:{title}", title, body, REMINDER_TIMEOUT, NOTICE_FRESH_FOR)
        )

    def _log(self, level: int, text: str) -> None:
        self.effects.append(Log(level, text))


def wants_hold_check(state: AppState, now: datetime) -> bool:
    """Tell whether a due timer would show something now, so holds are worth reading."""
    return not state.away and bool(state.plan.due_now(now))


def alarms(state: AppState) -> dict[str, datetime | None]:
    """When each of the app's timers should next fire (None: not armed)."""
    waiting = state.away or state.held is not None
    plan = state.plan
    wanted: dict[str, datetime | None] = {
        f"reminder-{kind}": None if waiting else plan.next_due(kind) for kind in ReminderKind
    }
    wanted["held"] = state.held_recheck
    wanted["micro-break-end"] = None if state.session is None else state.session.ends
    wanted["pause-end"] = plan.paused_until
    return wanted
