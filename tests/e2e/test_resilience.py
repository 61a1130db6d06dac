"""Issue 6, components dying: the real app on the real desktop while things around it fail.

- the notification server (dunst) killed mid-run and started again: the app never dies,
  and reminders reach the new server;
- the tray host (trayer) killed and started again, with the GTK (XEmbed) tray: the app
  keeps reminding without a tray, and its icon docks in the new tray by itself (GTK's
  status icon watches for a new tray manager), where a click still works;
- the history folder (and the state folder, with the log and the last-good config)
  read-only (``chattr +i``) before start: the user is told, in a notification naming each
  folder, and reminders go on;
- SIGKILL at random moments while the app writes history every second: afterwards the
  database opens as it is (nothing moved aside), ``deskmobility stats --json`` works, and
  every reminder the Notify recorder saw is in the history.

Each test gives the app a user of its own (HOME, XDG folders, TMPDIR in the test's tmp).
The trayer test restarts the desktop's own trayer, so the desktop is whole again after it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.store import HistoryEvent, Store
from deskmobility.core.exercises import ExerciseCatalog
from deskmobility.core.history import HistoryKind
from deskmobility.core.messages import kinds_in_title

from . import startup
from .processes import DesktopError, wait_until
from .tray_screen import CLI, centre, docked_icon, run_cli, trayer_icons, user_env

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .desktop import Desktop, Notification

TRAYER = [
    *("trayer", "--edge", "top", "--align", "right", "--widthtype", "request"),
    *("--height", "24", "--transparent", "false"),
]  # as tests/e2e/desktop.py starts it
EXERCISE_IDS = {exercise.name: exercise.id for exercise in ExerciseCatalog.builtin().exercises}


def _every(posture: str = "1h", head: str = "1h", stretch: str = "1h") -> str:
    return (
        f'[reminders.posture]\nevery = "{posture}"\n[reminders.head]\nevery = "{head}"\n'
        f'[reminders.stretch]\nevery = "{stretch}"\n'
    )


class User:
    """One user of the app: own HOME and XDG folders; runs ``deskmobility`` on the desktop."""

    def __init__(self, desktop: Desktop, home: Path, config_text: str) -> None:
        self.desktop = desktop
        self.home = home
        (home / "tmp").mkdir(parents=True, exist_ok=True)
        self.env = {**user_env(home), "TMPDIR": str(home / "tmp")}
        self.data_dir = Path(self.env["XDG_DATA_HOME"]) / "deskmobility"
        self.state_dir = Path(self.env["XDG_STATE_HOME"]) / "deskmobility"
        self.history = self.data_dir / "history.sqlite3"
        self.config = home / "config.toml"
        self.config.write_text(config_text, encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None
        self.log = desktop.artifacts / "deskmobility.log"

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        self.process = self.desktop.spawn(
            [*CLI, "run", "--config", str(self.config), *args],
            name="deskmobility",
            env={**self.env, **env},
        )
        return self.process

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def wait_for_log(self, text: str, timeout: float = 15.0) -> None:
        def seen() -> bool:
            if not self.alive():
                raise DesktopError(f"the app exited\n{self.tail()}")
            return any(text in line for line in self.lines())

        wait_until(seen, timeout, f"{text!r} in the app's log", self.tail)

    def tail(self) -> str:
        return "\n".join(self.lines()[-30:])

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.desktop, self.env, *args, timeout=30)


def _from_app(note: Notification) -> bool:
    return note.app_name == "deskmobility"


def _reminder(note: Notification) -> bool:
    return _from_app(note) and bool(kinds_in_title(note.summary))


# -- (a) the notification server dies ---------------------------------------------------------


def test_reminders_resume_when_the_notification_server_comes_back(
    desktop: Desktop, tmp_path: Path
) -> None:
    user = User(desktop, tmp_path / "user", _every(posture="1s", head="2s"))
    app = user.start("--no-tray")
    desktop.wait_for_notifications(_reminder, timeout=15)

    desktop.kill_dunst(signal.SIGKILL)  # a crash, not a polite exit
    down = desktop.mark()
    time.sleep(3.5)  # three or four reminders fall due with nobody to show them
    assert user.alive(), user.tail()
    assert not desktop.notifications(since=down), "Notify reached the bus with no server"
    failures = [line for line in user.lines() if "notification not shown" in line]
    assert failures, user.tail()
    assert len(failures) <= 2, "a failure is logged once per distinct reason, not per reminder"

    desktop.start_dunst()
    back = desktop.mark()
    notes = desktop.wait_for_notifications(_reminder, since=back, timeout=8)
    desktop.screenshot("after-restart.png")
    assert notes[0].summary.startswith(("Posture check", "Head position"))
    assert user.alive()
    assert desktop.stop_process(app, signal.SIGTERM) == 0


# -- (b) the tray host dies --------------------------------------------------------------------


def _tray_owned(desktop: Desktop) -> bool:
    return startup.selection_owned(desktop.display, "_NET_SYSTEM_TRAY_S0")


@pytest.fixture
def trayer_restored(desktop: Desktop) -> Iterator[None]:
    """Whatever the test does to the desktop's trayer, it runs again afterwards."""
    yield
    if not _tray_owned(desktop):
        desktop._service("trayer", TRAYER, ready=lambda: _tray_owned(desktop))


