"""A neighbour that stalls for seconds never stalls the app's answers.

Real parts where they run here: the real App, the real outbox and history writer, a real
SQLite file held locked by a second connection. The stalled sensor and notifier are
doubles that block on an Event, as a hung D-Bus call or a SIGSTOPped server does; the
notification server stopped for real is in tests/e2e/test_resilience.py.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from deskmobility.adapters.history import HistoryWriter
from deskmobility.adapters.notify.outbox import Outbox
from deskmobility.adapters.store import Store
from deskmobility.app import App
from deskmobility.core.clock import SystemClock
from deskmobility.core.config import ReminderSettings, Settings
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.state import AppState
from tests.doubles import HandFiredTimer

ANSWER_WITHIN = 0.2  # seconds: a tray click or `deskmobility status` must feel instant
STALL = 3.0  # seconds a neighbour hangs


def every_second() -> Settings:
    return Settings(
        reminders={kind: ReminderSettings(True, timedelta(seconds=1)) for kind in ReminderKind}
    )


class StalledHold:
    """A do-not-disturb check that hangs until released (a D-Bus call with no answer)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def held(self) -> str | None:
        self.entered.set()
        self.release.wait(STALL)
        return None


class StalledNotifier:
    """A notification server that takes STALL seconds to answer each Notify."""

    name = "stalled"

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.entered = threading.Event()

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        del body, timeout
        self.entered.set()
        time.sleep(STALL)  # the stall itself: a server that does not answer
        self.shown.append(title)


def slowest(call: Callable[[], object], times: int = 5) -> float:
    worst = 0.0
    for _ in range(times):
        began = time.monotonic()
        call()
        worst = max(worst, time.monotonic() - began)
    return worst


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened, _ = Store.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def make_app(
    store: Store, outbox: Outbox, *, holds: StalledHold | None = None
) -> tuple[App, HistoryWriter]:
    clock = SystemClock()
    history = HistoryWriter(store.path, lambda title, body: None, store)
    app = App(
        state=AppState.begin(every_second(), clock.now() - timedelta(seconds=5)),
        clock=clock,
        outbox=outbox,
        timer=HandFiredTimer(clock),  # type: ignore[arg-type]  # never run: jobs fired by hand
        history=history,
        holds=holds,
    )
    return app, history


def test_a_hanging_hold_check_does_not_hold_up_status_or_a_click(store: Store) -> None:
    hold = StalledHold()
    outbox = Outbox(StalledNotifier(), lambda reason: None)
    app, history = make_app(store, outbox, holds=hold)
    due = threading.Thread(target=app._on_due)  # what the timer thread runs
    due.start()
    try:
        assert hold.entered.wait(5)
        assert slowest(app.status) < ANSWER_WITHIN
        assert slowest(app.start_micro_break, times=1) < ANSWER_WITHIN
    finally:
        hold.release.set()
        due.join()
        outbox.close(0)
        history.close()


def test_a_stalled_notification_server_does_not_hold_up_status(store: Store) -> None:
    notifier = StalledNotifier()
    outbox = Outbox(notifier, lambda reason: None)
    app, history = make_app(store, outbox)
    try:
        app.start_micro_break()
        assert notifier.entered.wait(5)
        for _ in range(3):  # more reminders fall due while the server hangs
            app._on_due()
        assert slowest(app.status) < ANSWER_WITHIN
        assert outbox.waiting() <= len(ReminderKind) + 1  # one per slot, no pile
    finally:
        outbox.close(0)
        history.close()


def test_a_locked_history_file_loses_nothing_and_blocks_nothing(store: Store) -> None:
    outbox = Outbox(StalledNotifier(), lambda reason: None)
    app, history = make_app(store, outbox)
    locker = sqlite3.connect(store.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        assert slowest(app.start_micro_break, times=1) < ANSWER_WITHIN
        for _ in range(3):
            app._on_due()
        assert slowest(app.status) < ANSWER_WITHIN
        assert history.waiting() >= 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    deadline = time.monotonic() + 10
    while history.waiting() and time.monotonic() < deadline:
        time.sleep(0.05)
    outbox.close(0)
    history.close()
    reopened, _ = Store.open(store.path)
    try:
        kinds = [event.kind for event in reopened.history()]
    finally:
        reopened.close()
    assert HistoryKind.MICRO_BREAK_STARTED in kinds
    assert kinds.count(HistoryKind.REMINDER) >= 1
