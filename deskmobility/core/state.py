"""What the running app knows, as one immutable value, and the timers it wants.

``core.step.step`` is the only thing that makes a new ``AppState``; the composition root
keeps the current one, points its timers at ``alarms(state)`` and asks ``wants_hold_check``
before reading the do-not-disturb and fullscreen sensors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType

from deskmobility.core.config import Settings
from deskmobility.core.exercises import ExerciseCatalog
from deskmobility.core.history import BREAK_KINDS, HistoryEvent, HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.schedule import ReminderPlan
from deskmobility.core.session import BreakSession


@dataclass(frozen=True)
class Today:
    """What the person did today, for the tray's "Today" line."""

    day: date | None = None
    reminders: int = 0
    done: int = 0
    breaks: int = 0

    def counting(self, event: HistoryEvent) -> Today:
        """Count ``event`` in (a new day starts from zero)."""
        day = event.at.date()
        tally = self if day == self.day else Today(day)
        if event.kind == HistoryKind.REMINDER:
            return replace(tally, reminders=tally.reminders + 1)
        if event.kind == HistoryKind.DONE:
            return replace(tally, done=tally.done + 1)
        if event.kind in BREAK_KINDS:
            return replace(tally, breaks=tally.breaks + 1)
        return tally

    def on(self, day: date) -> Today:
        """The tally of ``day``: this one if it is that day's, else an empty one."""
        return self if day == self.day else Today(day)


@dataclass(frozen=True)
class Shown:
    """A reminder on screen, not yet answered."""

    kinds: tuple[ReminderKind, ...]
    exercise_id: str
    title: str
    at: datetime


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
    # Reminders on screen awaiting an answer, by slot (their lead kind), oldest first.
    showing: Mapping[str, Shown] = field(default_factory=dict)
    # "Later" said this many times in a row, per kind.
    snoozes: Mapping[ReminderKind, int] = field(default_factory=dict)
    first_run: bool = False  # nothing was ever shown: the welcome note is due

    @classmethod
    def begin(
        cls,
        settings: Settings,
        now: datetime,
        *,
        paused_until: datetime | None = None,
        recent: Mapping[ReminderKind, Iterable[str]] | None = None,
        today: Iterable[HistoryEvent] = (),
        first_run: bool = False,
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
            first_run=first_run,
        )

    @property
    def away(self) -> bool:
        """Tell whether the person is away from the desk."""
        return self.away_since is not None

    def latest_shown(self) -> tuple[str, Shown] | None:
        """The most recent unanswered reminder and its slot, if any."""
        return next(reversed(list(self.showing.items())), None)


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
    wanted["micro-break-step"] = None if state.session is None else state.session.step_ends
    wanted["pause-end"] = plan.paused_until
    return wanted


def with_showing(state: AppState, slot: str, shown: Shown | None) -> AppState:
    """``state`` with ``slot`` showing ``shown`` (None: answered, or gone), newest last."""
    showing = {key: value for key, value in state.showing.items() if key != slot}
    if shown is not None:
        showing[slot] = shown
    return replace(state, showing=MappingProxyType(showing))
