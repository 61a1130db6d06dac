"""How long a tray click and ``status`` take while a neighbour hangs (issue 9's defect 1).

The real App, outbox and history writer; the hanging neighbour is a do-not-disturb check
that takes 3 s, a notifier that takes 3 s, or the history file held locked by a second
SQLite connection. Prints the median and worst of 50 ``status`` calls and of 5 clicks
("Start micro-break") during each stall.

    python -m bench.stall_latency
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from deskmobility.adapters.history import HistoryWriter
from deskmobility.adapters.notify.outbox import Outbox
from deskmobility.adapters.store import Store
from deskmobility.app import App
from deskmobility.core.clock import SystemClock
from deskmobility.core.config import ReminderSettings, Settings
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.state import AppState

STALL_S = 3.0


class _NoTimer:
    """Timers are not what is measured: arming one is kept in memory and never fires."""

    def at(self, job_id: str, when: object, action: Callable[[], None]) -> None:
        del job_id, when, action

    def cancel(self, job_id: str) -> None:
        del job_id


class _SlowHold:
    def held(self) -> str | None:
        time.sleep(STALL_S)
        return None


class _SlowNotifier:
    name = "slow"

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        del title, body, timeout
        time.sleep(STALL_S)


def _ignore(*_told: str) -> None:
    """Problems are not what is measured."""


def _app(folder: Path, *, slow_hold: bool) -> tuple[App, Outbox, HistoryWriter, Store]:
    store, _ = Store.open(folder / "history.sqlite3")
    clock = SystemClock()
    settings = Settings(
        reminders={
            kind: ReminderSettings(enabled=True, every=timedelta(seconds=1))
            for kind in ReminderKind
        }
    )
    outbox = Outbox(_SlowNotifier(), _ignore)
    history = HistoryWriter(store.path, _ignore, store)
    app = App(
        state=AppState.begin(settings, clock.now() - timedelta(seconds=5)),
        clock=clock,
        outbox=outbox,
        timer=_NoTimer(),
        history=history,
        holds=_SlowHold() if slow_hold else None,
    )
    return app, outbox, history, store


def _timings(call: Callable[[], object], times: int) -> list[float]:
    spans = []
    for _ in range(times):
        began = time.perf_counter()
        call()
        spans.append(time.perf_counter() - began)
    return spans


def _report(name: str, status: list[float], click: list[float]) -> None:
    def ms(values: list[float]) -> str:
        return (
            f"median {statistics.median(values) * 1000:6.2f} ms, worst {max(values) * 1000:6.2f} ms"
        )

    print(f"{name:<34} status: {ms(status)}   click: {ms(click)}")


def main() -> None:
    """Measure the three stalls and print a line each."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "hold").mkdir()
        app, outbox, history, _ = _app(folder / "hold", slow_hold=True)
        due = threading.Thread(target=app._on_due)  # noqa: SLF001  # what the timer runs
        due.start()
        time.sleep(0.1)
        _report(
            "do-not-disturb check hangs 3 s",
            _timings(app.status, 50),
            _timings(app.start_micro_break, 5),
        )
        due.join()
        outbox.close(0)
        history.close()

        (folder / "notify").mkdir()
        app, outbox, history, _ = _app(folder / "notify", slow_hold=False)
        app.start_micro_break()
        time.sleep(0.1)  # the notifier is now inside its 3 s
        for _ in range(5):
            app._on_due()  # noqa: SLF001
        _report(
            "notification server hangs 3 s",
            _timings(app.status, 50),
            _timings(app.start_micro_break, 5),
        )
        outbox.close(0)
        history.close()

        (folder / "locked").mkdir()
        app, outbox, history, store = _app(folder / "locked", slow_hold=False)
        locker = sqlite3.connect(store.path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        for _ in range(5):
            app._on_due()  # noqa: SLF001
        _report("history file locked", _timings(app.status, 50), _timings(app.start_micro_break, 5))
        locker.execute("ROLLBACK")
        locker.close()
        outbox.close(0)
        history.close()


if __name__ == "__main__":
    main()
