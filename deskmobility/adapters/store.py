"""The user's history and small app state, kept in one SQLite file in the per-OS data folder.

Durability: WAL journal with ``synchronous=NORMAL``. A method that writes returns only after
its transaction is committed, which in WAL mode means its frames have been handed to the
operating system with ``write()``. A crash or SIGKILL of the app therefore loses nothing
that was acknowledged (``tests/adapters/test_store.py`` kills a writer at random moments to
check exactly this). Only a power cut or a kernel crash can roll back the last commits
(those the kernel had not yet written back, typically under half a minute's worth), and
even then the file stays consistent. ``FULL`` would fsync the WAL on every commit; the app
writes from its history thread (``adapters/history.py``), where a stall would hold up no
answer, but one fsync per reminder on a spun-down laptop disk is still too high a price
for the last reminder before a power cut. ``close()`` checkpoints, and a checkpoint is
fsynced, so everything is on disk after a clean exit.

One connection serves every thread, behind a lock; each write is one short transaction.
The schema version lives in ``PRAGMA user_version``; ``_MIGRATIONS`` is the one place
that changes the schema, one forward step per version, each in its own transaction.
A file that is not a database or is corrupted is never deleted: it is moved aside with
its ``-wal``/``-shm`` and a fresh store is started (``_store_files`` checks and moves it).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from deskmobility.adapters._store_files import (
    MoveAsideError,
    UnusableFileError,
    copy_wal,
    expected_schema,
    move_aside,
    problems,
    schema,
)
from deskmobility.core.history import HistoryEvent, HistoryKind

__all__ = ["HistoryEvent", "Store", "StoreBusyError", "StoreError"]

_log = logging.getLogger(__name__)

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: the first schema. `at` keeps the user's wall-clock time and offset; `at_us`
    # (microseconds since the Unix epoch) orders events correctly across offset changes.
    (
        (
            "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, at_us INTEGER NOT NULL,"
            " kind TEXT NOT NULL, reminder TEXT, exercise TEXT, detail TEXT)"
        ),
        "CREATE INDEX events_by_time ON events (at_us, id)",
        "CREATE INDEX events_with_exercise ON events (at_us, id) WHERE exercise IS NOT NULL",
        "CREATE TABLE checklist (item_id TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ),
)

_SYNCHRONOUS = "NORMAL"  # see the module docstring
_BUSY_TIMEOUT_S = 5.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_PAUSED_UNTIL = "paused_until"
_EVENT_COLUMNS = "at, kind, reminder, exercise, detail"


class StoreError(Exception):
    """The store cannot do its job; the message names the file and says what is wrong."""


class StoreBusyError(StoreError):
    """Another process holds the database locked; the same call may work a moment later."""


class Store:
    """History, checklist ticks and pause state in one SQLite database."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        """Wrap an open, migrated connection; use ``Store.open`` instead."""
        self.path = path
        self._conn = connection
        self._lock = threading.Lock()
        self._damaged: set[object] = set()

    @classmethod
    def open(cls, path: Path) -> tuple[Self, str | None]:
        """Open or create the store at ``path``.

        Returns the store and, when an unreadable file had to be moved aside, a one-line
        message for the user naming both paths. Raises StoreError, naming the file, when
        the file can be neither used nor moved aside: the folder or the file cannot be
        written, or the file comes from a newer deskmobility (or SQLite); it is left as is.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            wal_copy = copy_wal(path)
        except OSError as err:
            raise StoreError(f"Cannot prepare the history database {path}: {err}") from err
        try:
            try:
                return cls(path, _connect(path)), None
            except UnusableFileError as err:
                reason = str(err)
            try:
                aside = move_aside(path, wal_copy)
            except MoveAsideError as err:
                raise StoreError(str(err)) from err
        finally:
            if wal_copy is not None:
                wal_copy.unlink(missing_ok=True)
        try:
            store = cls(path, _connect(path))
        except UnusableFileError as err:  # cannot happen to a new, empty file
            raise StoreError(f"Cannot start a new history database {path}: {err}") from err
        return store, (
            f"The history file {path} could not be used ({reason}); it was moved to "
            f"{aside} and a new, empty history was started."
        )

    def record(self, event: HistoryEvent) -> None:
        """Append ``event``; it is committed when this returns."""
        at_us = (event.at - _EPOCH) // _MICROSECOND
        self._write(
            f"INSERT INTO events ({_EVENT_COLUMNS}, at_us) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
            (event.at.isoformat(), event.kind, event.reminder, event.exercise, event.detail, at_us),
        )

    def history(self, since: datetime | None = None) -> list[HistoryEvent]:
        """Return the events at or after ``since`` (all if None), oldest first."""
        where, params = "", ()  # type: tuple[str, tuple[int, ...]]
        if since is not None:
            where, params = "WHERE at_us >= ?", ((since - _EPOCH) // _MICROSECOND,)
        rows = self._read(
            f"SELECT id, at_us, {_EVENT_COLUMNS} FROM events {where} ORDER BY at_us, id",  # noqa: S608
            params,
        )
        events = []
        for row in rows:
            event = _to_event(row)
            if event is not None:
                events.append(event)
            elif row[0] not in self._damaged:  # say it once; the row stays in the file
                self._damaged.add(row[0])
                _log.warning("Skipping damaged event #%s in %s: %r", row[0], self.path, row)
        return events

    def recent_exercises(self, reminder: str, limit: int = 50) -> list[str]:
        """Return up to ``limit`` exercise ids shown for ``reminder``, most recent last.

        An event counts when its (possibly comma-joined) ``reminder`` includes ``reminder``
        and it names an exercise. Back-to-back repeats of one id (a break's start and its
        finish) count once.
        """
        found: list[str] = []
        with self._lock:
            try:
                cursor = self._conn.execute(
                    "SELECT exercise FROM events WHERE exercise IS NOT NULL"
                    " AND instr(',' || reminder || ',', ',' || ? || ',') > 0"
                    " ORDER BY at_us DESC, id DESC",
                    (reminder,),
                )
                for (exercise,) in cursor:
                    if len(found) >= limit:
                        break
                    if isinstance(exercise, str) and (not found or found[-1] != exercise):
                        found.append(exercise)
                cursor.close()
            except sqlite3.Error as err:
                raise self._error("read", err) from err
        found.reverse()
        return found

    def checklist(self) -> frozenset[str]:
        """Return the ids of the ticked checklist items."""
        rows = self._read("SELECT item_id FROM checklist", ())
        return frozenset(item for (item,) in rows if isinstance(item, str))

    def set_checklist_item(self, item_id: str, checked: bool) -> None:
        """Tick or untick one checklist item."""
        if checked:
            self._write("INSERT OR IGNORE INTO checklist (item_id) VALUES (?)", (item_id,))
        else:
            self._write("DELETE FROM checklist WHERE item_id = ?", (item_id,))

    def reset_checklist(self) -> None:
        """Untick every checklist item."""
        self._write("DELETE FROM checklist", ())

    def has_event(self, kind: HistoryKind) -> bool:
        """Tell whether any event of ``kind`` was ever recorded."""
        return bool(self._read("SELECT 1 FROM events WHERE kind = ? LIMIT 1", (kind.value,)))

    def paused_until(self) -> datetime | None:
        """Return when the current pause ends, or None when not paused."""
        rows = self._read("SELECT value FROM settings WHERE key = ?", (_PAUSED_UNTIL,))
        return _parse_time(rows[0][0]) if rows else None

    def set_paused_until(self, until: datetime | None) -> None:
        """Remember when the pause ends; None clears it."""
        if until is None:
            self._write("DELETE FROM settings WHERE key = ?", (_PAUSED_UNTIL,))
            return
        if until.utcoffset() is None:
            raise ValueError(f"paused_until must be timezone-aware, got {until!r}")
        self._write(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            (_PAUSED_UNTIL, until.isoformat()),
        )

    def close(self) -> None:
        """Checkpoint the WAL into the database (fsynced) and close; closing twice is fine."""
        with self._lock:
            try:
                self._conn.close()
            except sqlite3.Error as err:
                raise self._error("close", err) from err

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        # One statement in autocommit mode is one transaction, committed before execute returns.
        with self._lock:
            try:
                self._conn.execute(sql, params)
            except sqlite3.Error as err:
                raise self._error("save to", err) from err

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise self._error("read", err) from err

    def _error(self, doing: str, err: sqlite3.Error) -> StoreError:
        kind = StoreBusyError if _busy(err) else StoreError
        return kind(f"Could not {doing} the history database {self.path}: {err}")


def _busy(err: sqlite3.Error) -> bool:
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    return code in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def _to_event(row: tuple[Any, ...]) -> HistoryEvent | None:
    """Build the event from a row, or return None when bit rot left it unreadable."""
    _, at_us, at, kind, *optional = row
    if not isinstance(kind, str) or not all(v is None or isinstance(v, str) for v in optional):
        return None
    try:
        what = HistoryKind(kind)
    except ValueError:  # from a newer deskmobility, or damaged
        return None
    when = _parse_time(at)
    if when is None and isinstance(at_us, int):  # the text is damaged, the sort key is not
        try:
            when = _EPOCH + at_us * _MICROSECOND
        except OverflowError:
            return None
    return None if when is None else HistoryEvent(when, what, *optional)


def _parse_time(value: object) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return when if when is not None and when.utcoffset() is not None else None


def _decode(raw: bytes) -> str:
    """Decode TEXT leniently: one damaged byte must not make the whole history unreadable."""
    return raw.decode("utf-8", "replace")


def _connect(path: Path) -> sqlite3.Connection:
    """Open ``path``, check it and bring its schema up to date.

    Raises UnusableFileError for a file to move aside, StoreError for anything else.
    """
    try:
        conn = sqlite3.connect(
            path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as err:
        raise _open_error(path, err) from err
    conn.text_factory = _decode
    try:
        _prepare(conn, path)
    except sqlite3.Error as err:
        _close_quietly(conn)
        raise _open_error(path, err) from err
    except UnicodeDecodeError as err:
        # Python fails to decode SQLite's error message when it quotes damaged schema text.
        _close_quietly(conn)
        raise UnusableFileError("corrupted: its schema is unreadable") from err
    except BaseException:
        _close_quietly(conn)
        raise
    return conn


def _open_error(path: Path, err: sqlite3.Error) -> Exception:
    code = getattr(err, "sqlite_errorcode", 0) & 0xFF
    if code in {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}:
        return UnusableFileError(str(err))
    hint = ""
    if code in {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM}:
        hint = f" (can this user write to {path.name} and to the folder {path.parent}?)"
    elif _busy(err):
        return StoreBusyError(f"The history database {path} is locked by another program: {err}")
    return StoreError(f"Cannot open the history database {path}: {err}{hint}")


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    # Everything that can reject the file runs before the first write, so a file that is
    # moved aside is moved exactly as it was found. (The one exception: indexes that do not
    # match sound tables are rebuilt, and only if that fails is the file moved aside.)
    damage = problems(conn, "integrity_check")
    if damage and problems(conn, "quick_check"):  # damaged pages or rows, not just indexes
        raise UnusableFileError(f"corrupted: {damage}")
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(_MIGRATIONS):
        raise StoreError(
            f"The history database {path} was written by a newer deskmobility (schema "
            f"{version}, this one knows up to {len(_MIGRATIONS)}); it was left untouched. Update "
            "deskmobility, or move the file away to start a new history."
        )
    if version < 0 or schema(conn) != expected_schema(_MIGRATIONS[:version]):
        raise UnusableFileError(
            f"its tables are not those of a deskmobility database at schema {version}"
        )
    if damage:
        conn.execute("REINDEX")
        if damage := problems(conn, "integrity_check"):
            raise UnusableFileError(f"corrupted: {damage}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {_SYNCHRONOUS}")
    for step in range(version, len(_MIGRATIONS)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _MIGRATIONS[step]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    # A write that changes nothing, to find out now whether writes work at all: SQLite
    # opens a read-only file (or one from a future SQLite) without complaint.
    conn.execute(f"PRAGMA user_version = {len(_MIGRATIONS)}")


def _close_quietly(conn: sqlite3.Connection) -> None:
    try:
        conn.close()
    except sqlite3.Error:  # the original error is the one worth reporting
        return
