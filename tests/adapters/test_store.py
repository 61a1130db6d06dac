"""The SQLite store on real files: round trips, damaged files, read-only folders, SIGKILL."""

from __future__ import annotations

import functools
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskmobility.adapters import store as store_module
from deskmobility.adapters.store import HistoryEvent, Store, StoreError
from deskmobility.core.history import HistoryKind

PLUS2 = timezone(timedelta(hours=2))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=PLUS2)
ASIDE_NAME = re.compile(r"history\.db\.corrupt-\d{8}-\d{6}(-\d+)?")
SCHEMA_VERSION = len(store_module._MIGRATIONS)


def _open(path: Path) -> Store:
    store, message = Store.open(path)
    assert message is None
    return store


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return version


def _event(
    minutes: int, kind: HistoryKind = HistoryKind.REMINDER, **fields: str | None
) -> HistoryEvent:
    return HistoryEvent(at=T0 + timedelta(minutes=minutes), kind=kind, **fields)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "deskmobility" / "history.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    opened = _open(db)
    yield opened
    opened.close()


# --- round trips ---------------------------------------------------------------------------


def test_events_come_back_equal_and_aware_after_reopening(db: Path) -> None:
    events = [
        _event(0, reminder="posture", detail="sat up"),
        _event(
            1, HistoryKind.MICRO_BREAK_STARTED, reminder="stretch", exercise="thoracic-extension"
        ),
        _event(
            3, HistoryKind.MICRO_BREAK_FINISHED, reminder="stretch", exercise="thoracic-extension"
        ),
        _event(4, HistoryKind.PAUSE, detail="until 10:00"),
        _event(5, HistoryKind.REMINDER, reminder="posture,head"),
        _event(6, HistoryKind.SUSPEND),
    ]
    first = _open(db)
    for event in events:
        first.record(event)
    first.close()

    back = _open(db).history()

    assert back == events
    assert all(e.at.utcoffset() == timedelta(hours=2) for e in back)


def test_history_is_oldest_first_by_instant_across_offset_changes(store: Store) -> None:
    # 10:30+02:00 is 08:30Z, earlier than 09:00Z although its text sorts later.
    late = HistoryEvent(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), HistoryKind.RESUME)
    early = HistoryEvent(datetime(2026, 3, 2, 10, 30, tzinfo=PLUS2), HistoryKind.PAUSE)
    store.record(late)
    store.record(early)

    assert store.history() == [early, late]


