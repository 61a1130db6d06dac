"""The Linux idle monitors on a real private desktop: Xvfb and a session bus of our own.

X11: the idle time grows while nobody touches anything, and xdotool input resets it.
D-Bus: on a bus where neither GNOME Mutter nor KDE's screen locker runs, both probes
refuse with a reason; with stand-in services that answer the way Mutter and Plasma on
Wayland do, the Mutter monitor reads its number and the KDE one explains the refusal.
"""

from __future__ import annotations

import socket
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.idle import UnavailableIdleMonitor, select_idle_monitor
from deskmobility.adapters.idle.kde import KdeIdleMonitor
from deskmobility.adapters.idle.mutter import MutterIdleMonitor
from deskmobility.adapters.idle.x11 import X11IdleMonitor

from .processes import wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from deskmobility.adapters.idle._base import DBusIdleMonitor

    from .desktop import Desktop

pytestmark = pytest.mark.e2e

# Stand-ins for the two D-Bus services, run as their own process on the desktop's bus.
FAKE_SERVICES = """\
import os
import sys

from gi.repository import Gio, GLib

XML = '''<node>
  <interface name="org.gnome.Mutter.IdleMonitor">
    <method name="GetIdletime"><arg type="t" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.ScreenSaver">
    <method name="GetSessionIdleTime"><arg type="u" direction="out"/></method>
  </interface>
</node>'''


def mutter(_bus, _sender, _path, _iface, _name, _args, invocation):
    invocation.return_value(GLib.Variant("(t)", (int(sys.argv[1]),)))


def plasma_on_wayland(_bus, _sender, _path, _iface, _name, _args, invocation):
    # What kscreenlocker answers in a Wayland session (its interface.cpp).
    invocation.return_dbus_error(
        "org.freedesktop.DBus.Error.NotSupported",
        "GetSessionIdleTime is not supported on this platform",
    )


flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
         | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
bus = Gio.DBusConnection.new_for_address_sync(
    os.environ["DBUS_SESSION_BUS_ADDRESS"], flags, None, None)
mutter_iface, plasma_iface = Gio.DBusNodeInfo.new_for_xml(XML).interfaces
bus.register_object("/org/gnome/Mutter/IdleMonitor/Core", mutter_iface, mutter, None, None)
bus.register_object("/org/freedesktop/ScreenSaver", plasma_iface, plasma_on_wayland, None, None)
for name in ("org.gnome.Mutter.IdleMonitor", "org.freedesktop.ScreenSaver"):
    Gio.bus_own_name_on_connection(bus, name, Gio.BusNameOwnerFlags.NONE, None, None)
GLib.MainLoop().run()
"""


@pytest.fixture
def x11(desktop: Desktop) -> Iterator[X11IdleMonitor]:
    monitor = X11IdleMonitor(desktop.display)
    try:
        yield monitor
    finally:
        monitor.close()


def read(monitor: X11IdleMonitor) -> timedelta:
    idle = monitor.idle_for()
    assert idle is not None
    return idle


def test_x11_idle_time_grows_while_nobody_touches_anything(
    desktop: Desktop, x11: X11IdleMonitor
) -> None:
    assert x11.probe() is None
    desktop.xdotool("mousemove", "--sync", "200", "200")
    start = read(x11)
    assert start < timedelta(seconds=1)

    began = time.monotonic()
    wait_until(lambda: read(x11) >= timedelta(seconds=1.5), 10.0, "idle time to pass 1.5 s")
    later = read(x11)
    waited = timedelta(seconds=time.monotonic() - began)
    assert later - start >= timedelta(seconds=1.5)
    assert later <= start + waited + timedelta(seconds=0.5)


def test_xdotool_input_resets_x11_idle_time_to_under_a_second(
    desktop: Desktop, x11: X11IdleMonitor
) -> None:
    wait_until(lambda: read(x11) >= timedelta(seconds=2), 10.0, "idle time to pass 2 s")
    desktop.xdotool("mousemove", "--sync", "300", "310")
    assert read(x11) < timedelta(seconds=1)

    wait_until(lambda: read(x11) >= timedelta(seconds=1.2), 10.0, "idle time to pass 1.2 s")
    desktop.xdotool("key", "shift")
    assert read(x11) < timedelta(seconds=1)