def test_the_icon_docks_again_when_the_tray_host_comes_back(
    desktop: Desktop, tmp_path: Path, trayer_restored: None
) -> None:
    user = User(desktop, tmp_path / "user", _every(posture="2s"))
    app = user.start(PYSTRAY_BACKEND="gtk")
    user.wait_for_log("tray icon is up")
    docked_icon(desktop, name="1-icon-docked.png")

    [trayer] = [child.popen for child in desktop._processes._children if child.label == "trayer"]
    desktop.stop_process(trayer, signal.SIGKILL)
    wait_until(lambda: not _tray_owned(desktop), 5.0, "the tray selection to be released")
    gone = desktop.mark()
    desktop.wait_for_notifications(_reminder, since=gone, timeout=6)  # reminding headless
    desktop.screenshot("2-no-tray-host.png")
    assert trayer_icons(desktop) == []
    assert user.alive(), user.tail()

    desktop._service("trayer", TRAYER, ready=lambda: _tray_owned(desktop))
    x, y = centre(docked_icon(desktop, name="3-icon-docked-again.png"))
    clicked = desktop.mark()
    desktop.click(x, y)  # the icon that came back is live: a left click starts a micro-break
    desktop.wait_for_notifications(
        lambda n: _from_app(n) and n.summary.startswith("Step 1 of "), since=clicked
    )
    assert not [line for line in user.lines() if "Traceback" in line], user.tail()
    assert desktop.stop_process(app, signal.SIGTERM) == 0


# -- (c) the history folder is read-only --------------------------------------------------------


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """``make_read_only(folder)``: immutable (``chattr +i``: root ignores modes; CI runs as
    root) or, for anyone else, mode 0555; undone when the test ends."""
    done: list[Path] = []

    def lock(folder: Path) -> None:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "+i", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        done.append(folder)

    try:
        yield lock
    finally:
        for folder in reversed(done):
            if os.geteuid() == 0:
                subprocess.run(["chattr", "-i", str(folder)], check=True)
            else:
                folder.chmod(0o755)


@pytest.mark.parametrize("folders", [["data"], ["data", "state"]])
def test_a_read_only_history_folder_is_reported_and_reminders_go_on(
    desktop: Desktop, tmp_path: Path, make_read_only: Callable[[Path], None], folders: list[str]
) -> None:
    user = User(desktop, tmp_path / "user", _every(posture="1s", head="2s"))
    store, _ = Store.open(user.history)  # a history from earlier days
    store.record(HistoryEvent(datetime.now(UTC), HistoryKind.NATURAL_BREAK, None, None, "600s"))
    store.close()
    before = sorted(p.name for p in user.data_dir.iterdir())
    user.state_dir.mkdir(parents=True, exist_ok=True)
    for name in folders:
        make_read_only(user.data_dir if name == "data" else user.state_dir)

    app = user.start("--no-tray")
    [told] = desktop.wait_for_notifications(
        lambda n: _from_app(n) and n.summary == "History", timeout=15
    )
    assert str(user.data_dir) in told.body, told.body
    assert "until this is fixed" in told.body
    desktop.wait_for_notifications(_reminder, timeout=8)
    mark = desktop.mark()
    desktop.wait_for_notifications(_reminder, since=mark, timeout=8)  # and they keep coming
    assert user.alive(), user.tail()
    assert sorted(p.name for p in user.data_dir.iterdir()) == before  # untouched
    all_told = [n for n in desktop.notifications() if not _reminder(n)]
    if "state" in folders:  # logs and the last-good config copy live there: said once, too
        assert [n.summary for n in all_told] == ["History", "Settings backup"]
        assert str(user.state_dir) in all_told[1].body
    else:
        assert [n.summary for n in all_told] == ["History"]
    assert desktop.stop_process(app, signal.SIGTERM) == 0