def test_history_since_includes_the_boundary(store: Store) -> None:
    for minutes in (0, 10, 20):
        store.record(_event(minutes))

    since = [e.at for e in store.history(since=(T0 + timedelta(minutes=10)).astimezone(UTC))]

    assert since == [T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)]


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        HistoryEvent(datetime(2026, 3, 2, 9, 0), HistoryKind.REMINDER)  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        store.set_paused_until(datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001


def test_recent_exercises_are_most_recent_last_for_that_reminder_only(store: Store) -> None:
    store.record(_event(0, HistoryKind.MICRO_BREAK_STARTED, reminder="stretch", exercise="a"))
    store.record(_event(1, HistoryKind.MICRO_BREAK_FINISHED, reminder="stretch", exercise="a"))
    store.record(_event(2, HistoryKind.MICRO_BREAK_STARTED, reminder="head", exercise="chin-tuck"))
    store.record(_event(3, HistoryKind.REMINDER, reminder="posture,stretch", exercise="b"))
    store.record(_event(4, HistoryKind.REMINDER, reminder="stretch"))
    store.record(_event(5, HistoryKind.MICRO_BREAK_STARTED, reminder="stretch", exercise="a"))
    # recorded late but happened earliest: order follows the time of the event
    store.record(_event(-1, HistoryKind.MICRO_BREAK_STARTED, reminder="stretch", exercise="z"))

    assert store.recent_exercises("stretch") == ["z", "a", "b", "a"]
    assert store.recent_exercises("stretch", limit=2) == ["b", "a"]
    assert store.recent_exercises("head") == ["chin-tuck"]
    assert store.recent_exercises("posture") == ["b"]
    assert store.recent_exercises("stretch", limit=0) == []


def test_checklist_ticks_survive_reopening(db: Path) -> None:
    first = _open(db)
    first.set_checklist_item("monitor_height", checked=True)
    first.set_checklist_item("chair_height", checked=True)
    first.set_checklist_item("chair_height", checked=True)
    first.set_checklist_item("lighting", checked=True)
    first.set_checklist_item("lighting", checked=False)
    first.set_checklist_item("never_ticked", checked=False)
    first.close()

    second = _open(db)
    assert second.checklist() == {"monitor_height", "chair_height"}
    second.reset_checklist()
    second.close()

    assert _open(db).checklist() == frozenset()


def test_paused_until_is_kept_then_cleared(db: Path) -> None:
    first = _open(db)
    assert first.paused_until() is None
    first.set_paused_until(T0)
    first.set_paused_until(T0 + timedelta(hours=1))
    first.close()

    second = _open(db)
    until = second.paused_until()
    assert until == T0 + timedelta(hours=1)
    assert until is not None
    assert until.utcoffset() == timedelta(hours=2)
    second.set_paused_until(None)
    second.close()

    assert _open(db).paused_until() is None


def test_store_makes_its_folders_uses_wal_and_the_current_schema(db: Path) -> None:
    store = _open(db)
    store.close()

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    assert _user_version(db) == SCHEMA_VERSION


def test_threads_share_one_store(store: Store) -> None:
    def write(thread: int) -> None:
        for i in range(50):
            store.record(_event(i, detail=f"{thread}-{i}"))
            store.set_checklist_item(f"item-{thread}", checked=i % 2 == 0)
            store.history(since=T0 + timedelta(minutes=45))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    details = [e.detail or "" for e in store.history()]
    assert sorted(details) == sorted(f"{t}-{i}" for t in range(8) for i in range(50))
    assert store.checklist() == frozenset()  # the last write of each thread unticked


def test_closing_twice_is_harmless_and_use_after_close_says_which_file(db: Path) -> None:
    store = _open(db)
    store.close()
    store.close()

    with pytest.raises(StoreError, match=re.escape(str(db))):
        store.record(_event(0))


events = st.builds(
    HistoryEvent,
    at=st.datetimes(
        # Offsets in whole seconds: every real timezone's are, and Python 3.11's
        # datetime.fromisoformat drops a sub-second offset ("+00:00:00.000001" reads as UTC).
        timezones=st.builds(
            timezone,
            st.integers(min_value=-(24 * 3600 - 60), max_value=24 * 3600 - 60).map(
                lambda seconds: timedelta(seconds=seconds)
            ),
        )
    ),
    kind=st.sampled_from(
        [
            HistoryKind.REMINDER,
            HistoryKind.MICRO_BREAK_STARTED,
            HistoryKind.PAUSE,
            HistoryKind.SUSPEND,
        ]
    ),
    reminder=st.none() | st.sampled_from(["posture", "head", "stretch", "posture,head"]),
    exercise=st.none() | st.text(),
    detail=st.none() | st.text(),
)


def test_any_events_come_back_in_time_order_with_their_offsets(store: Store) -> None:
    @given(st.lists(events, max_size=20))
    @settings(deadline=None)
    def round_trip(recorded: list[HistoryEvent]) -> None:
        store._conn.execute("DELETE FROM events")
        for event in recorded:
            store.record(event)
        back = store.history()

        expected = sorted(recorded, key=lambda e: e.at)  # stable: ties keep recording order
        assert back == expected
        assert [e.at.utcoffset() for e in back] == [e.at.utcoffset() for e in expected]

    round_trip()


# --- damaged files ---------------------------------------------------------------------------


@functools.cache
def _healthy_db_bytes() -> bytes:
    """Return the bytes of a small, checkpointed store with a few rows."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.db"
        store = _open(path)
        for minutes in range(30):
            store.record(_event(minutes, reminder="stretch", exercise=f"ex-{minutes}"))
        store.set_checklist_item("monitor_height", checked=True)
        store.set_paused_until(T0)
        store.close()
        return path.read_bytes()


def _assert_moved_aside(db: Path, message: str | None, original: bytes) -> Path:
    asides = [p for p in db.parent.iterdir() if ASIDE_NAME.fullmatch(p.name)]
    assert len(asides) == 1, asides
    aside = asides[0]
    assert aside.read_bytes() == original
    assert message is not None
    assert str(db) in message
    assert str(aside) in message
    assert "\n" not in message
    return aside


GARBAGE = {
    "random bytes": random.Random(4).randbytes(8192),  # noqa: S311 - fixed test data
    "a text file": b"[reminders.posture]\nevery = '20m'\n" * 40,
    "a truncated database": "truncated",
    "a database with one torn page": "torn",
    "only the SQLite header": "header",
}


def _garbage(kind: str) -> bytes:
    healthy = _healthy_db_bytes()
    match GARBAGE[kind]:
        case "truncated":
            return healthy[: len(healthy) // 2 + 100]
        case "torn":
            page = 4096 * 2
            return healthy[:page] + bytes(4096) + healthy[page + 4096 :]
        case "header":
            return healthy[:100]
        case raw:
            assert isinstance(raw, bytes)
            return raw


@pytest.mark.parametrize("kind", GARBAGE)
def test_garbage_is_moved_aside_and_a_fresh_store_works(db: Path, kind: str) -> None:
    original = _garbage(kind)
    db.parent.mkdir(parents=True)
    db.write_bytes(original)

    store, message = Store.open(db)

    _assert_moved_aside(db, message, original)
    store.record(_event(0, reminder="posture"))
    assert store.history() == [_event(0, reminder="posture")]
    store.close()
    assert _open(db).history() == [_event(0, reminder="posture")]


def test_a_leftover_wal_file_moves_aside_with_its_database(db: Path) -> None:
    # SQLite deletes the -wal of a file this short on open; the store keeps a copy first.
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not a database at all" * 10)
    Path(f"{db}-wal").write_bytes(b"wal frames")
    Path(f"{db}-shm").write_bytes(b"shm")

    store, message = Store.open(db)
    store.close()

    aside = _assert_moved_aside(db, message, b"not a database at all" * 10)
    assert Path(f"{aside}-wal").read_bytes() == b"wal frames"
    assert not Path(f"{db}-wal.before-open").exists()


def test_two_damaged_files_in_the_same_second_are_both_kept(db: Path) -> None:
    db.parent.mkdir(parents=True)
    for content in (b"first garbage", b"second garbage"):
        db.write_bytes(content)
        store, message = Store.open(db)
        store.close()
        assert message is not None

    asides = sorted(p.read_bytes() for p in db.parent.glob("history.db.corrupt-*"))
    assert asides == [b"first garbage", b"second garbage"]


def test_an_empty_file_is_a_new_database_and_is_not_moved_aside(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.touch()

    store = _open(db)
    store.record(_event(0))
    store.close()

    assert [p.name for p in db.parent.iterdir()] == ["history.db"]
    assert _open(db).history() == [_event(0)]


def test_another_programs_database_is_moved_aside(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)")
    conn.commit()
    conn.close()
    original = db.read_bytes()

    store, message = Store.open(db)
    store.close()

    _assert_moved_aside(db, message, original)
    assert message is not None
    assert "not those of a deskmobility database" in message


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(db: Path) -> None:
    store = _open(db)
    store.record(_event(0))
    store.close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    original = db.read_bytes()

    with pytest.raises(StoreError, match="newer deskmobility") as raised:
        Store.open(db)

    assert str(db) in str(raised.value)
    assert db.read_bytes() == original
    assert sorted(p.name for p in db.parent.iterdir()) == ["history.db"]


# --- read-only folders -----------------------------------------------------------------------


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """Yield a folder nobody can write in, holding a healthy store and a garbage file.

    Root ignores permission bits (CI runs as root), so there the folder is made immutable.
    """
    folder = tmp_path / "readonly"
    store = _open(folder / "history.db")
    store.record(_event(0))
    store.close()
    (folder / "garbage.db").write_bytes(b"garbage")
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield folder
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


@pytest.mark.parametrize("name", ["history.db", "new.db", "sub/history.db"])
def test_a_read_only_folder_is_a_store_error_naming_the_path(read_only: Path, name: str) -> None:
    path = read_only / name

    with pytest.raises(StoreError) as raised:
        Store.open(path)

    assert str(path.parent) in str(raised.value)


def test_garbage_in_a_read_only_folder_is_a_store_error_and_stays(read_only: Path) -> None:
    path = read_only / "garbage.db"

    with pytest.raises(StoreError, match=re.escape(f"{path}.corrupt-")) as raised:
        Store.open(path)

    assert f"{path} " in str(raised.value)
    assert path.read_bytes() == b"garbage"


# --- migrations ------------------------------------------------------------------------------


def test_a_database_at_user_version_0_is_migrated_to_the_current_schema(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)  # a rollback-journal database, as any SQLite tool leaves it
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")
    conn.close()

    store = _open(db)
    store.record(_event(0, reminder="posture"))
    store.close()

    assert _user_version(db) == SCHEMA_VERSION
    assert _open(db).history() == [_event(0, reminder="posture")]


def test_a_new_migration_runs_once_and_keeps_the_data(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _open(db)
    store.record(_event(0, reminder="posture"))
    store.close()
    added = (*store_module._MIGRATIONS, ("ALTER TABLE events ADD COLUMN mood TEXT",))
    monkeypatch.setattr(store_module, "_MIGRATIONS", added)

    _open(db).close()
    store = _open(db)  # at the new version already: nothing to run, nothing moved aside

    assert _user_version(db) == SCHEMA_VERSION + 1
    assert store.history() == [_event(0, reminder="posture")]
    store.close()


def test_a_failing_migration_is_rolled_back_and_reported(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _open(db)
    store.record(_event(0))
    store.close()
    broken = ("ALTER TABLE events ADD COLUMN mood TEXT", "CREATE TABLE events (x)")
    monkeypatch.setattr(store_module, "_MIGRATIONS", (*store_module._MIGRATIONS, broken))

    with pytest.raises(StoreError, match=re.escape(str(db))):
        Store.open(db)

    monkeypatch.undo()
    assert _user_version(db) == SCHEMA_VERSION
    assert _open(db).history() == [_event(0)]  # the half-done ALTER left no trace


# --- any bytes at all ------------------------------------------------------------------------


def _file_from(recipe: tuple[str, bytes, list[tuple[int, int]], float]) -> bytes:
    """Build the file from a short recipe, so that a failing example prints legibly."""
    kind, raw, edits, keep = recipe
    if kind == "raw":
        return raw
    if kind == "header":
        return b"SQLite format 3\x00" + raw
    damaged = bytearray(_healthy_db_bytes())
    for offset, value in edits:
        damaged[offset % len(damaged)] = value
    return bytes(damaged[: max(1, int(len(damaged) * keep))])


any_file = st.tuples(
    st.sampled_from(["raw", "header", "damaged healthy store", "damaged healthy store"]),
    st.binary(max_size=4096),
    st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8),
    st.sampled_from([1.0, 1.0, 0.75, 0.5, 0.1]),
)


@given(any_file)
@settings(deadline=None)
def test_any_bytes_open_as_the_existing_store_or_are_moved_aside(
    recipe: tuple[str, bytes, list[tuple[int, int]], float],
) -> None:
    content = _file_from(recipe)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "history.db"
        db.write_bytes(content)
        try:
            store, message = Store.open(db)
        except StoreError as err:
            refusal = str(err)
        else:
            refusal = ""
        if refusal:
            # A file it cannot write (say, from a newer deskmobility or a newer SQLite):
            # refused by name, left exactly as it was, nothing moved.
            assert str(db) in refusal
            assert db.read_bytes() == content
            assert [p.name for p in db.parent.iterdir()] == ["history.db"]
            return
        try:
            if message is None:
                assert not [p for p in db.parent.iterdir() if ASIDE_NAME.fullmatch(p.name)]
            else:
                _assert_moved_aside(db, message, content)
            store.record(_event(99, reminder="stretch", exercise="new"))
            store.set_checklist_item("lighting", checked=True)
            store.paused_until()
            assert _event(99, reminder="stretch", exercise="new") in store.history()
            assert "new" in store.recent_exercises("stretch")
            assert "lighting" in store.checklist()
        finally:
            store.close()


# --- SIGKILL ---------------------------------------------------------------------------------

WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from deskmobility.adapters.store import HistoryEvent, Store

print("opening", flush=True)
store, message = Store.open(Path(sys.argv[1]))
print("opened", message, flush=True)
n = int(sys.argv[2])
while True:
    store.record(HistoryEvent(datetime.now(UTC), "reminder", "posture", "chin-tuck", str(n)))
    print(n, flush=True)
    n += 1
"""


def test_every_acknowledged_event_survives_sigkill(db: Path) -> None:
    db.parent.mkdir(parents=True)
    package_root = Path(store_module.__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), *sys.path])}
    seed = random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)  # noqa: S311 - kill timing, not cryptography
    acknowledged: set[int] = set()
    in_flight: set[int] = set()  # written or not: the record() that SIGKILL interrupted

    for round_ in range(30):
        first = round_ * 1_000_000
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(first)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert writer.stdout is not None
        try:
            assert writer.stdout.readline() == "opening\n"
            if rng.random() < 0.2:  # sometimes while it checks, recovers or migrates the file
                time.sleep(rng.uniform(0, 0.005))
            else:
                assert writer.stdout.readline() == "opened None\n", f"seed {seed}"
                time.sleep(rng.uniform(0, 0.03))
        finally:
            writer.send_signal(signal.SIGKILL)
            output = writer.stdout.read()
            writer.wait()
            writer.stdout.close()
        assert writer.returncode == -signal.SIGKILL

        lines = output.split("\n")[:-1]  # the last piece is "" or a torn line
        if lines and lines[0].startswith("opened"):  # not read above: killed while opening
            assert lines.pop(0) == "opened None", f"seed {seed}: the file was moved aside"
        ids = [int(line) for line in lines]
        assert ids == list(range(first, first + len(ids)))
        acknowledged.update(ids)
        in_flight.add(first + len(ids))

    conn = sqlite3.connect(db)  # recovers the WAL, before the store could rebuild anything
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"seed {seed}"
    conn.close()
    store = _open(db)  # opens as it is: nothing moved aside
    stored = [int(e.detail or "") for e in store.history()]
    store.close()
    assert not [p.name for p in db.parent.iterdir() if ".corrupt-" in p.name]

    assert len(stored) == len(set(stored)), f"seed {seed}: an event was stored twice"
    lost = sorted(acknowledged - set(stored))
    assert not lost, f"seed {seed}: lost {len(lost)} acknowledged events, first {lost[:5]}"
    assert set(stored) <= acknowledged | in_flight, f"seed {seed}"
    assert len(acknowledged) > 30, f"seed {seed}: the writers hardly wrote"


