"""Issue 5: one instance, driven from the command line, between real processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from .desktop import Desktop

CONFIG = '[reminders.posture]\nevery = "1h"\n[reminders.head]\nevery = "1h"\n'
CLI = [sys.executable, "-m", "deskmobility"]


def _cli(desktop: Desktop, *args: str) -> subprocess.CompletedProcess[str]:
    return desktop.run([*CLI, *args], check=False, timeout=20)


def _wait_running(desktop: Desktop) -> None:
    deadline = time.monotonic() + 15
    while _cli(desktop, "status").returncode != 0:
        assert time.monotonic() < deadline, "the app never answered status"
        time.sleep(0.2)


def test_commands_drive_the_running_app(desktop: Desktop, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert _cli(desktop, "status").returncode == 3  # nothing running yet
    app = desktop.spawn([*CLI, "run", "--no-tray", "--config", str(config)], name="deskmobility")
    _wait_running(desktop)

    second = _cli(desktop, "run", "--no-tray", "--config", str(config))
    assert second.returncode == 0
    assert "already running" in second.stderr

    status = json.loads(_cli(desktop, "status", "--json").stdout)
    assert status["paused"] is False
    for kind in ("posture", "head", "stretch"):
        assert datetime.fromisoformat(status["next_due"][kind]).tzinfo is not None

    assert _cli(desktop, "pause", "30m").returncode == 0
    assert json.loads(_cli(desktop, "status", "--json").stdout)["paused"] is True
    assert _cli(desktop, "resume").returncode == 0
    assert json.loads(_cli(desktop, "status", "--json").stdout)["paused"] is False

    assert _cli(desktop, "break").returncode == 0
    [note] = desktop.wait_for_notifications(lambda n: n.summary.startswith("Step 1 of "))
    assert note.actions == ["stop", "Stop", "done", "Done"]

    assert _cli(desktop, "quit").returncode == 0
    assert app.wait(timeout=10) == 0
    assert _cli(desktop, "status").returncode == 3
