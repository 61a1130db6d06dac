"""The history file's health and recovery: integrity and schema checks, WAL copy, move-aside.

A file that is not a (healthy) deskmobility database is never deleted: the store moves it
aside with its ``-wal``/``-shm`` and starts a new one. SQLite deletes a leftover ``-wal``
when it finds the main file damaged, so a copy of it is taken before the file is opened.
Nothing here knows the store's schema: the migrations to compare against are passed in.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

Schema = frozenset[tuple[str, str, str, tuple[tuple[str, str, int, int], ...]]]


class UnusableFileError(Exception):
    """The file is not a (healthy) deskmobility database and must be moved aside."""


class MoveAsideError(Exception):
    """An unusable file could not be moved aside; the message names both paths."""


def problems(conn: sqlite3.Connection, check: str) -> str:
    """Run ``PRAGMA integrity_check`` or ``quick_check`` (which skips indexes).

    Return what it found, or "" when the database is sound.
    """
    found = [row[0] for row in conn.execute(f"PRAGMA {check}").fetchall()]
    return "" if found == ["ok"] else " ".join(found)[:200].replace("\n", " ")


def schema(conn: sqlite3.Connection) -> Schema:
    """Describe the tables, columns and indexes: their structure, not their SQL text."""
    objects = conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).fetchall()
    return frozenset(
        (kind, name, table, _columns(conn, name) if kind == "table" else ())
        for kind, name, table in objects
    )


def expected_schema(migrations: Sequence[Sequence[str]]) -> Schema:
    """Return the schema that ``migrations`` build, in a scratch database."""
    reference = sqlite3.connect(":memory:")
    try:
        for statements in migrations:
            for statement in statements:
                reference.execute(statement)
        return schema(reference)
    finally:
        reference.close()


def copy_wal(path: Path) -> Path | None:
    """Copy a leftover ``-wal`` before SQLite sees it: SQLite deletes it if the file is damaged."""
    wal = Path(f"{path}-wal")
    if not wal.is_file() or wal.stat().st_size == 0:
        return None
    copy = Path(f"{path}-wal.before-open")
    shutil.copyfile(wal, copy)
    return copy


def move_aside(path: Path, wal_copy: Path | None) -> Path:
    """Rename ``path`` and its -wal/-shm to a free ``<name>.corrupt-YYYYmmdd-HHMMSS``."""
    stamp = datetime.now(UTC).astimezone().strftime("%Y%m%d-%H%M%S")
    aside, n = path.with_name(f"{path.name}.corrupt-{stamp}"), 1
    while any(Path(f"{aside}{s}").exists() for s in ("", "-wal", "-shm")):
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    wal = Path(f"{path}-wal")
    moves = [(path, aside), (Path(f"{path}-shm"), Path(f"{aside}-shm"))]
    moves.append((wal if wal.exists() or wal_copy is None else wal_copy, Path(f"{aside}-wal")))
    try:
        for source, target in moves:
            if source.exists():
                source.rename(target)
    except OSError as err:
        raise MoveAsideError(
            f"The history database {path} is unreadable and could not be moved to {aside}: "
            f"{err.strerror}"
        ) from err
    return aside


def _columns(conn: sqlite3.Connection, table: str) -> tuple[tuple[str, str, int, int], ...]:
    rows = conn.execute(
        'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid', (table,)
    ).fetchall()
    return tuple((name, kind, notnull, pk) for name, kind, notnull, pk in rows)
