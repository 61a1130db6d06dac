"""The whole app on stock GNOME (a real headless GNOME Shell 43): no tray, and still usable.

The app picks Mutter's idle watch and no tray, says once at the first start how to act
without one, and its reminders reach GNOME's own notification server (the shell's
helper, activated on the bus) with their actions. Every Notify call is recorded on the
shell's session bus, as the X11 desktop's tests record dunst's.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import startup
from .dbus_capture import read_notifications
from .processes import ProcessGroup, wait_until
from .tray_screen import user_env

if TYPE_CHECKING:
    from collections.abc import Callable

    from .dbus_capture import Notification
    from .gnome import GnomeShell

CONFIG = (
    '[reminders.posture]\nevery = "3s"\n[reminders.head]\nevery = "5s"\n'
    '[reminders.stretch]\nevery = "7s"\n'
)
REMINDER_ACTIONS = ["default", "Show me", "show", "Show me", "done", "Done", "later", "Later"]
POSTURE_ACTIONS = ["done", "Done", "later", "Later"]
STEP_ACTIONS = ["stop", "Stop", "done", "Done"]


def _run_app(gnome: GnomeShell, home: Path, config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**gnome.env, **user_env(home)}
    env.pop("DISPLAY", None)  # Wayland only: --no-x11 runs no Xwayland
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "deskmobility", "run", "--config", str(config)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _stop(app: subprocess.Popen[bytes]) -> int:
    app.send_signal(signal.SIGTERM)
    return app.wait(15)


def _titled(title: str) -> Callable[[Notification], bool]:
    return lambda note: note.summary == title


def _sent(pcap: Path) -> list[Notification]:
    """The app's own Notify calls. GNOME's notification helper passes each on to the shell
    with a second Notify on the same bus, adding a ``sender-pid`` hint: those are left out."""
    return [n for n in read_notifications(pcap) if "sender-pid" not in n.hints]


def _wait_for(pcap: Path, wanted: Callable[[Notification], bool], timeout: float) -> Notification:
    found: list[Notification] = []

    def arrived() -> bool:
        found[:] = [n for n in _sent(pcap) if wanted(n)]
        return bool(found)

    wait_until(arrived, timeout, "a notification on GNOME's bus",
               lambda: str([n.summary for n in _sent(pcap)]))  # fmt: skip
    return found[0]


def test_on_gnome_without_a_tray_the_app_says_how_to_act_once_and_reminders_carry_actions(
    gnome: GnomeShell, tmp_path: Path
) -> None:
    recorders = ProcessGroup()
    pcap = startup.start_recorders(recorders, gnome.env, tmp_path)
    home, config, log = tmp_path / "user", tmp_path / "config.toml", tmp_path / "app.log"
    config.write_text(CONFIG, encoding="utf-8")
    try:
        app = _run_app(gnome, home, config, log)
        notice = _wait_for(pcap, lambda n: n.summary == "deskmobility is running", 30)
        assert "No tray on this desktop" in notice.body
        for title, actions in (
            ("Posture check", POSTURE_ACTIONS),
            ("Head position", REMINDER_ACTIONS),
            ("Stretch break", REMINDER_ACTIONS),
        ):
            reminder = _wait_for(pcap, _titled(title), 15)
            assert reminder.actions == actions, title
        # A micro-break from the command line: its steps, in one notification, with Stop/Done.
        env = {**gnome.env, **user_env(home)}
        env.pop("DISPLAY", None)
        command = [sys.executable, "-m", "deskmobility", "break"]
        started = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=30, check=False
        )
        assert started.returncode == 0, started.stderr
        step1 = _wait_for(pcap, lambda n: n.summary.startswith("Step 1 of "), 15)
        assert step1.actions == STEP_ACTIONS
        step2 = _wait_for(pcap, lambda n: n.summary.startswith("Step 2 of "), 15)
        assert step2.replaces_id != 0
        text = log.read_text(encoding="utf-8")
        assert "tray: none" in text, text
        assert "idle time: mutter" in text, text
        assert "notification server: gnome-shell" in text, text
        assert "capabilities: actions" in text, text
        assert _stop(app) == 0

        # A second start: the note was for the first start only.
        again = _run_app(gnome, home, config, log)
        time.sleep(6)  # a reminder or two come meanwhile; no second note
        assert _stop(again) == 0
        notes = [n for n in _sent(pcap) if n.summary == "deskmobility is running"]
        assert len(notes) == 1
    finally:
        recorders.stop_all()
