"""What would a tray without GTK cost? A measurement for docs/performance.md, not a feature.

Each scenario runs in a fresh interpreter, does one thing a tray needs, and reports its own
RSS and USS (``/proc/self/smaps_rollup``) and how many modules it has imported:

    python      the interpreter alone
    gio         PyGObject with Gio and GLib only, connected to the session bus
    gio-sni     gio + PIL + pystray's icon image + an exported StatusNotifierItem and
                com.canonical.dbusmenu object with an owned bus name (what an SNI tray over
                GDBus would keep in memory; the interfaces are registered, not served)
    gtk         gio + GTK 3 with the display open, the part of today's gtk backend under it
    pystray-gtk today's tray: pystray's gtk backend with an icon and a menu (GDK_GL=disable)
    pystray-ai  pystray's appindicator backend (AyatanaAppIndicator3 + GTK), likewise

Run it on a display with a session bus, from the repository root::

    xvfb-run -a dbus-run-session -- python -m bench.tray_study
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

RUNS = 3
# As in the e2e tests and bench.footprint: no accessibility bus, dconf or gvfs daemons.
QUIET = {"NO_AT_BRIDGE": "1", "GSETTINGS_BACKEND": "memory", "GIO_USE_VFS": "local"}

_MEASURE = """
import json, re, sys
def measure():
    raw = open("/proc/self/smaps_rollup").read()
    v = dict(re.findall(r"^(\\w+):\\s+(\\d+) kB", raw, flags=re.M))
    uss = int(v["Private_Clean"]) + int(v["Private_Dirty"])
    print(json.dumps({"rss": int(v["Rss"]), "uss": uss, "modules": len(sys.modules)}))
"""

_GIO = """
import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib
bus = Gio.DBusConnection.new_for_address_sync(
    __import__("os").environ["DBUS_SESSION_BUS_ADDRESS"],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
    None, None)
"""

_SNI = """
from PIL import Image, ImageDraw
image = Image.new("RGBA", (64, 64)); ImageDraw.Draw(image).ellipse((8, 8, 56, 56), fill="teal")
pixmap = image.tobytes()
XML = '''<node>
<interface name="org.kde.StatusNotifierItem">
  <property name="Category" type="s" access="read"/><property name="Id" type="s" access="read"/>
  <property name="Title" type="s" access="read"/><property name="Status" type="s" access="read"/>
  <property name="IconPixmap" type="a(iiay)" access="read"/>
  <property name="Menu" type="o" access="read"/>
  <method name="Activate"><arg type="i" direction="in"/><arg type="i" direction="in"/></method>
  <signal name="NewIcon"/><signal name="NewTitle"/>
</interface>
<interface name="com.canonical.dbusmenu">
  <method name="GetLayout"><arg type="i" direction="in"/><arg type="i" direction="in"/>
    <arg type="as" direction="in"/><arg type="u" direction="out"/>
    <arg type="(ia{sv}av)" direction="out"/></method>
  <method name="Event"><arg type="i" direction="in"/><arg type="s" direction="in"/>
    <arg type="v" direction="in"/><arg type="u" direction="in"/></method>
  <signal name="LayoutUpdated"><arg type="u"/><arg type="i"/></signal>
</interface></node>'''
node = Gio.DBusNodeInfo.new_for_xml(XML)
def call(*args): args[-1].return_value(None)
def prop(*args): return GLib.Variant("s", "deskmobility")
bus.register_object("/StatusNotifierItem", node.interfaces[0], call, prop, None)
bus.register_object("/MenuBar", node.interfaces[1], call, None, None)
Gio.bus_own_name_on_connection(bus, "org.kde.StatusNotifierItem-%d-1" % __import__("os").getpid(),
                               Gio.BusNameOwnerFlags.NONE, None, None)
"""

_GTK = """
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
assert Gtk.init_check()[0]
"""

_PYSTRAY = """
import pystray
from PIL import Image, ImageDraw
image = Image.new("RGBA", (64, 64)); ImageDraw.Draw(image).ellipse((8, 8, 56, 56), fill="teal")
icon = pystray.Icon("study", image, "study", pystray.Menu(pystray.MenuItem("Start", lambda: None)))
def setup(icon):
    icon.visible = True
    import threading, time
    def later():
        time.sleep(1.0); measure(); icon.stop()
    threading.Thread(target=later, daemon=True).start()
icon.run(setup=setup)
"""

SCENARIOS: dict[str, tuple[str, dict[str, str]]] = {
    "python": ("measure()", {}),
    "gio": (_GIO + "measure()", {}),
    "gio-sni": (_GIO + _SNI + "measure()", {}),
    "gtk": (_GIO + _GTK + "measure()", {"GDK_GL": "disable"}),
    "pystray-gtk": (_PYSTRAY, {"PYSTRAY_BACKEND": "gtk", "GDK_GL": "disable"}),
    "pystray-ai": (_PYSTRAY, {"PYSTRAY_BACKEND": "appindicator", "GDK_GL": "disable"}),
}


def run(name: str) -> dict[str, float]:
    """The median RSS and USS (MB) and module count of ``RUNS`` fresh runs of a scenario."""
    code, extra = SCENARIOS[name]
    samples = []
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE + code],
            env={**os.environ, **QUIET, **extra},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        key: statistics.median(s[key] for s in samples) / (1024 if key != "modules" else 1)
        for key in ("rss", "uss", "modules")
    }


def main() -> int:
    """Print a Markdown table of every scenario."""
    print("| scenario | RSS MB | USS MB | modules |")
    print("| --- | ---: | ---: | ---: |")
    for name in SCENARIOS:
        numbers = run(name)
        print(
            f"| {name} | {numbers['rss']:.1f} | {numbers['uss']:.1f} | {numbers['modules']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
