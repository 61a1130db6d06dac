"""The composition root: the App wires the pure core to the adapters and owns the state.

Every entry point (scheduler job, tray click, config edit, signal) calls an App method;
each takes the one lock, asks the core what to do, and carries it out. Nothing else
holds state.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from deskmobility.core.config import ConfigError, Settings
from deskmobility.core.exercises import Exercise, ExerciseCatalog, choose_exercise
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import (
    Message,
    lead_kind,
    micro_break_done_message,
    micro_break_message,
    reminder_message,
)
from deskmobility.core.presence import CameBack, Presence, suspended_for
from deskmobility.core.schedule import ReminderPlan
from deskmobility.core.session import BreakSession

if TYPE_CHECKING:
    from deskmobility.adapters.idle import IdleMonitor
    from deskmobility.adapters.notify.outbox import Outbox
    from deskmobility.adapters.store import Store
    from deskmobility.adapters.timer import Timer
    from deskmobility.core.clock import Clock

log = logging.getLogger(__name__)

REMINDER_TIMEOUT = timedelta(seconds=20)
# Idle time is looked at when the next absence could first reach natural_break (plus this
# margin), and once every margin while the person is away, to see them come back: every
# absence longer than natural_break plus the margin is found, and a person at the desk
# costs one look every natural_break or so.
PRESENCE_EVERY = timedelta(minutes=1)
# While do-not-disturb or a fullscreen window holds reminders, look again this often.
HELD_RECHECK = timedelta(seconds=30)


@dataclass(frozen=True)
class Status:
    """What the app is doing, for the tray and the command line."""

    paused_until: datetime | None
    next_due: dict[ReminderKind, datetime]
    break_running: bool
    break_progress: float | None
    config_problem: str | None
    away: bool
    held: str | None


class App:
    """The running reminder service. All public methods are thread-safe."""

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        outbox: Outbox,
        timer: Timer,
        store: Store,
        idle: IdleMonitor | None = None,
        interruption: Callable[[], str | None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._outbox = outbox
        self._timer = timer
        self._store = store
        self._rng = rng or random.Random()  # noqa: S311  # choosing exercises, not secrets
        self._settings = settings
        self._catalog = ExerciseCatalog.builtin().with_extra(settings.custom_exercises)
        now = clock.now()
        plan = ReminderPlan.start(settings, now)
        paused_until = store.paused_until()
        if paused_until is not None and paused_until > now:
            plan = plan.paused(paused_until)
        self._plan = plan
        self._session: BreakSession | None = None
        self._idle = idle
        self._interruption = interruption
        self._held: str | None = None
        self._presence = Presence()
        self._last_tick = (now, clock.monotonic())
        self._last_idle = timedelta(0)
        self._config_problem: str | None = None
        self._told: set[str] = set()
        self.on_change: list[Callable[[], None]] = []
        self._recent: dict[ReminderKind, list[str]] = {
            kind: store.recent_exercises(kind.value) for kind in ReminderKind
        }

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Arm the timers."""
        with self._lock:
            self._arm()

    # -- commands ----------------------------------------------------------------------

    def start_micro_break(self) -> None:
        """Start a guided micro-break now, unless one is already running."""
        with self._lock:
            now = self._clock.now()
            if self._session is not None and self._session.running(now):
                log.info("a micro-break is already running; not starting another")
                return
            exercise = self._choose(ReminderKind.STRETCH)
            self._session = BreakSession(exercise, now)
            self._record("micro_break_started", ReminderKind.STRETCH, exercise.id)
            self._post(micro_break_message(exercise), exercise.takes + timedelta(seconds=5))
            # A micro-break is a stretch break: the next stretch reminder is a full interval away.
            self._plan = self._plan.restarted([ReminderKind.STRETCH], now)
            self._timer.at("micro-break-end", self._session.ends, self._finish_micro_break)
            self._arm()

    def pause_for(self, span: timedelta) -> None:
        """Hold all reminders for ``span``."""
        with self._lock:
            self._pause(self._clock.now() + span)

    def pause_until_tomorrow(self) -> None:
        """Hold all reminders until local midnight."""
        with self._lock:
            now = self._clock.now()
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
            self._pause(midnight)

    def resume(self) -> None:
        """End a pause; every timer restarts now."""
        with self._lock:
            now = self._clock.now()
            self._plan = self._plan.resumed(now)
            self._store.set_paused_until(None)
            self._record("resume", None, None)
            self._timer.cancel("pause-end")
            self._arm()

    def apply_settings(self, settings: Settings) -> None:
        """Adopt new settings from an edited config file."""
        with self._lock:
            self._settings = settings
            self._catalog = ExerciseCatalog.builtin().with_extra(settings.custom_exercises)
            self._plan = self._plan.with_settings(settings, self._clock.now())
            if self._config_problem is not None:
                log.info("config is valid again; using it")
            self._config_problem = None
            self._arm()

    def config_rejected(self, error: ConfigError) -> None:
        """Keep the last good settings; tell the user once per distinct problem."""
        with self._lock:
            text = str(error)
            self._config_problem = text
            self.tell_once(
                "Config not applied",
                f"{text}\nStill using the last good settings.",
            )

    def tell_once(self, title: str, body: str) -> None:
        """Log a problem and show it as a notification, once per distinct text."""
        with self._lock:
            if body in self._told:
                return
            self._told.add(body)
            log.warning("%s: %s", title, body)
            self._outbox.post(title, body, REMINDER_TIMEOUT)

    # -- views ---------------------------------------------------------------------------

    def status(self) -> Status:
        """A consistent snapshot of the app's state."""
        with self._lock:
            now = self._clock.now()
            plan = self._plan
            return Status(
                paused_until=plan.paused_until if plan.is_paused(now) else None,
                next_due=dict(plan.upcoming()),
                break_running=self._session is not None and self._session.running(now),
                break_progress=self._progress(now),
                config_problem=self._config_problem,
                away=self._presence.away,
                held=self._held,
            )

    def next_line(self) -> str:
        """One line for the menu: what comes next, e.g. "Next: stretch break at 14:05"."""
        with self._lock:
            now = self._clock.now()
            if self._plan.is_paused(now) and self._plan.paused_until is not None:
                return f"Paused until {self._plan.paused_until:%H:%M}"
            upcoming = self._plan.upcoming()
            if not upcoming:
                return "All reminders are switched off"
            kind, due = upcoming[0]
            # A clock time, not "in 12 min": it stays true until the plan changes, so the
            # menu needs no rebuild every minute (pystray builds menus ahead of opening).
            return f"Next: {kind.heading.lower()} at {due:%H:%M}"

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self._settings

    def now(self) -> datetime:
        """The app's clock reading."""
        return self._clock.now()

    @property
    def store(self) -> Store:
        """The state and history store."""
        return self._store

    # -- internals -----------------------------------------------------------------------

    def _pause(self, until: datetime) -> None:
        self._plan = self._plan.paused(until)
        self._store.set_paused_until(until)
        self._record("pause", None, None, detail=until.isoformat(timespec="seconds"))
        self._timer.at("pause-end", until, self._pause_ended)
        self._arm()

    def _pause_ended(self) -> None:
        with self._lock:
            self._store.set_paused_until(None)
            self._notify_change()

    def _on_due(self) -> None:
        with self._lock:
            now = self._clock.now()
            self._sense(now)
            kinds = () if self._presence.away else self._plan.due_now(now)
            if kinds and self._interruption is not None:
                # Holding is not resting: timers keep their times, and when the hold ends
                # everything owed arrives as one notification.
                self._held = self._interruption()
                if self._held is not None:
                    log.info("reminder held: %s", self._held)
                    kinds = ()
            if kinds:
                exercise = self._choose(lead_kind(kinds))
                # Recorded first: whatever the user has seen is in the history, even if the
                # app is killed the next instant (the outbox shows it on its own thread).
                self._record("reminder", ",".join(kinds), exercise.id)
                self._post(reminder_message(kinds, exercise), REMINDER_TIMEOUT)
                self._plan = self._plan.restarted(kinds, now)
            self._arm()

    def _finish_micro_break(self) -> None:
        with self._lock:
            session = self._session
            if session is None:
                return
            now = self._clock.now()
            self._session = None
            self._record("micro_break_finished", ReminderKind.STRETCH, session.exercise.id)
            self._post(micro_break_done_message(session.exercise), REMINDER_TIMEOUT)
            self._plan = self._plan.restarted([ReminderKind.STRETCH], now)
            self._arm()

    def _sense(self, now: datetime) -> None:
        """Notice a suspend or an absence, and count either as a break: timers restart."""
        monotonic = self._clock.monotonic()
        gap = suspended_for(*self._last_tick, now, monotonic)
        self._last_tick = (now, monotonic)
        if gap is not None:
            log.info("the computer slept (or the clock jumped) for %s; timers restart", gap)
            self._plan = self._plan.restarted(ReminderKind, now)
            self._presence = Presence()
            self._record("suspend", None, None, detail=f"{int(gap.total_seconds())}s")
            return
        idle = self._idle.idle_for() if self._idle is not None else None
        self._last_idle = idle or timedelta(0)
        self._presence, event = self._presence.observe(now, idle, self._settings.natural_break)
        if isinstance(event, CameBack):
            log.info("back after %s away; timers restart", event.away_for)
            self._plan = self._plan.restarted(ReminderKind, event.at)
            seconds = int(event.away_for.total_seconds())
            self._record("natural_break", None, None, detail=f"{seconds}s")
        elif event is not None:
            log.info("away since %s; reminders wait", f"{event.since:%H:%M:%S}")

    def _check_held(self) -> None:
        with self._lock:
            if self._interruption is not None:
                self._held = self._interruption()
            if self._held is None:
                log.info("hold ended")
                self._on_due()
            else:
                self._arm()

    def _next_presence_check(self, now: datetime) -> datetime | None:
        """When to look at idle time next; None without an idle source.

        A suspend needs no look of its own: whichever job runs first after waking sees it.
        """
        if self._idle is None:
            return None
        if self._presence.away:
            return now + PRESENCE_EVERY
        until_break = max(timedelta(0), self._settings.natural_break - self._last_idle)
        return now + until_break + PRESENCE_EVERY

    def _check_presence(self) -> None:
        with self._lock:
            self._sense(self._clock.now())
            self._arm()

    def _arm(self) -> None:
        """Point each kind's job at its next due time, then let the tray redraw.

        The presence job runs every minute and ends here too, which is what keeps the
        menu's "Next: … in N min" line and the icon's progress ring current: no timer of
        their own.
        """
        now = self._clock.now()
        presence = self._next_presence_check(now)
        if presence is None:
            self._timer.cancel("presence")
        else:
            self._timer.at("presence", presence, self._check_presence)
        if self._held is None:
            self._timer.cancel("held")
        else:
            intervals = [every for k in ReminderKind if (every := self._settings.interval(k))]
            recheck = min([HELD_RECHECK, *intervals])  # tiny intervals: try-it-out configs
            self._timer.at("held", now + recheck, self._check_held)
        for kind in ReminderKind:
            waiting = self._presence.away or self._held is not None
            due = None if waiting else self._plan.next_due(kind)
            if due is None:
                self._timer.cancel(f"reminder-{kind}")
            else:
                self._timer.at(f"reminder-{kind}", due, self._on_due)
        self._notify_change()

    def _progress(self, now: datetime) -> float | None:
        due = self._plan.next_due(ReminderKind.STRETCH)
        every = self._settings.interval(ReminderKind.STRETCH)
        if due is None or every is None or self._plan.is_paused(now):
            return None
        return min(1.0, max(0.0, 1 - (due - now) / every))

    def _notify_change(self) -> None:
        for listener in self.on_change:
            try:
                listener()
            except Exception:
                log.exception("listener failed")

    def _choose(self, kind: ReminderKind) -> Exercise:
        recent = self._recent[kind]
        exercise = choose_exercise(self._catalog, kind, self._settings.gear, recent, self._rng)
        recent.append(exercise.id)
        del recent[:-100]
        return exercise

    def _post(self, message: Message, timeout: timedelta) -> None:
        log.info("notify: %s | %s", message.title, message.body.replace("\n", " / "))
        self._outbox.post(message.title, message.body, timeout)

    def _record(
        self, what: str, reminder: str | None, exercise: str | None, detail: str | None = None
    ) -> None:
        from deskmobility.adapters.store import HistoryEvent  # noqa: PLC0415

        try:
            self._store.record(HistoryEvent(self._clock.now(), what, reminder, exercise, detail))
        except Exception as error:  # noqa: BLE001  # a full disk must not stop the reminders
            self.tell_once("History not saved", f"Could not record to history: {error}")
