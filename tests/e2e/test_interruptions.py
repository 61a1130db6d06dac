"""Interruption checks on a real desktop: dunst paused, a fullscreen window, GNOME's DND.

All REAL: Xvfb, a private session bus, dunst 1.9 (paused and unpaused with ``dunstctl``),
openbox as the EWMH window manager with ``xmessage`` windows made fullscreen by ``wmctrl``,
and GNOME's ``show-banners`` key written by ``gsettings`` through a real ``dconf-service``.
The one stand-in is the notification server with an ``Inhibited`` property: there is no
Plasma here, so a small GDBus server (source below) serves it the way Plasma's does,
on the real bus, in dunst's place.

Every wait is bounded. Screenshots land in ``artifacts/e2e/test_interruptions/<test>/``.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.interruptions import held_reason, select_interruption_checks
from deskmobility.adapters.interruptions.dunst import DunstPausedCheck
from deskmobility.adapters.interruptions.freedesktop import FreedesktopInhibitedCheck
from deskmobility.adapters.interruptions.x11_fullscreen import X11FullscreenCheck

from .desktop import DesktopError, missing_programs
from .processes import wait_until

if TYPE_CHECKING:
    from .desktop import Desktop

pytestmark = pytest.mark.e2e

# Programs these tests need beyond the desktop's own, and the Debian package of each.
PROGRAMS = {
    "dunstctl": "dunst",
    "openbox": "openbox",
    "wmctrl": "wmctrl",
    "xmessage": "x11-utils",
    "gsettings": "libglib2.0-bin",
    "gdbus": "libglib2.0-bin",
}
DCONF_SERVICE = Path("/usr/libexec/dconf-service")  # package dconf-service
REPO = Path(__file__).resolve().parents[2]
WAIT_S = 10.0


@pytest.fixture(scope="module", autouse=True)
def _programs() -> None:
    problem = missing_programs(PROGRAMS)
    if problem:
        pytest.fail(problem, pytrace=False)


# -- dunst -------------------------------------------------------------------------------


def test_dunst_paused_holds_reminders_and_unpaused_lets_them_out(desktop: Desktop) -> None:
    check = DunstPausedCheck.from_env(desktop.env)
    assert check.probe() is None
    try:
        assert check.held_reason() is None
        desktop.run(["dunstctl", "set-paused", "true"])
        assert desktop.run(["dunstctl", "is-paused"]).stdout.strip() == "true"
        assert check.held_reason() == "do not disturb"
        assert held_reason([check]) == "do not disturb"
        desktop.run(["dunstctl", "set-paused", "false"])
        assert check.held_reason() is None
    finally:
        desktop.run(["dunstctl", "set-paused", "false"])
        check.close()


def test_dunst_check_survives_a_dunst_restart(desktop: Desktop) -> None:
    check = DunstPausedCheck.from_env(desktop.env)
    try:
        assert check.probe() is None
        desktop.kill_dunst()
        assert check.held_reason() is None  # gone: not held, and no exception
        desktop.start_dunst()
        desktop.run(["dunstctl", "set-paused", "true"])
        assert check.held_reason() == "do not disturb"  # reconnected by itself
    finally:
        desktop.run(["dunstctl", "set-paused", "false"], check=False)
        check.close()


def test_dunst_has_no_inhibited_property_and_the_reason_names_it(desktop: Desktop) -> None:
    check = FreedesktopInhibitedCheck.from_env(desktop.env)
    problem = check.probe()
    assert problem is not None
    assert problem.startswith("the notification server (dunst 1.9")
    assert "has no Inhibited property" in problem
    assert check.held_reason() is None


# -- the selection on this desktop -------------------------------------------------------


def test_selection_on_this_desktop_without_a_window_manager(desktop: Desktop) -> None:
    checks, reasons = select_interruption_checks("linux", desktop.env)
    try:
        assert [check.name for check in checks] == ["dunst"]
        assert reasons[0].startswith("freedesktop: the notification server (dunst 1.9")
        assert reasons[1] == (
            f"x11-fullscreen: no EWMH window manager on X11 display {desktop.display!r} "
            "(the root window has no _NET_SUPPORTING_WM_CHECK)"
        )
        assert reasons[2] == "gnome: not a GNOME session (XDG_CURRENT_DESKTOP='')"
    finally:
        for check in checks:
            check.close()


# -- a fullscreen window -----------------------------------------------------------------


@pytest.fixture
def openbox(desktop: Desktop) -> subprocess.Popen[bytes]:
    """openbox on the desktop, ready (EWMH hints published); stopped at the test's end."""
    process = desktop.spawn(["openbox", "--sm-disable"], name="openbox")

    def ready() -> bool:
        if process.poll() is not None:
            raise DesktopError(f"openbox exited {process.returncode}")
        return desktop.run(["wmctrl", "-m"], check=False).returncode == 0

    wait_until(ready, WAIT_S, "openbox to manage the screen")
    return process


