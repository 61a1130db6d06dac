"""Acting on reminders on a real dunst: Show me, Stop, Done and Later, chosen as a person does.

The real app (no tray) reminds about head position every 10 s on the private desktop's
dunst. ``dunstctl action 0`` is a click on the newest notification's body (its default
action); ``Desktop.choose_action`` opens dunst's own action menu (``dunstctl context``)
with a dmenu that picks the wanted label. What the person did is read back from the
history database the app writes.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from deskmobility.adapters.files import HISTORY_NAME

from .test_tray_app import SCREENSHOTS, UPDATE_SCREENSHOTS
from .tray_screen import user_env

if TYPE_CHECKING:
    from collections.abc import Callable

    from .desktop import Desktop, Notification

CONFIG = """\
[reminders.posture]
every = "1h"
[reminders.head]
every = "10s"
[reminders.stretch]
every = "1h"
[breaks]
snooze = "3s"
"""
REMINDER_ACTIONS = ["default", "Show me", "show", "Show me", "done", "Done", "later", "Later"]
STEP_ACTIONS = ["stop", "Stop", "done", "Done"]


def _save_doc_screenshot(source: Path, boxes: list[tuple[int, int, int, int]], name: str) -> None:
    """With DESKMOBILITY_UPDATE_SCREENSHOTS=1, the README's picture: ``boxes`` stacked."""
    if not UPDATE_SCREENSHOTS:
        return
    with Image.open(source) as image:
        parts = [image.convert("RGB").crop(box) for box in boxes]
    width = max(part.width for part in parts)
    sheet = Image.new("RGB", (width, sum(part.height for part in parts)), (0, 0, 0))
    top = 0
    for part in parts:
        sheet.paste(part, (0, top))
        top += part.height
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sheet.save(SCREENSHOTS / name, optimize=True)


def _head(note: Notification) -> bool:
    return note.app_name == "deskmobility" and note.summary == "Head position"


def _kinds(history: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(history) as db:
        rows = db.execute("SELECT kind, reminder FROM events ORDER BY id").fetchall()
    return [(str(kind), reminder) for kind, reminder in rows]


def test_show_me_stop_done_and_later_on_dunst(desktop: Desktop, tmp_path: Path) -> None:
    home = tmp_path / "user"
    env = user_env(home)
    history = Path(env["XDG_DATA_HOME"]) / "deskmobility" / HISTORY_NAME
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    app = desktop.spawn(
        [sys.executable, "-m", "deskmobility", "run", "--no-tray", "--config", str(config)],
        name="deskmobility",
        env=env,
    )

    desktop.wait_for_notifications(lambda n: n.summary == "deskmobility is running")
    desktop.run(["dunstctl", "close-all"])  # the first-start note: the reminder comes first

    # A reminder carries its actions; a click on its body shows the suggested move.
    [first] = desktop.wait_for_notifications(_head, timeout=20)
    assert first.actions == REMINDER_ACTIONS
    suggested = first.body.split("Try: ", 1)[1].rsplit(" (", 1)[0]
    desktop.run(["dunstctl", "action", "0"])
    [step1] = desktop.wait_for_notifications(lambda n: n.summary.startswith("Step 1 of "))
    assert step1.summary.endswith(f": {suggested}")
    assert step1.actions == STEP_ACTIONS
    _save_doc_screenshot(
        desktop.screenshot("guided-step.png"), [(0, 24, 420, 200)], "guided-step.png"
    )
    # The next step replaces the first in place: the same notification, updated.
    [step2] = desktop.wait_for_notifications(lambda n: n.summary.startswith("Step 2 of "))
    assert step2.replaces_id != 0
    desktop.choose_action("Stop")
    time.sleep(1)
    assert ("micro_break_stopped", "stretch") in _kinds(history)

    # The next reminder: Done, from dunst's action menu.
    mark = desktop.mark()
    desktop.wait_for_notifications(_head, since=mark, timeout=15)
    shot = desktop.choose_action("Done", screenshot="reminder-with-actions.png")
    assert shot is not None
    # The reminder (top left) over dunst's menu of its actions (dmenu, along the bottom).
    _save_doc_screenshot(shot, [(0, 24, 420, 116), (0, 662, 560, 768)], "reminder-actions.png")
    time.sleep(1)
    assert ("done", "head") in _kinds(history)

    # And Later: it comes back after the 3 s snooze, well before its 10 s interval.
    mark = desktop.mark()
    desktop.wait_for_notifications(_head, since=mark, timeout=15)
    desktop.choose_action("Later")
    later = time.monotonic()
    mark = desktop.mark()
    desktop.wait_for_notifications(_head, since=mark, timeout=8)
    assert time.monotonic() - later < 8
    assert ("later", "head") in _kinds(history)
    assert desktop.stop_process(app, signal.SIGTERM) == 0


def test_each_kind_of_reminder_offers_its_actions_on_dunst(
    desktop: Desktop, tmp_path: Path
) -> None:
    """A posture check is a ten-second reset: Done and Later only; the others offer a guide."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[reminders.posture]\nevery = "3s"\n[reminders.head]\nevery = "5s"\n'
        '[reminders.stretch]\nevery = "7s"\n',
        encoding="utf-8",
    )
    app = desktop.spawn(
        [sys.executable, "-m", "deskmobility", "run", "--no-tray", "--config", str(config)],
        name="deskmobility",
        env=user_env(tmp_path / "user"),
    )
    for title, actions in (
        ("Posture check", ["done", "Done", "later", "Later"]),
        ("Head position", REMINDER_ACTIONS),
        ("Stretch break", REMINDER_ACTIONS),
    ):
        [note] = desktop.wait_for_notifications(_titled(title), timeout=15)[:1]
        assert note.actions == actions, title
    assert desktop.stop_process(app, signal.SIGTERM) == 0


def _titled(title: str) -> Callable[[Notification], bool]:
    return lambda note: note.app_name == "deskmobility" and note.summary == title
