"""Issue 3 end to end: the headless reminder service against a real notification server."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from deskmobility.core.exercises import ExerciseCatalog
from deskmobility.core.messages import kinds_in_title

from .desktop import Desktop, Notification

CONFIG = """\
# a hand-written comment that must survive
[reminders.posture]
every = "3s"
[reminders.head]
every = "4s"
[reminders.stretch]
every = "5s"
"""

EXERCISE_NAMES = {ex.name for ex in ExerciseCatalog.builtin().exercises}


def _start(desktop: Desktop, config: Path) -> subprocess.Popen[bytes]:
    return desktop.spawn(
        [sys.executable, "-m", "deskmobility", "run", "--no-tray", "--config", str(config)],
        name="deskmobility",
    )


def _from_app(note: Notification) -> bool:
    return note.app_name == "deskmobility"


def _from_app_titled(title: str) -> Callable[[Notification], bool]:
    return lambda note: _from_app(note) and title in note.summary


def test_three_kinds_arrive_with_exercises_and_config_is_untouched(
    desktop: Desktop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    before = hashlib.sha256(config.read_bytes()).hexdigest()
    app = _start(desktop, config)

    for title in ("Posture check", "Head position", "Stretch break"):
        desktop.wait_for_notifications(_from_app_titled(title))
    notes = [n for n in desktop.notifications() if _from_app(n) and kinds_in_title(n.summary)]
    for note in notes:
        exercise = note.body.split("Try: ", 1)[1].rsplit(" (", 1)[0]
        assert exercise in EXERCISE_NAMES, note.body
        assert note.app_icon.endswith("deskmobility-64.png")
        assert Path(note.app_icon).is_file()

    assert desktop.stop_process(app, signal.SIGTERM) == 0
    assert hashlib.sha256(config.read_bytes()).hexdigest() == before


def test_an_edit_applies_and_a_bad_edit_is_reported_once(desktop: Desktop, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace('"3s"', '"1h"').replace('"4s"', '"1h"'), encoding="utf-8")
    app = _start(desktop, config)
    desktop.wait_for_notifications(lambda n: _from_app(n) and "Stretch break" in n.summary)

    # A broken edit: the app says where, once, and keeps reminding on the last good settings.
    config.write_text(CONFIG.replace('every = "5s"', 'every = "5 parsecs"'), encoding="utf-8")
    [problem] = desktop.wait_for_notifications(lambda n: "Config not applied" in n.summary)
    assert f"{config}:7: reminders.stretch.every" in problem.body
    mark = desktop.mark()
    desktop.wait_for_notifications(
        lambda n: _from_app(n) and "Stretch break" in n.summary, since=mark
    )
    config.touch()  # the same broken file again: no second complaint
    time.sleep(1.5)
    repeats = [n for n in desktop.notifications() if "Config not applied" in n.summary]
    assert len(repeats) == 1

    # A good edit: posture now comes every 2 s.
    config.write_text(CONFIG.replace('"3s"', '"2s"'), encoding="utf-8")
    mark = desktop.mark()
    desktop.wait_for_notifications(
        lambda n: _from_app(n) and "Posture check" in n.summary, since=mark, timeout=8
    )
    assert desktop.stop_process(app, signal.SIGINT) == 0


def test_a_broken_config_at_start_is_reported_and_the_app_keeps_running(
    desktop: Desktop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[reminders.posture]\nevery = 30\nenabeld = true\n", encoding="utf-8")
    app = _start(desktop, config)
    [problem] = desktop.wait_for_notifications(lambda n: "Config not applied" in n.summary)
    assert f'{config}:3: reminders.posture.enabeld: unknown key; did you mean "enabled"?' in (
        problem.body
    )
    assert app.poll() is None  # still running
    assert desktop.stop_process(app, signal.SIGTERM) == 0


def test_without_dbus_python_notify_send_delivers_with_the_icon(
    desktop: Desktop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace('"3s"', '"1h"').replace('"4s"', '"1h"'), encoding="utf-8")
    app = desktop.spawn(
        [sys.executable, "-m", "deskmobility", "run", "--no-tray", "--config", str(config)],
        name="deskmobility",
        env={"DESKMOBILITY_NOTIFIER": "notify-send"},
    )
    [note] = desktop.wait_for_notifications(lambda n: "Stretch break" in n.summary)
    assert note.app_name == "deskmobility"
    assert note.app_icon.endswith("deskmobility-64.png")
    assert desktop.stop_process(app, signal.SIGTERM) == 0