def open_window(desktop: Desktop, name: str) -> str:
    """An xmessage window, activated; its X id as wmctrl and xdotool take it."""
    desktop.spawn(["xmessage", "-name", name, f"{name}: a window to make fullscreen"], name=name)
    [window, *_] = desktop.xdotool("search", "--sync", "--classname", name).split()
    desktop.xdotool("windowactivate", "--sync", window)
    return window


def wait_for_reason(check: X11FullscreenCheck, expected: str | None) -> None:
    """Poll the check until it answers ``expected`` (the WM applies requests asynchronously)."""
    answers: list[str | None] = []

    def answered() -> bool:
        answers.append(check.held_reason())
        return answers[-1] == expected

    wait_until(answered, WAIT_S, f"held_reason() == {expected!r}", lambda: f"answers: {answers}")


def test_a_focused_fullscreen_window_holds_reminders(desktop: Desktop, openbox: object) -> None:
    window = open_window(desktop, "deskmobility-fullscreen")
    check = X11FullscreenCheck(desktop.display)
    try:
        assert check.probe() is None
        assert check.held_reason() is None

        desktop.run(["wmctrl", "-i", "-r", window, "-b", "add,fullscreen"])
        wait_for_reason(check, "a fullscreen window")
        desktop.screenshot("fullscreen.png")

        desktop.run(["wmctrl", "-i", "-r", window, "-b", "remove,fullscreen"])
        wait_for_reason(check, None)
    finally:
        check.close()


def test_a_fullscreen_window_without_focus_does_not_hold(desktop: Desktop, openbox: object) -> None:
    fullscreen = open_window(desktop, "deskmobility-behind")
    desktop.run(["wmctrl", "-i", "-r", fullscreen, "-b", "add,fullscreen"])
    check = X11FullscreenCheck(desktop.display)
    try:
        wait_for_reason(check, "a fullscreen window")
        open_window(desktop, "deskmobility-front")  # takes the focus
        wait_for_reason(check, None)
        desktop.screenshot("fullscreen-behind.png")
        desktop.xdotool("windowactivate", "--sync", fullscreen)
        wait_for_reason(check, "a fullscreen window")
    finally:
        check.close()


def test_selection_with_a_window_manager_keeps_the_fullscreen_check(
    desktop: Desktop, openbox: object
) -> None:
    checks, reasons = select_interruption_checks("linux", desktop.env)
    try:
        assert [check.name for check in checks] == ["dunst", "x11-fullscreen"]
        assert not any(reason.startswith("x11-fullscreen") for reason in reasons)
    finally:
        for check in checks:
            check.close()


def test_a_window_manager_that_exits_is_noticed_by_the_probe(
    desktop: Desktop, openbox: subprocess.Popen[bytes]
) -> None:
    check = X11FullscreenCheck(desktop.display)
    try:
        assert check.probe() is None
        desktop.stop_process(openbox)
        problem = check.probe()
        assert problem is not None
        assert problem.startswith(f"no EWMH window manager on X11 display {desktop.display!r}")
        assert check.held_reason() is None
    finally:
        check.close()


# -- the notification server's Inhibited property (a stand-in for Plasma's) -------------

INHIBITING_SERVER = textwrap.dedent(
    '''
    """Serve org.freedesktop.Notifications with Plasma's Inhibit/UnInhibit/Inhibited (GDBus)."""
    import os
    from gi.repository import Gio, GLib

    IFACE = "org.freedesktop.Notifications"
    XML = f"""<node><interface name="{IFACE}">
      <method name="Inhibit"><arg type="s" direction="in"/><arg type="s" direction="in"/>
        <arg type="a{{sv}}" direction="in"/><arg type="u" direction="out"/></method>
      <method name="UnInhibit"><arg type="u" direction="in"/></method>
      <method name="GetServerInformation"><arg type="s" direction="out"/>
        <arg type="s" direction="out"/><arg type="s" direction="out"/>
        <arg type="s" direction="out"/></method>
      <property name="Inhibited" type="b" access="read"/>
    </interface></node>"""
    cookies, last = set(), [0]

    def method(_bus, _sender, _path, _iface, name, args, invocation):
        if name == "Inhibit":
            last[0] += 1
            cookies.add(last[0])
            invocation.return_value(GLib.Variant("(u)", (last[0],)))
        elif name == "UnInhibit":
            cookies.discard(args.unpack()[0])
            invocation.return_value(None)
        else:
            info = ("stand-in", "deskmobility tests", "0", "1.2")
            invocation.return_value(GLib.Variant("(ssss)", info))

    def get_property(_bus, _sender, _path, _iface, _name):
        return GLib.Variant("b", bool(cookies))  # GDBus refuses names not in XML itself

    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
             | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    bus = Gio.DBusConnection.new_for_address_sync(
        os.environ["DBUS_SESSION_BUS_ADDRESS"], flags, None, None)
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    bus.register_object("/org/freedesktop/Notifications", node.interfaces[0], method,
                        get_property, None)
    Gio.bus_own_name_on_connection(bus, IFACE, Gio.BusNameOwnerFlags.NONE, None, None)
    GLib.MainLoop().run()
    '''
)