# --- bit rot inside a sound file -------------------------------------------------------------


def test_an_index_out_of_step_with_its_table_is_rebuilt_in_place(db: Path) -> None:
    store = _open(db)
    for minutes in range(10):
        store.record(_event(minutes))
    store.close()
    before = db.read_bytes()
    store = _open(db)
    for minutes in range(10, 20):
        store.record(_event(minutes))
    store.close()
    # Put back the time index as it was before the last ten events: the table has 20 rows,
    # its index knows 10 (everything fits in one page per b-tree, so pages do not move).
    conn = sqlite3.connect(db)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events_by_time'")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    start = (root[0] - 1) * page_size
    damaged = bytearray(db.read_bytes())
    damaged[start : start + page_size] = before[start : start + page_size]
    db.write_bytes(damaged)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    conn.close()

    store = _open(db)

    assert store.history() == [_event(m) for m in range(20)]
    assert store.history(since=T0 + timedelta(minutes=15)) == [_event(m) for m in range(15, 20)]
    store.close()


def test_a_damaged_row_is_skipped_or_read_from_its_sort_key(
    store: Store, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store.record(_event(0))
    conn = sqlite3.connect(db)
    with conn:
        # `at` with a flipped byte: the instant is still known from the sort key
        conn.execute(
            "INSERT INTO events (at, at_us, kind) VALUES (CAST(X'ff3230' AS TEXT), 0, 'pause')"
        )
        # `kind` turned into a blob: nothing sensible to return
        conn.execute("INSERT INTO events (at, at_us, kind) VALUES ('x', 1, X'00')")
        conn.execute("INSERT INTO settings VALUES ('paused_until', 'not a time')")
    conn.close()

    with caplog.at_level("WARNING"):
        history = store.history()
        store.history()

    assert history == [HistoryEvent(datetime(1970, 1, 1, tzinfo=UTC), HistoryKind.PAUSE), _event(0)]
    assert [r.getMessage().startswith("Skipping damaged event #3") for r in caplog.records] == [
        True
    ]
    assert store.paused_until() is None
