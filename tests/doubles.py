"""Test doubles for the App's ports (deskmobility/ports.py), shared by the unit tests.

Each stands in for an adapter that has its own tests against the real thing: the
APScheduler timer (tests/adapters/test_timer.py), the outbox and notifier (tests/e2e), the
idle watches (tests/e2e/test_idle_x11.py). mypy checks that each satisfies its Protocol.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from deskmobility.adapters.store import Store
from deskmobility.app import App
from deskmobility.core.config import Settings
from deskmobility.core.events import Notify
from deskmobility.core.history import HistoryEvent
from deskmobility.core.state import AppState

if TYPE_CHECKING:
    from deskmobility.ports import Alarms, History, HoldCheck, IdleWatch, Notifications


class MovableClock(Protocol):
    """A test clock: ``now``, ``monotonic`` and ``advance``."""

    def now(self) -> datetime: ...
    def monotonic(self) -> float: ...
    def advance(self, span: timedelta) -> None: ...


@dataclass
class HandFiredTimer:
    """Records armed jobs; ``run_until`` fires them in time order as the clock moves."""

    clock: MovableClock
    jobs: dict[str, tuple[datetime, Callable[[], None]]] = field(default_factory=dict)

    def at(self, job_id: str, when: datetime, action: Callable[[], None]) -> None:
        self.jobs[job_id] = (when, action)

    def cancel(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    first_on_ties: str = ""  # a job that runs first among those due at the same instant

    def run_until(self, end: datetime) -> None:
        while self.jobs:
            job_id, (when, action) = min(
                self.jobs.items(), key=lambda item: (item[1][0], item[0] != self.first_on_ties)
            )
            if when > end:
                break
            del self.jobs[job_id]
            self.clock.advance(max(timedelta(0), when - self.clock.now()))
            action()
        self.clock.advance(max(timedelta(0), end - self.clock.now()))


@dataclass
class RecordingOutbox:
    """Keeps every notification posted, in order: (title, body); and each dismissed slot."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    posted: list[Notify] = field(default_factory=list)
    dismissed: list[str] = field(default_factory=list)

    def post(self, notification: Notify) -> None:
        self.posted.append(notification)
        self.sent.append((notification.title, notification.body))

    def dismiss(self, slot: str) -> None:
        self.dismissed.append(slot)

    def titles(self) -> list[str]:
        return [title for title, _ in self.sent]


@dataclass
class StoreHistory:
    """Writes straight through to a real Store, so a test reads back what was recorded."""

    store: Store

    def record(self, event: HistoryEvent) -> None:
        self.store.record(event)

    def save_pause(self, until: datetime | None) -> None:
        self.store.set_paused_until(until)


class ScriptedIdleWatch:
    """An event-driven idle watch whose input the test scripts through ``last_input``.

    ``last_input = None`` is someone typing all the time; a time is the last keypress,
    after which the watch says "away" once ``away_after`` has passed, on the hand-fired
    timer, as X11's SYNC alarm or Mutter's idle watch would. Setting it again is new input:
    "back" at once if they were away.
    """

    name = "scripted"
    mode = "events (scripted by the test)"
    JOB = "scripted-idle-watch"

    def __init__(self, clock: MovableClock, timer: HandFiredTimer) -> None:
        self.clock = clock
        self.timer = timer
        # An absence that reaches the threshold as a reminder falls due counts first, as an
        # idle reading taken at the reminder would have it.
        timer.first_on_ties = self.JOB
        self.away = False
        self._last_input: datetime | None = None
        self._watching: tuple[timedelta, Callable[[timedelta], None], Callable[[], None]] | None
        self._watching = None

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        self._watching = (away_after, on_away, on_back)
        self._arm()

    def close(self) -> None:
        self.timer.cancel(self.JOB)
        self._watching = None

    @property
    def last_input(self) -> datetime | None:
        return self._last_input

    @last_input.setter
    def last_input(self, when: datetime | None) -> None:
        self._last_input = when
        if self.away and self._watching is not None:
            self.away = False
            self._watching[2]()
        self._arm()

    def _arm(self) -> None:
        self.timer.cancel(self.JOB)
        if self._watching is None or self._last_input is None or self.away:
            return
        away_after, on_away, _ = self._watching
        self.timer.at(self.JOB, self._last_input + away_after, lambda: self._fire(on_away))

    def _fire(self, on_away: Callable[[timedelta], None]) -> None:
        assert self._last_input is not None
        self.away = True
        on_away(self.clock.now() - self._last_input)


class SwitchableHold:
    """Stands in for the do-not-disturb / fullscreen checks: the test sets ``reason``."""

    def __init__(self) -> None:
        self.reason: str | None = None

    def held(self) -> str | None:
        return self.reason


def build_app(
    clock: MovableClock, store: Store, timer: HandFiredTimer, config: Settings, **ports: Any
) -> tuple[App, RecordingOutbox]:
    """An App over the doubles (and ``ports`` such as idle=, holds=), started, as launch.py
    builds the real one; exercises are chosen with a seeded rng."""
    outbox = RecordingOutbox()
    state = AppState.begin(config, clock.now(), paused_until=store.paused_until())
    app = App(
        state=state,
        clock=clock,
        outbox=outbox,
        timer=timer,
        history=StoreHistory(store),
        rng=random.Random(7),  # noqa: S311  # seeded, for repeatable exercise choices
        **ports,
    )
    app.start()
    return app, outbox


if TYPE_CHECKING:  # the doubles satisfy the ports they stand in for
    _alarms: type[Alarms] = HandFiredTimer
    _outbox: type[Notifications] = RecordingOutbox
    _history: type[History] = StoreHistory
    _idle: type[IdleWatch] = ScriptedIdleWatch
    _holds: type[HoldCheck] = SwitchableHold
