"""The two queues between the App and slow neighbours: the outbox and the history writer."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deskmobility.adapters.files import HISTORY_NAME
from deskmobility.adapters.history import HistoryWriter
from deskmobility.adapters.notify.outbox import Outbox
from deskmobility.adapters.store import Store
from deskmobility.core.events import Notify
from deskmobility.core.history import HistoryEvent, HistoryKind
from deskmobility.start_files import open_store

FRESH = timedelta(minutes=1)


class GatedNotifier:
    """Shows nothing until the gate opens: a notification server stopped with SIGSTOP."""

    name = "gated"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.busy = threading.Event()
        self.shown: list[str] = []

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        del body, timeout
        self.busy.set()
        self.gate.wait(10)
        self.shown.append(title)


def note(slot: str, title: str, fresh_for: timedelta) -> Notify:
    return Notify(slot, title, "", timedelta(seconds=5), fresh_for)


def drained(outbox: Outbox, notifier: GatedNotifier, count: int) -> list[str]:
    deadline = time.monotonic() + 5
    while len(notifier.shown) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    outbox.close()
    return notifier.shown


def test_a_stalled_server_gets_one_notification_per_slot_not_a_burst() -> None:
    notifier = GatedNotifier()
    outbox = Outbox(notifier, lambda reason: None)
    outbox.post(note("posture", "first", FRESH))
    assert notifier.busy.wait(5)  # the server now hangs on "first"
    for n in range(30):
        outbox.post(note("posture", f"posture {n}", FRESH))
    outbox.post(note("head", "head", FRESH))
    assert outbox.waiting() == 2
    notifier.gate.set()
    assert drained(outbox, notifier, 3) == ["first", "posture 29", "head"]


def test_a_notification_that_waited_past_its_freshness_is_dropped() -> None:
    now = [0.0]
    notifier = GatedNotifier()
    outbox = Outbox(notifier, lambda reason: None, monotonic=lambda: now[0])
    outbox.post(note("notice", "first", timedelta(hours=1)))
    assert notifier.busy.wait(5)
    outbox.post(note("posture", "stale", FRESH))
    outbox.post(note("notice:History", "still useful", timedelta(hours=1)))
    now[0] = 66.0  # the server was stopped for 66 s
    notifier.gate.set()
    assert drained(outbox, notifier, 2) == ["first", "still useful"]


def test_history_locked_at_start_is_written_once_free(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    Store.open(path)[0].close()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    problems: list[tuple[str, str]] = []
    writer = HistoryWriter(path, lambda title, body: problems.append((title, body)), None)
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    writer.record(HistoryEvent(at, HistoryKind.REMINDER, "posture", "chin-tuck"))
    writer.set_checklist_item("chair", checked=True)
    assert writer.checklist() == {"chair"}  # the menu shows it at once
    time.sleep(0.3)  # the writer meets the lock (its retry, not this test, sets the pace)
    locker.execute("ROLLBACK")
    locker.close()
    deadline = time.monotonic() + 15
    while writer.waiting() and time.monotonic() < deadline:
        time.sleep(0.05)
    writer.close()
    store, _ = Store.open(path)
    try:
        assert [e.kind for e in store.history()] == [HistoryKind.REMINDER]
        assert store.checklist() == {"chair"}
    finally:
        store.close()
    assert problems == []  # a lock is waited out, not reported as a failure


def test_a_locked_history_at_start_is_waited_for_not_swapped_for_a_temporary_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / HISTORY_NAME
    Store.open(path)[0].close()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert open_store(tmp_path) == (None, None)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
