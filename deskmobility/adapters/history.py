"""Write the history on a thread of its own, and keep at it while the database is busy.

Another program holding the SQLite file locked (a backup tool, a ``sqlite3`` shell left
open in a transaction) must neither stall the app nor lose what it shows. Writes queue
here, in order, and one thread applies them: while the file is locked it waits and tries
again, then writes everything that queued meanwhile. The checklist ticks are kept in
memory too, so the tray never reads the file to draw its menu.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from deskmobility.adapters.store import Store, StoreBusyError, StoreError
from deskmobility.core.history import HistoryEvent

log = logging.getLogger(__name__)

# While the file is locked, try again this often (seconds); after any other failure (a
# full disk), this much less often.
BUSY_RETRY_S = 1.0
FAILED_RETRY_S = 30.0
# Beyond this many waiting writes the oldest go: memory is not a second database.
MAX_WAITING = 10_000


@dataclass(frozen=True)
class _Tick:
    item_id: str | None  # None: untick every item
    checked: bool


_Write = HistoryEvent | _Tick | tuple[str, datetime | None]  # the last: the pause's end


class HistoryWriter:
    """The app's ``History`` port, plus the checklist, over a ``Store`` opened on demand."""

    def __init__(
        self, path: Path, on_problem: Callable[[str, str], None], store: Store | None = None
    ) -> None:
        """``store`` is the store at ``path`` if it opened at start; else the thread retries."""
        self.path = path
        self._on_problem = on_problem
        self._store = store
        self._waiting: deque[_Write] = deque()
        self._wake = threading.Condition()
        self._closing = False
        self._ticked: set[str] = set()
        if store is not None:
            self._ticked = set(self._read_checklist(store))
        self._thread = threading.Thread(target=self._run, name="history", daemon=True)
        self._thread.start()

    # -- the History port ----------------------------------------------------------------

    def record(self, event: HistoryEvent) -> None:
        """Queue ``event``; it is written as soon as the file can take it."""
        self._queue(event)

    def save_pause(self, until: datetime | None) -> None:
        """Queue remembering the pause's end (None: no pause)."""
        self._queue(("paused_until", until))

    # -- the checklist ---------------------------------------------------------------------

    def checklist(self) -> frozenset[str]:
        """The ticked items, from memory."""
        with self._wake:
            return frozenset(self._ticked)

    def set_checklist_item(self, item_id: str, checked: bool) -> None:
        """Tick or untick one item now; the file follows."""
        self._tick(_Tick(item_id, checked))

    def reset_checklist(self) -> None:
        """Untick every item now; the file follows."""
        self._tick(_Tick(None, checked=False))

    # -- lifecycle -------------------------------------------------------------------------

    def waiting(self) -> int:
        """How many writes have not reached the file yet."""
        with self._wake:
            return len(self._waiting)

    def close(self, wait: float = 3.0) -> None:
        """Write what is waiting (for at most ``wait`` seconds), then close the store."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(wait)
        if left := self.waiting():
            log.warning("history: %d writes could not be saved before quitting", left)
        if self._store is not None:
            try:
                self._store.close()
            except StoreError as error:
                log.warning("%s", error)

    def _tick(self, tick: _Tick) -> None:
        with self._wake:
            _mark(self._ticked, tick)
        self._queue(tick)

    def _queue(self, write: _Write) -> None:
        with self._wake:
            if len(self._waiting) >= MAX_WAITING:
                self._waiting.popleft()
                log.warning("history: too many writes waiting; dropped the oldest")
            self._waiting.append(write)
            self._wake.notify()

    def _run(self) -> None:
        retry_in: float | None = None
        while True:
            with self._wake:
                if retry_in is not None and not self._closing:
                    self._wake.wait(retry_in)
                while not self._waiting and not self._closing:
                    self._wake.wait()
                if not self._waiting:
                    return
                write = self._waiting[0]
            retry_in = self._try(write)
            if retry_in is None:
                with self._wake:
                    self._waiting.popleft()
            elif self._closing:
                return

    def _try(self, write: _Write) -> float | None:
        """Apply one write; None when done, else seconds to wait before trying it again."""
        try:
            store = self._store or self._open()
            _apply(store, write)
        except StoreBusyError as error:
            log.info("history waits: %s", error)
            return BUSY_RETRY_S
        except StoreError as error:
            self._on_problem("History not saved", f"{error}. deskmobility keeps trying.")
            return FAILED_RETRY_S
        return None

    def _open(self) -> Store:
        store, moved = Store.open(self.path)
        if moved:
            self._on_problem("History", moved)
        ticked = self._read_checklist(store)
        with self._wake:  # ticks made before the file opened are still queued: keep them
            queued = [w for w in self._waiting if isinstance(w, _Tick)]
            self._ticked = set(ticked)
            for tick in queued:
                _mark(self._ticked, tick)
        self._store = store
        log.info("history: %s is open", store.path)
        return store

    @staticmethod
    def _read_checklist(store: Store) -> frozenset[str]:
        try:
            return store.checklist()
        except StoreError as error:
            log.warning("%s", error)
            return frozenset()


def _apply(store: Store, write: _Write) -> None:
    if isinstance(write, HistoryEvent):
        store.record(write)
    elif isinstance(write, _Tick):
        if write.item_id is None:
            store.reset_checklist()
        else:
            store.set_checklist_item(write.item_id, write.checked)
    else:
        store.set_paused_until(write[1])


def _mark(ticked: set[str], tick: _Tick) -> None:
    if tick.item_id is None:
        ticked.clear()
    elif tick.checked:
        ticked.add(tick.item_id)
    else:
        ticked.discard(tick.item_id)
