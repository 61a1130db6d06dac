"""The X11 SYNC idle watch against a real X server (Xvfb) with real input (XTest, via xdotool).

Away arrives once the server's IDLETIME counter reaches the threshold, back at the next
input, and the watch re-arms for the next absence; nothing wakes the watch in between.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.idle._base import IdleWatchError
from deskmobility.adapters.idle.mutter_watch import MutterIdleWatch
from deskmobility.adapters.idle.x11_sync import X11SyncIdleMonitor, X11SyncIdleWatch

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .desktop import Desktop

AWAY = timedelta(seconds=1.5)


class Heard:
    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, float, timedelta | None]] = queue.Queue()

    def away(self, idle: timedelta) -> None:
        self.events.put(("away", time.monotonic(), idle))

    def back(self) -> None:
        self.events.put(("back", time.monotonic(), None))

    def next(self, timeout: float = 10.0) -> tuple[str, float, timedelta | None]:
        return self.events.get(timeout=timeout)


@pytest.fixture
def watch(desktop: Desktop) -> Iterator[X11SyncIdleWatch]:
    made = X11SyncIdleWatch(desktop.display)
    try:
        yield made
    finally:
        made.close()


def _thread_switches(name: str) -> int:
    """Voluntary + involuntary context switches of this process's thread called ``name``."""
    [thread] = [t for t in threading.enumerate() if t.name == name]
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    return sum(int(line.split()[1]) for line in status.splitlines() if "ctxt_switches" in line)


def test_away_after_the_threshold_then_back_at_the_next_input(
    desktop: Desktop, watch: X11SyncIdleWatch
) -> None:
    heard = Heard()
    desktop.xdotool("mousemove", "--sync", "100", "100")
    started = time.monotonic()
    watch.watch(AWAY, heard.away, heard.back)

    kind, at, idle = heard.next()
    assert kind == "away"
    assert idle is not None
    assert AWAY <= idle < AWAY + timedelta(seconds=1)
    assert at - started >= AWAY.total_seconds() - 0.2  # not before the person was away

    with pytest.raises(queue.Empty):  # no input: nothing more happens
        heard.next(timeout=1.0)
    desktop.xdotool("mousemove", "--sync", "200", "220")
    assert heard.next()[0] == "back"

    # Re-armed: the next absence is reported too, and the next return.
    assert heard.next()[0] == "away"
    desktop.xdotool("key", "shift")
    assert heard.next()[0] == "back"


def test_input_before_the_threshold_keeps_the_person_present(
    desktop: Desktop, watch: X11SyncIdleWatch
) -> None:
    heard = Heard()
    watch.watch(timedelta(seconds=2), heard.away, heard.back)
    for x in range(5):  # input every 0.5 s for 2.5 s: never 2 s idle
        desktop.xdotool("mousemove", "--sync", str(300 + x), "300")
        time.sleep(0.5)
    with pytest.raises(queue.Empty):
        heard.events.get_nowait()
    assert heard.next()[0] == "away"


def test_the_watch_thread_sleeps_between_alarms(desktop: Desktop, watch: X11SyncIdleWatch) -> None:
    heard = Heard()
    desktop.xdotool("mousemove", "--sync", "10", "10")
    watch.watch(timedelta(seconds=30), heard.away, heard.back)
    time.sleep(0.3)  # let the thread arm its alarm and block
    before = _thread_switches("idle-x11")
    time.sleep(2.0)
    assert _thread_switches("idle-x11") == before  # no tick, no poll
    assert heard.events.empty()


def test_a_new_threshold_replaces_the_old_one(desktop: Desktop, watch: X11SyncIdleWatch) -> None:
    heard = Heard()
    desktop.xdotool("mousemove", "--sync", "50", "60")
    watch.watch(timedelta(minutes=10), heard.away, heard.back)
    watch.watch(timedelta(seconds=1), heard.away, heard.back)
    kind, _, idle = heard.next(timeout=5.0)
    assert kind == "away"
    assert idle is not None
    assert idle < timedelta(seconds=3)


def test_without_a_display_it_says_why() -> None:
    with pytest.raises(IdleWatchError, match="DISPLAY is not set"):
        X11SyncIdleWatch(None)
    with pytest.raises(IdleWatchError, match="cannot open X11 display ':99'"):
        X11SyncIdleWatch(":99")
    assert os.environ.get("DISPLAY") != ":99"


def test_the_sync_counter_reading_grows_and_input_resets_it(desktop: Desktop) -> None:
    monitor = X11SyncIdleMonitor(desktop.display)
    try:
        assert monitor.probe() is None
        desktop.xdotool("mousemove", "--sync", "120", "130")
        time.sleep(1.2)
        idle = monitor.idle_for()
        assert idle is not None
        assert timedelta(seconds=1) <= idle < timedelta(seconds=3)
        desktop.xdotool("key", "shift")
        after = monitor.idle_for()
        assert after is not None
        assert after < timedelta(seconds=0.5)
    finally:
        monitor.close()


def test_the_x11_paths_load_no_python_x11_library(desktop: Desktop) -> None:
    """Idle watch and reading, fullscreen check, tray probe: ctypes only, in a fresh process."""
    code = (
        "import sys\n"
        "from deskmobility.adapters.idle import select_idle_watch, select_idle_monitor\n"
        "from deskmobility.adapters.interruptions import select_interruption_checks\n"
        "from deskmobility.adapters.tray_select import _probe_xembed_tray\n"
        "import os\n"
        "watch = select_idle_watch('linux', os.environ)\n"
        "reading = select_idle_monitor('linux', os.environ)\n"
        "checks = select_interruption_checks('linux', os.environ, dnd=False)\n"
        "print(watch.name, reading.name, _probe_xembed_tray(os.environ))\n"
        "print(sorted(m for m in ('Xlib', 'dbus') if m in sys.modules))\n"
    )
    done = desktop.run([sys.executable, "-c", code])
    names, loaded = done.stdout.splitlines()
    assert names == "x11-sync x11-sync None"
    assert loaded == "[]"


def test_on_a_desktop_without_gnome_the_mutter_watch_says_so_plainly(desktop: Desktop) -> None:
    with pytest.raises(IdleWatchError) as refused:
        MutterIdleWatch(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    assert str(refused.value) == (
        "GNOME Mutter IdleMonitor: nothing on the session bus owns org.gnome.Mutter.IdleMonitor"
    )