def test_x11_monitor_reconnects_after_the_connection_drops(
    desktop: Desktop, x11: X11IdleMonitor
) -> None:
    assert read(x11) >= timedelta(0)
    connection = x11._display
    connection.display.socket.shutdown(socket.SHUT_RDWR)  # as when the X server goes away

    assert x11.idle_for() is None  # unknown, not an exception
    assert x11._display is None
    assert read(x11) >= timedelta(0)  # the next call opened a new connection
    assert x11._display is not connection


def test_selection_on_this_x11_desktop_picks_x11_sync_and_says_why_not_the_others(
    desktop: Desktop,
) -> None:
    monitor, reason = select_idle_monitor("linux", desktop.env)
    try:
        assert monitor.name == "x11-sync"  # ctypes on libXext; python-xlib is the fallback
        assert reason.startswith("x11-sync: the X server's SYNC IDLETIME counter")
        assert (
            "mutter: GNOME Mutter IdleMonitor: nothing on the session bus owns "
            "org.gnome.Mutter.IdleMonitor" in reason
        )
        assert (
            "kde: KDE org.freedesktop.ScreenSaver: nothing on the session bus owns "
            "org.freedesktop.ScreenSaver" in reason
        )
    finally:
        monitor.close()


@pytest.mark.parametrize(
    ("monitor_class", "service"),
    [
        (MutterIdleMonitor, "org.gnome.Mutter.IdleMonitor"),
        (KdeIdleMonitor, "org.freedesktop.ScreenSaver"),
    ],
)
def test_dbus_probe_fails_cleanly_where_the_service_does_not_exist(
    desktop: Desktop, monitor_class: type[DBusIdleMonitor], service: str
) -> None:
    monitor = monitor_class.from_env(desktop.env)
    try:
        assert monitor.probe() == (
            f"{monitor_class.LABEL}: nothing on the session bus owns {service}"
        )
        assert monitor.idle_for() is None
    finally:
        monitor.close()
    assert not desktop.name_has_owner(service)  # the probe auto-started nothing


def test_wayland_session_without_gnome_or_kde_answers_is_unavailable(desktop: Desktop) -> None:
    env = {**desktop.env, "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    monitor, reason = select_idle_monitor("linux", env)
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert reason.startswith("cannot tell idle time: mutter: GNOME Mutter IdleMonitor: nothing")
    assert "x11: this is a Wayland session" in reason


def test_stand_in_mutter_is_read_and_plasma_on_wayland_is_explained(
    desktop: Desktop, tmp_path: Path
) -> None:
    script = tmp_path / "fake_idle_services.py"
    script.write_text(FAKE_SERVICES)
    desktop.spawn([sys.executable, str(script), "123456"], name="fake-idle-services")
    wait_until(
        lambda: desktop.name_has_owner("org.freedesktop.ScreenSaver"),
        10.0,
        "the stand-in services to own their names",
    )

    mutter = MutterIdleMonitor.from_env(desktop.env)
    kde = KdeIdleMonitor.from_env(desktop.env)
    try:
        assert mutter.probe() is None
        assert mutter.idle_for() == timedelta(seconds=123.456)
        assert kde.idle_for() is None
        assert kde.probe() == (
            "KDE org.freedesktop.ScreenSaver: GetSessionIdleTime is refused here (GetSession"
            "IdleTime is not supported on this platform); Plasma answers it in X11 sessions "
            "only, and on Wayland offers idle time only through the ext-idle-notify Wayland "
            "protocol"
        )
    finally:
        mutter.close()
        kde.close()

    env = {**desktop.env, "WAYLAND_DISPLAY": "wayland-0"}
    monitor, reason = select_idle_monitor("linux", env)
    try:
        assert monitor.name == "mutter"
        assert reason == (
            "mutter: GNOME Mutter's IdleMonitor on the session bus (automatic choice for "
            "linux); passed over: x11: this is a Wayland session, where XWayland counts only "
            "input sent to X11 windows (set DESKMOBILITY_IDLE_BACKEND=x11 to use it anyway)"
        )
    finally:
        monitor.close()
