"""The tray adapter on a real desktop: icon in the tray, clicks, menus read back from the screen.

A small driver process runs ``Tray`` with fake ``TrayActions`` that print what they were
asked to do; the test clicks with xdotool, reads menus with tesseract, and asserts on the
driver's output. Screenshots land in ``artifacts/e2e/test_tray_adapter/<test>/``.

Order matters: the module shares one desktop, and the StatusNotifierItem host, once started
by the last test, cannot be stopped; the XEmbed (trayer) tests run before it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from deskmobility.core.checklist import CHECKLIST

from .desktop import missing_programs
from .processes import DesktopError, wait_until
from .tray_screen import (
    AMBER,
    GREY,
    SNI_ICON,
    TEAL,
    centre,
    click,
    colour_share,
    docked_icon,
    escape,
    hover,
    open_menu,
    read,
    screen,
    trayer_icons,
    wait_for_sni_icon,
)

if TYPE_CHECKING:
    from .desktop import Desktop

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]

DRIVER = r'''
"""Run the real Tray with fake actions; print each action; obey lines added to argv[1]."""
import dataclasses, json, logging, sys, threading, time
from pathlib import Path

from deskmobility.adapters.tray import ChecklistEntry, Tray, TrayView, select_tray_backend
from deskmobility.core.checklist import CHECKLIST

logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="log %(levelname)s %(message)s")

def say(*words):
    print(*words, flush=True)

class Actions:
    def __init__(self):
        self.tray = None
        self.view = TrayView(
            paused=False,
            next_line="Next: stretch break in 12 min",
            checklist=tuple(
                ChecklistEntry(i.id, i.label, i.target, i.id == "chair") for i in CHECKLIST
            ),
            break_progress=0.3,
            today_line="Today: 3 breaks",
        )
    def _set(self, **changes):
        self.view = dataclasses.replace(self.view, **changes)
    def start_micro_break(self): say("action start_micro_break")
    def done(self):
        say("action done")
        self._set(waiting=None)
    def later(self):
        say("action later")
        self._set(waiting=None)
    def toggle_checklist_item(self, item_id):
        say("action toggle_checklist_item", item_id)
        self._set(checklist=tuple(
            dataclasses.replace(e, checked=not e.checked) if e.id == item_id else e
            for e in self.view.checklist))
    def reset_checklist(self): say("action reset_checklist")
    def pause_for(self, span):
        say("action pause_for", int(span.total_seconds()))
        self._set(paused=True, next_line="Paused until 14:30", break_progress=None)
    def pause_until_tomorrow(self): say("action pause_until_tomorrow")
    def resume(self):
        say("action resume")
        self._set(paused=False, next_line="Next: stretch break in 20 min", break_progress=0.0)
    def open_config(self):
        say("action open_config")
        raise RuntimeError("simulated failure in open_config")
    def quit(self):
        say("action quit")
        self.tray.stop()
    def tray_view(self):
        return self.view

def obey(path, actions, tray):
    done = 0
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        for line in lines[done:]:
            command, _, argument = line.partition(" ")
            if command == "set":
                actions._set(**json.loads(argument))
            elif command == "refresh":
                tray.refresh()  # from this thread, not the GTK one
            say("did", command)
        done = len(lines)
        time.sleep(0.05)

actions = Actions()
backend = select_tray_backend()
say("backend", json.dumps(dataclasses.asdict(backend)))
tray = Tray(actions, backend)
actions.tray = tray
threading.Thread(target=obey, args=(Path(sys.argv[1]), actions, tray), daemon=True).start()
tray.run(on_ready=lambda: say("ready"))
say("run returned")
'''


class TrayDriver:
    """The driver process: its output, and a file it reads commands from."""

    def __init__(self, desktop: Desktop, tmp: Path, backend: str | None) -> None:
        script, self.commands = tmp / "tray_driver.py", tmp / "commands.txt"
        script.write_text(DRIVER, encoding="utf-8")
        self.commands.write_text("", encoding="utf-8")
        env = {"PYTHONPATH": str(REPO)}
        if backend:
            env["PYSTRAY_BACKEND"] = backend
        self.log = desktop.artifacts / "tray.log"
        self.process = desktop.spawn(
            [sys.executable, str(script), str(self.commands)], name="tray", env=env
        )
        self.wait_for("ready")
        [line] = [x for x in self.lines() if x.startswith("backend ")]
        self.backend: dict[str, Any] = json.loads(line.removeprefix("backend "))

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def actions(self) -> list[str]:
        return [line.removeprefix("action ") for line in self.lines() if line.startswith("action ")]

    def wait_for(self, line: str, timeout: float = 15.0) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and line not in self.lines():
                raise DesktopError(f"the tray driver exited {self.process.returncode}")
            return line in self.lines()

        wait_until(seen, timeout, repr(line), lambda: "\n".join(self.lines()[-30:]))

    def wait_for_action(self, action: str, timeout: float = 5.0) -> None:
        wait_until(lambda: action in self.actions(), timeout, f"action {action!r}",
                   lambda: f"actions so far: {self.actions()}")  # fmt: skip

    def send(self, command: str) -> None:
        count = sum(1 for line in self.lines() if line.startswith("did "))
        with self.commands.open("a", encoding="utf-8") as file:
            file.write(command + "\n")
        wait_until(lambda: sum(1 for x in self.lines() if x.startswith("did ")) > count, 5.0,
                   f"the driver to obey {command!r}")  # fmt: skip


# -- reading the screen ------------------------------------------------------------------


def _icon_crop(desktop: Desktop, box: tuple[int, int, int, int], name: str) -> Image.Image:
    x, y, w, h = box
    image = screen(desktop, name).crop((x, y, x + w, y + h))
    image.resize((w * 8, h * 8), Image.Resampling.NEAREST).save(desktop.artifacts / f"zoom-{name}")
    return image


@pytest.fixture(scope="module", autouse=True)
def _tesseract() -> None:
    problem = missing_programs({"tesseract": "tesseract-ocr", "xwininfo": "x11-utils"})
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.fixture
def gtk_tray(desktop: Desktop, tmp_path: Path) -> TrayDriver:
    return TrayDriver(desktop, tmp_path, backend="gtk")


# -- XEmbed tray (trayer) through pystray's GTK backend ----------------------------------


def test_icon_docks_in_trayer_and_a_left_click_starts_a_micro_break(
    desktop: Desktop, tmp_path: Path
) -> None:
    driver = TrayDriver(desktop, tmp_path, backend=None)  # let the adapter choose

    assert driver.backend["name"] == "gtk", driver.backend
    assert driver.backend["has_menu"]
    assert driver.backend["has_default_action"]
    box = docked_icon(desktop)  # docked, and drawn in our teal: not an empty socket
    icon = _icon_crop(desktop, box, "icon.png")
    assert colour_share(icon, (0, 0, *icon.size), AMBER) > 0.02  # the 30 % ring

    click(desktop, *centre(box), button=1)

    driver.wait_for_action("start_micro_break")
    assert driver.actions() == ["start_micro_break"]


def test_right_click_menu_and_checklist_submenu_are_legible_and_toggle(
    desktop: Desktop, gtk_tray: TrayDriver
) -> None:
    icon = centre(docked_icon(desktop))

    menu = open_menu(desktop, icon, "menu.png")
    read(desktop, ["Start", "micro-break", "(1/6)", "Next:", "Today:", "Open", "config"],
          "menu.png")  # fmt: skip
    hover(desktop, menu["Ergonomic"].x, menu["Ergonomic"].y)
    labels = ["Desk", "Screen", "Elbow", "Chair", "Back", "Footrest", "Reset"]
    targets = [item.target.split()[0] for item in CHECKLIST]  # the first word of each
    sub = read(desktop, labels + targets, "menu-checklist.png")

    click(desktop, sub["Desk"].x, sub["Desk"].y)
    gtk_tray.wait_for_action("toggle_checklist_item desk-height")

    open_menu(desktop, icon, "menu-after-toggle.png")
    read(desktop, ["(2/6)"], "menu-after-toggle.png")
    escape(desktop)


def test_menu_text_is_rebuilt_by_refresh_not_when_the_menu_opens(
    desktop: Desktop, gtk_tray: TrayDriver
) -> None:
    icon = centre(docked_icon(desktop))
    gtk_tray.send('set {"next_line": "Next: posture check in 7 min"}')

    stale = open_menu(desktop, icon, "before-refresh.png")
    assert "stretch" in stale
    assert "posture" not in stale  # pystray builds GTK menus in update_menu(), not on open
    escape(desktop)

    gtk_tray.send("refresh")  # from the driver's command thread, not the GTK loop
    open_menu(desktop, icon, "after-refresh.png")
    fresh = read(desktop, ["posture"], "after-refresh.png")
    assert "stretch" not in fresh
    escape(desktop)


def test_a_waiting_reminder_can_be_answered_from_the_menu(
    desktop: Desktop, gtk_tray: TrayDriver
) -> None:
    """Where notifications take no answers, the menu says Done or Later (real clicks)."""
    icon = centre(docked_icon(desktop))
    gtk_tray.send('set {"waiting": "Head position"}')
    gtk_tray.send("refresh")
    menu = open_menu(desktop, icon, "menu-waiting.png", ("Done:", "Later"))
    assert menu["Start"].y < menu["Done:"].y < menu["Later"].y < menu["Ergonomic"].y
    click(desktop, menu["Done:"].x, menu["Done:"].y)
    gtk_tray.wait_for_action("done")
    gtk_tray.send('set {"waiting": "Posture check"}')
    gtk_tray.send("refresh")
    menu = open_menu(desktop, icon, "menu-waiting-again.png", ("Later",))
    click(desktop, menu["Later"].x, menu["Later"].y)
    gtk_tray.wait_for_action("later")


def test_pause_greys_the_icon_and_offers_resume(desktop: Desktop, gtk_tray: TrayDriver) -> None:
    icon = centre(docked_icon(desktop))

    menu = open_menu(desktop, icon, "menu.png")
    hover(desktop, menu["Pause"].x, menu["Pause"].y)
    pause = read(desktop, ["15", "hour", "tomorrow"], "menu-pause.png")
    click(desktop, pause["15"].x, pause["15"].y)
    gtk_tray.wait_for_action("pause_for 900")

    _icon_crop(desktop, docked_icon(desktop, GREY), "paused.png")
    menu = open_menu(desktop, icon, "menu-paused.png", ("Resume", "Paused"))
    click(desktop, menu["Resume"].x, menu["Resume"].y)
    gtk_tray.wait_for_action("resume")
    _icon_crop(desktop, docked_icon(desktop, TEAL), "resumed.png")


def test_a_failing_action_is_logged_and_the_tray_keeps_working(
    desktop: Desktop, gtk_tray: TrayDriver
) -> None:
    icon = centre(docked_icon(desktop))

    menu = open_menu(desktop, icon, "menu.png")
    click(desktop, menu["Open"].x, menu["Open"].y)
    gtk_tray.wait_for_action("open_config")
    gtk_tray.wait_for("RuntimeError: simulated failure in open_config")

    click(desktop, *icon, button=1)
    gtk_tray.wait_for_action("start_micro_break")
    assert gtk_tray.process.poll() is None


def test_quit_from_the_menu_ends_the_process_with_status_zero(
    desktop: Desktop, gtk_tray: TrayDriver
) -> None:
    icon = centre(docked_icon(desktop))

    menu = open_menu(desktop, icon, "menu.png")
    click(desktop, menu["Quit"].x, menu["Quit"].y)

    assert gtk_tray.process.wait(timeout=10) == 0
    assert gtk_tray.actions() == ["quit"]
    assert "run returned" in gtk_tray.lines()
    wait_until(lambda: not trayer_icons(desktop), 5.0, "the icon to leave the tray")


# -- StatusNotifierItem host through pystray's AppIndicator backend (keep last) ----------

BOTTOM = (0, 250, 1024, 768)


def test_appindicator_is_chosen_with_a_host_and_its_menu_starts_with_the_micro_break(
    desktop: Desktop, tmp_path: Path
) -> None:
    desktop.start_sni_host()
    driver = TrayDriver(desktop, tmp_path, backend=None)

    assert driver.backend["name"] == "appindicator", driver.backend
    assert not driver.backend["has_default_action"]
    wait_for_sni_icon(desktop)

    menu = open_menu(desktop, SNI_ICON, "sni-menu.png", ("Start", "Ergonomic"), box=BOTTOM)
    start = menu["Start"]
    assert all(word.y > start.y - 6 for word in menu.values()), "Start micro-break comes first"
    assert menu["Ergonomic"].y > start.y + 10
    click(desktop, menu["Start"].x, menu["Start"].y)
    driver.wait_for_action("start_micro_break")

    menu = open_menu(desktop, SNI_ICON, "sni-menu-again.png", ("Ergonomic",), box=BOTTOM)
    hover(desktop, menu["Ergonomic"].x, menu["Ergonomic"].y)
    everything = (0, 0, 1024, 768)
    read(desktop, ["Desk", "Footrest", "Forearms", "Reset"], "sni-checklist.png", box=everything)
    click(desktop, menu["Quit"].x, menu["Quit"].y)
    assert driver.process.wait(timeout=10) == 0
    assert driver.actions() == ["start_micro_break", "quit"]