# -- (d) SIGKILL while writing history ----------------------------------------------------------

KILL_ROUNDS = 20
KILL_BUDGET_S = 30.0


def _history_key(note: Notification) -> tuple[frozenset[str], str]:
    kinds = frozenset(kind.value for kind in kinds_in_title(note.summary))
    name = note.body.rsplit("\nTry: ", 1)[1].rsplit(" (", 1)[0]
    return kinds, EXERCISE_IDS[name]


def test_sigkill_while_writing_history_loses_no_shown_reminder(
    desktop: Desktop, tmp_path: Path
) -> None:
    user = User(desktop, tmp_path / "user", _every(posture="1s", head="1s", stretch="2s"))
    seed = random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)  # noqa: S311  # kill timing, not cryptography
    begin = desktop.mark()
    started = time.monotonic()
    rounds = 0
    while rounds < KILL_ROUNDS and time.monotonic() - started < KILL_BUDGET_S:
        mark = desktop.mark()
        app = user.start("--no-tray")
        if rng.random() < 0.2:  # now and then while it starts: opening, migrating the store
            time.sleep(rng.uniform(0.0, 0.8))
        else:  # mostly while it reminds (and writes) every second
            desktop.wait_for_notifications(_reminder, since=mark, timeout=10)
            time.sleep(rng.uniform(0.0, 1.2))
        assert desktop.stop_process(app, signal.SIGKILL) == -signal.SIGKILL, f"seed {seed}"
        rounds += 1
    shown = [n for n in desktop.notifications(since=begin) if _reminder(n)]
    took = time.monotonic() - started
    summary = f"seed {seed}: {rounds} kills in {took:.1f} s, {len(shown)} reminders shown"
    (desktop.artifacts / "kills.txt").write_text(summary + "\n", encoding="utf-8")
    assert rounds >= KILL_ROUNDS // 2, f"only {rounds} rounds in {KILL_BUDGET_S} s"
    assert len(shown) >= rounds // 2, f"seed {seed}: hardly any reminder was shown"

    # The file is sound as SIGKILL left it (checked before the store could repair anything).
    conn = sqlite3.connect(user.history)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"seed {seed}"
    finally:
        conn.close()
    stats = user.cli("stats", "--json", "--days", "2")
    assert stats.returncode == 0, f"seed {seed}: {stats.stderr}"
    days = json.loads(stats.stdout)["days"]
    assert not [p.name for p in user.data_dir.iterdir() if ".corrupt-" in p.name], f"seed {seed}"
    assert "moved" not in stats.stderr

    store, moved = Store.open(user.history)
    try:
        history = store.history()
    finally:
        store.close()
    assert moved is None
    recorded = Counter(
        (frozenset((event.reminder or "").split(",")), event.exercise or "")
        for event in history
        if event.kind == "reminder"
    )
    missing = Counter(_history_key(note) for note in shown) - recorded
    assert not missing, f"seed {seed}: shown but not in the history: {dict(missing)}"
    assert sum(day["reminders"] for day in days) == sum(recorded.values())


# -- (e) SIGHUP ---------------------------------------------------------------------------------


def test_sighup_quits_cleanly_like_sigterm(desktop: Desktop, tmp_path: Path) -> None:
    """The terminal that started it closed: status 0, the shutdown logged, no socket left."""
    user = User(desktop, tmp_path / "user", _every())
    app = user.start("--no-tray")
    user.wait_for_log("running without a tray")
    assert user.cli("status").returncode == 0
    assert desktop.stop_process(app, signal.SIGHUP) == 0
    lines = user.lines()
    assert any("received SIGHUP; quitting" in line for line in lines), user.tail()
    assert "deskmobility stopped" in lines[-1], user.tail()
    runtime = Path(user.env["XDG_RUNTIME_DIR"])
    assert not list(runtime.rglob("*.sock")), list(runtime.rglob("*"))
    assert user.cli("status").returncode == 3  # not running
