"""Issue 4 end to end: the REAL app in a real tray, clicked with xdotool, read back from the screen.

Each test starts ``python -m deskmobility run --config FILE`` on the shared private desktop
(``conftest.py``) as a fresh user of its own (HOME and XDG folders under ``tmp_path``), clicks
its icon like a person would, reads menus with tesseract and notifications from the Notify
recorder, and asks the app itself with ``deskmobility status --json``. Screenshots land in
``artifacts/e2e/test_tray_app/<test>/``.

``DESKMOBILITY_UPDATE_SCREENSHOTS=1`` also writes the README's ``docs/screenshots/menu.png``
and ``docs/screenshots/notification.png`` from these runs.

Order matters: the StatusNotifierItem host, once started by the last test, stays up for the
rest of the module; the XEmbed (trayer) tests run before it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from deskmobility.core.exercises import ExerciseCatalog, Gear
from deskmobility.core.kinds import ReminderKind

from .desktop import missing_programs
from .processes import DesktopError, wait_until
from .tray_screen import (
    CLI,
    GREY,
    SNI_ICON,
    TEAL,
    Word,
    centre,
    click,
    docked_icon,
    escape,
    hover,
    open_menu,
    read,
    run_cli,
    trayer_icons,
    user_env,
    wait_for_sni_icon,
)

if TYPE_CHECKING:
    from .desktop import Desktop, Notification

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("DESKMOBILITY_UPDATE_SCREENSHOTS") == "1"
LABELS = ["Desk", "Screen", "Elbow", "Chair", "Back", "Footrest"]  # the checklist items
TARGETS = ["Forearms", "Eyes", "Elbows", "Backrest", "Something", "Feet"]  # first word of each


def _every(posture: str = "1h", head: str = "1h", stretch: str = "1h") -> str:
    """A config with these reminder intervals and nothing else."""
    return "".join(
        f'[reminders.{kind}]\nevery = "{every}"\n'
        for kind, every in (("posture", posture), ("head", head), ("stretch", stretch))
    )


QUIET = _every()

# The one stretch exercise a micro-break can choose: its 5 s end comes within the test.
SHRUG = "Quick Shoulder Shrug"
SHRUG_STEPS = ("Lift both shoulders up toward your ears.", "Let them drop and breathe out slowly.")


def _micro_break_config() -> str:
    """QUIET, the short custom exercise, and every built-in desk stretch moved to the floor.

    choose_exercise picks among the stretch exercises the user's gear allows; a custom
    exercise with a built-in id replaces it, and floor work is out with floor_space = false,
    so SHRUG is the only choice left.
    """
    lines = [QUIET, "[exercises]", "floor_space = false", "equipment = []", ""]
    lines += [
        "[[exercises.custom]]",
        f'name = "{SHRUG}"',
        'kinds = ["stretch"]',
        'position = "seated"',
        "reps = 3",
        'takes = "5s"',
        f"steps = {json.dumps(list(SHRUG_STEPS))}",
        "",
    ]
    return "\n".join(lines + desk_stretches_on_the_floor())


def desk_stretches_on_the_floor(keep: str = "") -> list[str]:
    """Config lines re-declaring every built-in desk stretch but ``keep`` as floor work."""
    lines: list[str] = []
    for exercise in ExerciseCatalog.builtin().eligible(ReminderKind.STRETCH, Gear()):
        if exercise.id == keep:
            continue
        lines += [
            "[[exercises.custom]]",
            f'id = "{exercise.id}"',
            f'name = "{exercise.name}"',
            'kinds = ["stretch"]',
            'position = "floor"',
            "reps = 1",
            'takes = "1m"',
            'steps = ["Not offered in this test.", "Needs floor space."]',
            "",
        ]
    return lines


# -- the app under test ------------------------------------------------------------------


class RunningApp:
    """``deskmobility run`` on the desktop as a user of its own; ``cli()`` talks to it."""

    def __init__(self, desktop: Desktop, home: Path, config: Path, backend: str = "gtk") -> None:
        self.desktop = desktop
        self.env = user_env(home)
        if backend:
            self.env["PYSTRAY_BACKEND"] = backend
        self.config = config
        self.log: Path = desktop.artifacts / "deskmobility.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RunningApp:
        """Start the app (again); return once its tray icon is up and it answers status."""
        self.log = _next_free_log(self.desktop.artifacts)
        self.process = self.desktop.spawn(
            [*CLI, "run", "--config", str(self.config)], name=self.log.stem, env=self.env
        )
        self.wait_for_log("tray icon is up")
        wait_until(lambda: self.cli("status").returncode == 0, 10.0, "status to answer", self.tail)
        return self

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def tail(self) -> str:
        return "\n".join(self.lines()[-30:])

    def wait_for_log(self, text: str, timeout: float = 15.0) -> None:
        def seen() -> bool:
            found = any(text in line for line in self.lines())
            if not found and self.process is not None and self.process.poll() is not None:
                raise DesktopError(f"the app exited {self.process.returncode}\n{self.tail()}")
            return found

        wait_until(seen, timeout, f"{text!r} in the app's log", self.tail)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.desktop, self.env, *args, timeout=20)

    def status(self) -> dict[str, Any]:
        reply = self.cli("status", "--json")
        assert reply.returncode == 0, reply.stderr
        result: dict[str, Any] = json.loads(reply.stdout)
        return result

    def wait_exit(self, timeout: float = 10.0) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the app did not exit within {timeout} s\n{self.tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.desktop.stop_process(self.process)


def _next_free_log(folder: Path) -> Path:
    number = 1
    while (folder / f"deskmobility-{number}.log").exists():
        number += 1
    return folder / f"deskmobility-{number}.log"


@pytest.fixture(scope="module", autouse=True)
def _programs() -> None:
    problem = missing_programs({"tesseract": "tesseract-ocr", "xwininfo": "x11-utils"})
    if problem:
        pytest.fail(problem, pytrace=False)


def _app(desktop: Desktop, tmp_path: Path, config_text: str, backend: str = "gtk") -> RunningApp:
    config = tmp_path / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    return RunningApp(desktop, tmp_path / "user", config, backend).start()


def _from_app(note: Notification) -> bool:
    return note.app_name == "deskmobility"


# -- reading the screen (tray_screen.py; the menus' words also without trailing dots) -------

_read = functools.partial(read, bare_too=True)
_open_menu = functools.partial(open_menu, bare_too=True)


def _drawn_box(
    desktop: Desktop, region: tuple[int, int, int, int], margin: int = 8
) -> tuple[int, int, int, int]:
    """The box around everything drawn (not the black root window) in ``region``, plus a margin.

    Uses the newest screenshot in the test's artifacts folder.
    """
    newest = max(desktop.artifacts.glob("*.png"), key=lambda path: path.stat().st_mtime)
    with Image.open(newest) as image:
        mask = image.convert("L").crop(region).point(lambda v: 255 if v > 8 else 0)
    box = mask.getbbox()
    assert box is not None, f"nothing drawn in {region} of {newest.name}"
    left, top, right, bottom = box
    return (
        max(0, region[0] + left - margin),
        max(0, region[1] + top - margin),
        min(desktop.width, region[0] + right + margin),
        min(desktop.height, region[1] + bottom + margin),
    )


def _save_doc_screenshot(source: Path, box: tuple[int, int, int, int], name: str) -> None:
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as image:
            image.convert("RGB").crop(box).save(SCREENSHOTS / name, optimize=True)


# -- XEmbed tray (trayer) through pystray's GTK backend ----------------------------------


def test_the_icon_appears_in_the_tray_and_reminders_reach_the_screen(
    desktop: Desktop, tmp_path: Path
) -> None:
    desktop.run(["dunstctl", "close-all"])  # an empty screen for notification.png
    app = _app(desktop, tmp_path, _every(stretch="3s"))

    assert any("tray: gtk (PYSTRAY_BACKEND=gtk is set)" in line for line in app.lines())
    docked_icon(desktop)  # docked, and drawn in the app's teal: not an empty socket
    assert app.status()["paused"] is False

    [note] = desktop.wait_for_notifications(lambda n: _from_app(n) and n.summary == "Stretch break")
    app.stop()  # nothing more arrives; dunst keeps this one on screen (dunstrc: 60 s)
    exercise = note.body.split("Try: ", 1)[1].split(" (", 1)[0]
    words = _read(
        desktop,
        ["Stretch", "break", "Try", *exercise.split()[:1]],
        "reminder.png",
        box=(0, 24, 420, 300),
    )
    assert words["Stretch"].x < 400  # dunstrc: top left
    _save_doc_screenshot(
        desktop.artifacts / "reminder.png",
        _drawn_box(desktop, (0, 24, 420, 300)),
        "notification.png",
    )


def test_a_left_click_runs_one_micro_break_at_a_time_and_says_when_it_is_done(
    desktop: Desktop, tmp_path: Path
) -> None:
    app = _app(desktop, tmp_path, _micro_break_config())
    icon = centre(docked_icon(desktop))

    click(desktop, *icon)
    [note] = desktop.wait_for_notifications(lambda n: n.summary.startswith("Step 1 of "))
    assert note.summary == f"Step 1 of 2: {SHRUG}"
    assert note.body.splitlines()[0] == SHRUG_STEPS[0]
    assert app.status()["break_running"] is True

    click(desktop, *icon)  # again, during the break: nothing new starts
    # pystray runs the default item even while it is disabled, so the app itself refuses:
    app.wait_for_log("a micro-break is already running")
    menu = _open_menu(desktop, icon, "menu-during-break.png", ("running",))
    assert "Start" not in menu
    escape(desktop)

    [done] = desktop.wait_for_notifications(lambda n: n.summary == "Micro-break done")
    assert SHRUG in done.body
    started = [n for n in desktop.notifications() if n.summary.startswith("Step 1 of ")]
    assert started == [note]
    [second] = [n for n in desktop.notifications() if n.summary.startswith("Step 2 of ")]
    assert second.body.splitlines()[0] == SHRUG_STEPS[1]
    assert app.status()["break_running"] is False
    _open_menu(desktop, icon, "menu-after-break.png", ("Start", "micro-break"))
    escape(desktop)


def _checkbox_ink(image: Image.Image, label: Word) -> float:
    """The dark share inside the check box left of a checklist label: its tick, if any.

    Adwaita draws a 16 px box ending about 8 px before the label; only its inside is read,
    so an empty box reads about 0 and a ticked one about 0.3.
    """
    box = (label.left - 20, label.y - 4, label.left - 10, label.y + 4)
    crop = image.crop(box).convert("L")
    return sum(1 for v in crop.tobytes() if v < 128) / (crop.width * crop.height)


def test_a_right_click_opens_the_menu_and_a_ticked_item_survives_a_restart(
    desktop: Desktop, tmp_path: Path
) -> None:
    desktop.run(["dunstctl", "close-all"])  # nothing but the menu on the top right
    example = (REPO / "config.example.toml").read_text(encoding="utf-8")  # the real defaults
    app = _app(desktop, tmp_path, example)
    icon = centre(docked_icon(desktop))
    desktop.run(["dunstctl", "close-all"])  # the first-start note, too

    menu = _open_menu(
        desktop,
        icon,
        "menu.png",
        ("Start", "Ergonomic", "(0/6)", "Next:", "Today:", "Pause", "Open"),
    )
    order = ["Start", "Ergonomic", "Next:", "Today:", "Pause", "Open", "Quit"]
    rows = [menu[word].y for word in order]
    assert rows == sorted(rows), f"the menu's order: {order} at rows {rows}"
    hover(desktop, menu["Ergonomic"].x, menu["Ergonomic"].y)
    sub = _read(desktop, [*LABELS, *TARGETS, "Reset"], "menu-checklist.png")
    click(desktop, sub["Screen"].x, sub["Screen"].y)
    _open_menu(desktop, icon, "menu-ticked.png", ("(1/6)",))
    escape(desktop)

    assert app.cli("quit").returncode == 0
    assert app.wait_exit() == 0
    database = Path(app.env["XDG_DATA_HOME"]) / "deskmobility" / "history.sqlite3"
    with contextlib.closing(sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)) as db:
        assert db.execute("SELECT item_id FROM checklist").fetchall() == [("screen-height",)]

    app.start()
    icon = centre(docked_icon(desktop))
    menu = _open_menu(desktop, icon, "menu-restarted.png", ("(1/6)",))
    hover(desktop, menu["Ergonomic"].x, menu["Ergonomic"].y)
    sub = _read(desktop, [*LABELS, *TARGETS, "Reset"], "menu-checklist-restarted.png")
    with Image.open(desktop.artifacts / "menu-checklist-restarted.png") as shot:
        image = shot.convert("RGB")
    ink = {word: _checkbox_ink(image, sub[word]) for word in LABELS}
    assert [word for word, share in ink.items() if share > 0.15] == ["Screen"], ink
    assert max(share for word, share in ink.items() if word != "Screen") < 0.05, ink
    _save_doc_screenshot(
        desktop.artifacts / "menu-checklist-restarted.png",
        _drawn_box(desktop, (sub["Desk"].left - 40, 0, desktop.width, 520), margin=12),
        "menu.png",
    )
    escape(desktop)


def test_pause_stops_reminders_and_resume_restarts_them(desktop: Desktop, tmp_path: Path) -> None:
    every = 2
    app = _app(desktop, tmp_path, _every(posture=f"{every}s"))
    icon = centre(docked_icon(desktop))

    def posture(note: Notification) -> bool:
        return _from_app(note) and note.summary == "Posture check"

    desktop.wait_for_notifications(posture, timeout=every + 5)
    menu = _open_menu(desktop, icon, "menu.png")
    hover(desktop, menu["Pause"].x, menu["Pause"].y)
    pause = _read(desktop, ["15", "hour", "tomorrow"], "menu-pause.png")
    click(desktop, pause["15"].x, pause["15"].y)

    wait_until(lambda: app.status()["paused"], 5.0, "status to say paused")
    status = app.status()
    assert status["message"].startswith("Paused until"), status
    paused_at = time.monotonic()
    docked_icon(desktop, GREY)
    time.sleep(1.0)  # a reminder queued just before the click may still be on its way
    mark = desktop.mark()
    menu = _open_menu(desktop, icon, "menu-paused.png", ("Resume", "Paused"))
    time.sleep(max(0.0, paused_at + 1 + 3 * every - time.monotonic()))
    assert [n for n in desktop.notifications(since=mark) if posture(n)] == []
    assert app.status()["paused"] is True

    mark = desktop.mark()
    click(desktop, menu["Resume"].x, menu["Resume"].y)
    desktop.wait_for_notifications(posture, timeout=every + 5, since=mark)
    assert app.status()["paused"] is False
    docked_icon(desktop, TEAL)


def test_quit_ends_the_app_with_status_zero(desktop: Desktop, tmp_path: Path) -> None:
    app = _app(desktop, tmp_path, QUIET)
    icon = centre(docked_icon(desktop))

    menu = _open_menu(desktop, icon, "menu.png")
    click(desktop, menu["Quit"].x, menu["Quit"].y)

    assert app.wait_exit() == 0
    assert any("deskmobility stopped" in line for line in app.lines())
    wait_until(lambda: not trayer_icons(desktop), 5.0, "the icon to leave the tray")
    assert app.cli("status").returncode == 3  # nothing answers any more


# -- StatusNotifierItem host through pystray's AppIndicator backend (keep last) ----------

BOTTOM = (400, 250, 1024, 768)  # where its menus open; dunst draws on the left


def test_with_an_sni_host_the_first_menu_item_starts_a_micro_break(
    desktop: Desktop, tmp_path: Path
) -> None:
    desktop.start_sni_host()
    app = _app(desktop, tmp_path, _micro_break_config(), backend="")  # let the app choose

    assert any("tray: appindicator" in line for line in app.lines()), app.tail()
    wait_for_sni_icon(desktop)

    menu = _open_menu(desktop, SNI_ICON, "sni-menu.png", ("Start", "Ergonomic"), box=BOTTOM)
    assert all(word.y > menu["Start"].y - 6 for word in menu.values()), "Start comes first"
    assert [n.summary for n in desktop.notifications()] == ["deskmobility is running"]
    click(desktop, menu["Start"].x, menu["Start"].y)

    [note] = desktop.wait_for_notifications(lambda n: n.summary.startswith("Step 1 of "))
    assert note.summary == f"Step 1 of 2: {SHRUG}"
    assert app.status()["break_running"] is True

    menu = _open_menu(desktop, SNI_ICON, "sni-menu-quit.png", ("running",), box=BOTTOM)
    click(desktop, menu["Quit"].x, menu["Quit"].y)
    assert app.wait_exit() == 0
