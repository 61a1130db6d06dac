"""Mutter's idle watches, and GNOME's notification server, on a real headless GNOME Shell 43.

Away arrives from Mutter's ``WatchFired`` once nobody has touched anything for the
threshold; back arrives at the next real input (a RemoteDesktop pointer motion), and the
next absence is reported again. The selector picks this watch in a GNOME Wayland session.
"""

from __future__ import annotations

import queue
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.glib_loop import GLibLoop
from deskmobility.adapters.idle import select_idle_watch
from deskmobility.adapters.idle.mutter_watch import MutterIdleWatch
from deskmobility.adapters.notify.freedesktop import FreedesktopNotifier

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .gnome import GnomeShell

AWAY = timedelta(seconds=2)
ICON = Path(__file__).resolve().parents[2] / "assets" / "deskmobility-64.png"


class Heard:
    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, timedelta | None]] = queue.Queue()

    def away(self, idle: timedelta) -> None:
        self.events.put(("away", idle))

    def back(self) -> None:
        self.events.put(("back", None))

    def next(self, timeout: float = 15.0) -> tuple[str, timedelta | None]:
        return self.events.get(timeout=timeout)


@pytest.fixture
def watch(gnome: GnomeShell, glib_loop: GLibLoop) -> Iterator[MutterIdleWatch]:
    assert glib_loop.running
    made = MutterIdleWatch(gnome.env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        yield made
    finally:
        made.close()


def test_mutter_reports_away_then_back_at_real_input(
    gnome: GnomeShell, watch: MutterIdleWatch
) -> None:
    heard = Heard()
    gnome.move_pointer()
    started = time.monotonic()
    watch.watch(AWAY, heard.away, heard.back)

    assert heard.next() == ("away", AWAY)
    assert time.monotonic() - started >= AWAY.total_seconds() - 0.2
    assert gnome.idle_ms() >= AWAY.total_seconds() * 1000

    gnome.move_pointer()
    assert heard.next() == ("back", None)
    assert gnome.idle_ms() < AWAY.total_seconds() * 1000

    assert heard.next() == ("away", AWAY)  # the idle watch stays: the next absence too
    gnome.move_pointer()
    assert heard.next() == ("back", None)


def test_input_before_the_threshold_keeps_the_person_present(
    gnome: GnomeShell, watch: MutterIdleWatch
) -> None:
    heard = Heard()
    watch.watch(timedelta(seconds=3), heard.away, heard.back)
    for _ in range(6):
        gnome.move_pointer()
        time.sleep(0.5)
    assert heard.events.empty()
    assert heard.next()[0] == "away"


def test_gnome_wayland_selection_picks_the_mutter_watch(
    gnome: GnomeShell, glib_loop: GLibLoop
) -> None:
    selection = select_idle_watch("linux", gnome.env)
    try:
        assert selection.name == "mutter"
        assert selection.backend.mode == "events (GNOME Mutter idle watches)"
        assert [p.name for p in selection.passed_over] == ["x11"]
    finally:
        selection.backend.close()


def test_gnome_shells_own_notification_server_is_read_and_takes_actions(gnome: GnomeShell) -> None:
    """The notifier against GNOME Shell 43's server, started by D-Bus activation on first use."""
    notifier = FreedesktopNotifier(ICON, gnome.env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        server = notifier.server()
        assert server.name == "gnome-shell"
        assert {"actions", "body-markup", "persistence"} <= server.capabilities
        assert server.has_actions
        assert server.persistence
        shown = notifier.notify(
            "Stretch break", "Try: <b>Crown Lift</b>", actions=[("default", "Show me")]
        )
        assert shown > 0
        assert notifier.notify("Stretch break", "Step 2", replaces_id=shown) == shown
    finally:
        notifier.close()