def gdbus_call(desktop: Desktop, method: str, *args: str) -> str:
    argv = [
        *("gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications"),
        *("--object-path", "/org/freedesktop/Notifications"),
        *("--method", f"org.freedesktop.Notifications.{method}", *args),
    ]
    return desktop.run(argv).stdout.strip()


def test_inhibited_property_holds_reminders_while_any_inhibition_lasts(
    desktop: Desktop, tmp_path: Path
) -> None:
    desktop.kill_dunst()  # the stand-in takes the name; dunst comes back after the test
    script = tmp_path / "inhibiting_server.py"
    script.write_text(INHIBITING_SERVER, encoding="utf-8")
    desktop.spawn([sys.executable, str(script)], name="inhibiting-server")
    wait_until(
        lambda: desktop.name_has_owner("org.freedesktop.Notifications"),
        WAIT_S,
        "the stand-in server to own org.freedesktop.Notifications",
    )
    checks, reasons = select_interruption_checks("linux", desktop.env, fullscreen=False)
    try:
        assert [check.name for check in checks] == ["freedesktop"]
        assert reasons[1].startswith("dunst: the notification server is not dunst")
        assert held_reason(checks) is None

        cookie = gdbus_call(desktop, "Inhibit", "deskmobility-test", "a test", "{}")
        assert cookie == "(uint32 1,)"
        assert held_reason(checks) == "do not disturb"

        gdbus_call(desktop, "UnInhibit", "1")
        assert held_reason(checks) is None
    finally:
        for check in checks:
            check.close()


# -- GNOME's show-banners, through a real dconf ----------------------------------------

GNOME_HELPER = textwrap.dedent(
    """
    import json, sys
    from deskmobility.adapters.interruptions import held_reason, select_interruption_checks

    checks, reasons = select_interruption_checks(fullscreen=False)
    print(json.dumps([[check.name for check in checks], reasons]), flush=True)
    for _ in sys.stdin:
        print(held_reason(checks), flush=True)
    """
)


class Helper:
    """A child process running the real selection in a GNOME-like environment; ask() it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", GNOME_HELPER],
            env=env,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def line(self) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], WAIT_S)
        if not ready:
            raise DesktopError(f"the helper said nothing for {WAIT_S} s")
        text = self.process.stdout.readline()
        if not text:
            raise DesktopError(f"the helper exited: {self.stop()}")
        return text.strip()

    def ask(self) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        return self.line()

    def wait_for(self, expected: str) -> None:
        """Ask until the answer is ``expected`` (a dconf write lands soon, not at once)."""
        answers: list[str] = []

        def answered() -> bool:
            answers.append(self.ask())
            return answers[-1] == expected

        wait_until(answered, WAIT_S, f"the helper to answer {expected!r}", lambda: f"{answers}")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.kill()
        _, err = self.process.communicate(timeout=WAIT_S)
        return err


def test_gnome_do_not_disturb_holds_reminders_in_a_running_process(desktop: Desktop) -> None:
    if not DCONF_SERVICE.exists():
        pytest.fail(f"{DCONF_SERVICE} is missing: apt-get install dconf-service", pytrace=False)
    desktop.spawn([str(DCONF_SERVICE)], name="dconf-service")
    wait_until(lambda: desktop.name_has_owner("ca.desrt.dconf"), WAIT_S, "dconf-service")
    env = {**desktop.env, "GSETTINGS_BACKEND": "dconf", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))

    def show_banners(value: str) -> None:
        argv = ["gsettings", "set", "org.gnome.desktop.notifications", "show-banners", value]
        subprocess.run(argv, env=env, check=True, timeout=WAIT_S, capture_output=True)

    show_banners("true")
    helper = Helper(env)
    try:
        names, reasons = json.loads(helper.line())
        assert names == ["dunst", "gnome"], reasons
        assert helper.ask() == "None"

        # GNOME Shell's Do Not Disturb switch writes exactly this key.
        show_banners("false")
        helper.wait_for("do not disturb")

        show_banners("true")
        helper.wait_for("None")
    finally:
        (desktop.artifacts / "gnome-helper.stderr").write_text(helper.stop(), encoding="utf-8")
