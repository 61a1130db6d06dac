"""Issue 5: do-not-disturb holds reminders, and its end brings one, not a backlog."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from deskmobility.core.messages import kinds_in_title

from .desktop import Desktop, Notification

CONFIG = '[reminders.posture]\nevery = "2s"\n[reminders.head]\nevery = "3s"\n'


def _reminder(note: Notification) -> bool:
    """From the app, and a reminder (not the first-start note, which no hold delays)."""
    return note.app_name == "deskmobility" and bool(kinds_in_title(note.summary))


def test_dunst_paused_holds_reminders_and_unpausing_brings_exactly_one(
    desktop: Desktop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    desktop.run(["dunstctl", "set-paused", "true"])
    try:
        app = desktop.spawn(
            [sys.executable, "-m", "deskmobility", "run", "--no-tray", "--config", str(config)],
            name="deskmobility",
        )
        time.sleep(7)  # two or three intervals of each kind pass while held
        assert [n for n in desktop.notifications() if _reminder(n)] == []
    finally:
        desktop.run(["dunstctl", "set-paused", "false"])
    [note] = desktop.wait_for_notifications(_reminder, timeout=8)
    assert note.summary == "Posture + head"
    assert desktop.stop_process(app, signal.SIGTERM) == 0


def test_the_opt_out_lets_reminders_through_do_not_disturb(
    desktop: Desktop, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG + "[breaks]\nhold_during_do_not_disturb = false\n", encoding="utf-8")
    desktop.run(["dunstctl", "set-paused", "true"])
    try:
        app = desktop.spawn(
            [sys.executable, "-m", "deskmobility", "run", "--no-tray", "--config", str(config)],
            name="deskmobility",
        )
        desktop.wait_for_notifications(_reminder, timeout=8)
    finally:
        desktop.run(["dunstctl", "set-paused", "false"])
    assert desktop.stop_process(app, signal.SIGTERM) == 0
