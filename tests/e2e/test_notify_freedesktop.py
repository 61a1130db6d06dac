"""The GDBus notifier against a real dunst on the desktop's private session bus.

Capabilities are read from the server; ``replaces_id`` updates one notification in place;
an action invoked through dunst itself (``dunstctl action 0``, the newest notification's
default action) reaches the callback; a dunst restart is noticed (what it showed is
reported closed) and the next action after it still arrives. Markup in a body is shown
literally, since dunst reads bodies as markup.
"""

from __future__ import annotations

import queue
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deskmobility.adapters.glib_loop import GLibLoop
from deskmobility.adapters.notify import select_notifier
from deskmobility.adapters.notify.freedesktop import FreedesktopNotifier
from deskmobility.core.events import CloseReason

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .desktop import Desktop

ICON = Path(__file__).resolve().parents[2] / "assets" / "deskmobility-64.png"
WAIT_S = 10.0


class Heard:
    """What the notifier's callbacks received, in order, on the GLib loop's thread."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, int, object]] = queue.Queue()

    def action(self, notification_id: int, key: str) -> None:
        self.events.put(("action", notification_id, key))

    def closed(self, notification_id: int, reason: CloseReason) -> None:
        self.events.put(("closed", notification_id, reason))

    def next(self) -> tuple[str, int, object]:
        return self.events.get(timeout=WAIT_S)


@pytest.fixture
def notifier(desktop: Desktop, glib_loop: GLibLoop) -> Iterator[tuple[FreedesktopNotifier, Heard]]:
    assert glib_loop.running
    # `dunstctl action 0` acts on the notification at the top, the oldest on screen: clear
    # the screen so the one a test shows is the only one.
    desktop.run(["dunstctl", "close-all"])
    heard = Heard()
    made = FreedesktopNotifier(ICON, desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    made.listen(on_action=heard.action, on_closed=heard.closed)
    try:
        yield made, heard
    finally:
        made.close()


def test_linux_selection_picks_the_gdbus_notifier(desktop: Desktop) -> None:
    selection = select_notifier(ICON, "linux", desktop.env)
    assert selection.name == "freedesktop"
    assert selection.available
    assert isinstance(selection.backend, FreedesktopNotifier)


def test_capabilities_come_from_the_running_server(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, _ = notifier
    server = made.server()
    assert server.name == "dunst"
    assert server.has_actions
    assert server.body_markup
    assert "body" in server.capabilities


def test_replaces_id_updates_one_notification_in_place(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, _ = notifier
    first = made.notify("Step 1 of 2", "Sit tall", timeout=timedelta(seconds=30))
    second = made.notify("Step 2 of 2", "Breathe out", replaces_id=first)
    assert second == first
    sent = desktop.wait_for_notifications(2)
    assert [(n.summary, n.replaces_id) for n in sent] == [
        ("Step 1 of 2", 0),
        ("Step 2 of 2", first),
    ]
    assert sent[1].expire_timeout == -1  # no timeout: the server's default


def test_an_action_invoked_in_dunst_reaches_the_callback(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, heard = notifier
    shown = made.notify(
        "Stretch break", "Try: Crown Lift", actions=[("default", "Show me"), ("done", "Done")]
    )
    [sent] = desktop.wait_for_notifications(1)
    assert sent.actions == ["default", "Show me", "done", "Done"]

    desktop.run(["dunstctl", "action", "0"])
    assert heard.next() == ("action", shown, "default")


def test_another_apps_action_is_not_ours(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, heard = notifier
    ours = made.notify("Posture check", "Shoulders down")
    # notify-send with an action waits for it: it runs until the test ends.
    desktop.spawn(["notify-send", "--action=default=Open", "Mail", "A new message"])
    desktop.wait_for_notifications(2)
    desktop.run(["dunstctl", "close"])  # the top one, ours: the other app's is left
    assert heard.next() == ("closed", ours, CloseReason.DISMISSED)
    desktop.run(["dunstctl", "action", "0"])
    with pytest.raises(queue.Empty):  # the other app's action and its closing: not ours
        heard.events.get(timeout=1.0)


def test_a_dunst_restart_is_followed(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, heard = notifier
    before = made.notify("Head position", "Chin back", actions=[("default", "Show me")])
    desktop.kill_dunst()
    assert heard.next() == ("closed", before, CloseReason.UNDEFINED)

    desktop.start_dunst()
    after = made.notify("Head position", "Chin back again", actions=[("default", "Show me")])
    desktop.run(["dunstctl", "action", "0"])
    assert heard.next() == ("action", after, "default")


def test_closing_reports_the_reason(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, heard = notifier
    shown = made.notify("Posture check", "Shoulders down")
    made.withdraw(shown)
    assert heard.next() == ("closed", shown, CloseReason.CLOSED)


def test_markup_in_a_body_shows_literally(
    desktop: Desktop, notifier: tuple[FreedesktopNotifier, Heard]
) -> None:
    made, _ = notifier
    body = 'Try: <span size="90000">Huge</span> & <b>bold</b>'
    made.notify("Stretch break", body)
    [sent] = desktop.wait_for_notifications(1)
    assert sent.body == (
        'Try: &lt;span size="90000"&gt;Huge&lt;/span&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'
    )
    shot = desktop.screenshot("markup.png")
    # What a person sees: the text with its angle brackets, at the normal size.
    crop = shot.with_name("markup-crop.png")
    desktop.run(["convert", str(shot), "-crop", "400x120+0+24", "-resize", "300%", str(crop)])
    seen = desktop.run(["tesseract", str(crop), "-", "--psm", "6"]).stdout
    assert "<span" in seen, seen
    assert "Huge" in seen, seen
