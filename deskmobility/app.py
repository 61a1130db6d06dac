"""The running app: feeds events to the core's ``step`` and carries its effects out.

It holds no rule of its own. Each entry point (a timer, a tray click, a control command,
a config edit, a sensor's callback) becomes one event. Sensors are read before the lock
is taken; under the lock the core decides, the timers are pointed at the new state and
the effects are handed to their queues (the notification outbox, the history writer),
which never block; the tray is redrawn after the lock is released. So a tray click or a
``status`` call waits at most for one decision, never for D-Bus, X11 or SQLite.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import timedelta

from deskmobility.core.actions import Action
from deskmobility.core.clock import Clock
from deskmobility.core.config import ConfigError, Settings
from deskmobility.core.events import (
    ActionInvoked,
    CameBack,
    ClockChanged,
    CloseReason,
    ConfigRejected,
    DesktopKnown,
    Dismiss,
    DoneRequested,
    Due,
    Effect,
    Event,
    LaterRequested,
    Log,
    MicroBreakRequested,
    MicroBreakStepDue,
    NotificationClosed,
    Notify,
    PauseEnded,
    PauseRequested,
    ProblemFound,
    Record,
    Redraw,
    ResumeRequested,
    Said,
    SavePause,
    SettingsChanged,
    Started,
    WentAway,
)
from deskmobility.core.state import AppState, alarms, wants_hold_check
from deskmobility.core.status import Status, next_line, status_of
from deskmobility.core.step import step
from deskmobility.ports import Alarms, History, HoldCheck, IdleWatch, Notifications

log = logging.getLogger(__name__)


class App:
    """The reminder service. Every public method is thread-safe and returns quickly."""

    def __init__(  # the ports, each named
        self,
        *,
        state: AppState,
        clock: Clock,
        outbox: Notifications,
        timer: Alarms,
        history: History,
        idle: IdleWatch | None = None,
        holds: HoldCheck | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._state = state
        self._clock = clock
        self._outbox = outbox
        self._timer = timer
        self._history = history
        self._idle = idle
        self._holds = holds
        self._rng = rng or random.Random()  # noqa: S311  # choosing exercises, not secrets
        self._actions: dict[str, Callable[[], None]] = {
            "held": self._on_due,
            "micro-break-step": lambda: self._feed(MicroBreakStepDue()),
            "pause-end": lambda: self._feed(PauseEnded()),
        }
        self.on_change: list[Callable[[], None]] = []

    # -- the one way in ----------------------------------------------------------------

    def dispatch(self, event: Event) -> list[str]:
        """Let the core decide what ``event`` does, and carry that out.

        Returns what the core said in answer (for the command line that asked).
        """
        with self._lock:
            before = self._state.settings.natural_break
            now = self._clock.now()
            self._state, effects = step(
                self._state, event, now=now, monotonic=self._clock.monotonic(), rng=self._rng
            )
            self._point_timers()
            redraw = self._hand_off(effects)
            rewatch = self._state.settings.natural_break != before or isinstance(event, Started)
        if rewatch:
            self._watch_idle()
        if redraw:
            self._redraw()
        return [effect.text for effect in effects if isinstance(effect, Said)]

    # -- commands ------------------------------------------------------------------------

    def start(self) -> None:
        """Arm the timers and start watching for absences."""
        self.dispatch(Started())

    def start_micro_break(self) -> str:
        """Start a guided micro-break now, unless one is already running; say which."""
        return " ".join(self.dispatch(MicroBreakRequested()))

    def done(self) -> str:
        """The person did the running micro-break, or the last reminder; say what it was."""
        return " ".join(self.dispatch(DoneRequested()))

    def later(self, span: timedelta | None = None) -> str:
        """Snooze the last reminder (by ``span``, else the configured snooze); say until when."""
        return " ".join(self.dispatch(LaterRequested(span)))

    def act(self, slot: str, action: Action) -> None:
        """The person chose ``action`` on the notification in ``slot``."""
        self.dispatch(ActionInvoked(slot, action))

    def closed(self, slot: str, reason: CloseReason) -> None:
        """The notification in ``slot`` went away, for ``reason``."""
        self.dispatch(NotificationClosed(slot, reason))

    def desktop_known(self, *, tray: bool, actions: bool) -> None:
        """Say what this desktop offers (a tray, actions on notifications), once at start."""
        self.dispatch(DesktopKnown(tray=tray, actions=actions))

    def pause_for(self, span: timedelta) -> None:
        """Hold all reminders for ``span``."""
        self.dispatch(PauseRequested(self._clock.now() + span))

    def pause_until_tomorrow(self) -> None:
        """Hold all reminders until local midnight."""
        now = self._clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        self.dispatch(PauseRequested(midnight))

    def resume(self) -> None:
        """End a pause; every timer restarts now."""
        self.dispatch(ResumeRequested())

    def apply_settings(self, settings: Settings) -> None:
        """Adopt new settings from an edited config file."""
        self.dispatch(SettingsChanged(settings))

    def config_rejected(self, error: ConfigError) -> None:
        """Keep the last good settings; tell the user once per distinct problem."""
        self.dispatch(ConfigRejected(str(error)))

    def tell_once(self, title: str, body: str) -> None:
        """Log a problem and show it as a notification, once per distinct text."""
        self.dispatch(ProblemFound(title, body))

    def clock_changed(self) -> None:
        """The operating system says its clock was set: re-plan now."""
        self.dispatch(ClockChanged())

    # -- views ---------------------------------------------------------------------------

    def status(self) -> Status:
        """A consistent snapshot of the app's state."""
        with self._lock:
            return status_of(self._state, self._clock.now())

    def next_line(self) -> str:
        """One line for the menu: what comes next, e.g. "Next: stretch break at 14:05"."""
        return next_line(self.status())

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        return self._state.settings

    # -- internals -----------------------------------------------------------------------

    def _feed(self, event: Event) -> None:
        """Dispatch an event nobody waits to hear the answer to (a timer, a sensor)."""
        self.dispatch(event)

    def _on_due(self) -> None:
        # Read what holds reminders before taking the lock (it may ask D-Bus or X11, and
        # take seconds), and only when something would be shown.
        with self._lock:
            check = self._holds is not None and wants_hold_check(self._state, self._clock.now())
        held = self._holds.held() if check and self._holds is not None else None
        self.dispatch(Due(held))

    def _point_timers(self) -> None:
        """Arm each timer at the time the state wants (in memory: no I/O)."""
        for job, when in alarms(self._state).items():
            if when is None:
                self._timer.cancel(job)
            else:
                self._timer.at(job, when, self._actions.get(job, self._on_due))

    def _hand_off(self, effects: list[Effect]) -> bool:
        """Queue each effect with the adapter that carries it out; say if a redraw is due."""
        redraw = False
        for effect in effects:
            match effect:
                case Notify():
                    log.info("notify: %s | %s", effect.title, effect.body.replace("\n", " / "))
                    self._outbox.post(effect)
                case Dismiss(slot=slot):
                    self._outbox.dismiss(slot)
                case Record(event=event):
                    self._history.record(event)
                case SavePause(until=until):
                    self._history.save_pause(until)
                case Log(level=level, text=text):
                    log.log(level, "%s", text)
                case Redraw():
                    redraw = True
                case Said():
                    pass  # returned by dispatch
        return redraw

    def _watch_idle(self) -> None:
        if self._idle is not None:
            self._idle.watch(
                self._state.settings.natural_break,
                lambda idle: self._feed(WentAway(idle)),
                lambda: self._feed(CameBack()),
            )

    def _redraw(self) -> None:
        for listener in list(self.on_change):
            try:
                listener()
            except Exception:
                log.exception("listener failed")
