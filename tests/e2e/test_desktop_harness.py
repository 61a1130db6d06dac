"""The e2e desktop itself works: notifications are recorded exactly, the screen is real."""

from __future__ import annotations

import signal
import sys
import time
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from .dbus_capture import split_signature
from .desktop import REQUIRED, DesktopError, missing_programs, wait_until

if TYPE_CHECKING:
    from pathlib import Path

    from .desktop import Desktop

pytestmark = pytest.mark.e2e


def test_notify_send_arrives_with_exact_summary_and_body(desktop: Desktop) -> None:
    desktop.run(["notify-send", "Hello", "it's a body"])

    [note] = desktop.wait_for_notifications(1, timeout=10)

    assert (note.app_name, note.summary, note.body) == ("notify-send", "Hello", "it's a body")
    assert note.replaces_id == 0
    assert note.expire_timeout == -1


def test_text_that_breaks_dbus_monitor_text_output_is_recorded_exactly(desktop: Desktop) -> None:
    tricky = 'line one\n   string "not an argument"\n   int32 5\nmethod call time=1 "quoted"'
    desktop.run(["notify-send", "--app-name=deskmobility", "--expire-time=1500", 'Sum "q"', tricky])

    [note] = desktop.wait_for_notifications(lambda n: n.app_name == "deskmobility")

    assert (note.summary, note.body, note.expire_timeout) == ('Sum "q"', tricky, 1500)
    assert note.hints["urgency"] == 1


def test_each_test_counts_notifications_from_its_own_start(desktop: Desktop) -> None:
    assert desktop.notifications() == []  # whatever earlier tests in this module sent
    desktop.run(["notify-send", "Before", "first"])
    desktop.wait_for_notifications(1)
    mark = desktop.mark()

    desktop.run(["notify-send", "After", "second"])

    assert [n.summary for n in desktop.wait_for_notifications(1, since=mark)] == ["After"]
    assert [n.summary for n in desktop.notifications()] == ["Before", "After"]


def test_screenshot_is_a_png_of_the_whole_screen(desktop: Desktop, artifacts: Path) -> None:
    desktop.run(["notify-send", "Screenshot", "this notification should be visible"])
    desktop.wait_for_notifications(1)

    path = desktop.screenshot("screen.png")

    assert path == artifacts / "screen.png"
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (1024, 768))
        colours = image.convert("RGB").getcolors(maxcolors=1024 * 768) or []
        assert len(colours) > 2  # dunst and trayer drew something


def test_a_notification_asking_for_a_short_timeout_stays_for_screenshots(desktop: Desktop) -> None:
    desktop.run(["notify-send", "--expire-time=200", "Short", "asked for 0.2 s"])
    [note] = desktop.wait_for_notifications(1)
    time.sleep(1.0)  # five times what it asked for; the dunstrc keeps it 60 s

    with Image.open(desktop.screenshot("after-1s.png")) as image:
        assert image.convert("RGB").getpixel((100, 50)) == (0x2E, 0x34, 0x40)  # dunst's background
    assert note.expire_timeout == 200  # what the sender asked for is still recorded exactly


def test_click_moves_the_pointer_there(desktop: Desktop) -> None:
    desktop.click(100, 200, button=1)

    assert desktop.xdotool("getmouselocation").startswith("x:100 y:200 ")


def test_notifications_fail_while_dunst_is_down_and_work_after_restart(desktop: Desktop) -> None:
    desktop.kill_dunst(signal.SIGKILL)

    failed = desktop.run(["notify-send", "Lost", "nobody listens"], check=False)

    assert failed.returncode != 0  # no D-Bus activation brought dunst back
    assert not desktop.dunst_running
    desktop.start_dunst()
    desktop.run(["notify-send", "Back", "dunst is up again"])
    assert [n.summary for n in desktop.wait_for_notifications(1)] == ["Back"]


RED_ICON = """
import pystray
from PIL import Image
pystray.Icon("harness", Image.new("RGB", (32, 32), (255, 0, 0)), "harness").run()
"""


@pytest.mark.parametrize(
    ("backend", "where"),
    [("gtk", (1012, 12)), ("appindicator", (1012, 756))],
    ids=["xembed-trayer-top", "sni-host-bottom"],
)
def test_a_pystray_icon_shows_in_the_tray_host_for_its_backend(
    desktop: Desktop, backend: str, where: tuple[int, int]
) -> None:
    desktop.start_sni_host()
    items_before = desktop.sni_items()

    desktop.spawn([sys.executable, "-c", RED_ICON], name="icon", env={"PYSTRAY_BACKEND": backend})

    if backend == "appindicator":
        wait_until(lambda: len(desktop.sni_items()) > len(items_before), 10, "an SNI item")
    x, y = where

    def red_there() -> bool:
        with Image.open(desktop.screenshot("tray.png")) as image:
            return bool(image.convert("RGB").getpixel((x, y)) == (255, 0, 0))

    wait_until(red_there, 10, f"a red icon at {where}", step=0.3)


def test_missing_programs_are_named_with_their_packages() -> None:
    message = missing_programs({"no-such-program-xyz": "some-package", **REQUIRED})

    assert message is not None
    assert "no-such-program-xyz" in message
    assert "apt-get install some-package" in message


def test_wait_for_notifications_times_out_with_what_arrived(desktop: Desktop) -> None:
    desktop.run(["notify-send", "Other", "not the one"])
    with pytest.raises(DesktopError, match="'Other'"):
        desktop.wait_for_notifications(lambda n: n.summary == "Never", timeout=0.5)


def test_split_signature_keeps_containers_whole() -> None:
    assert split_signature("susssasa{sv}i") == ["s", "u", "s", "s", "s", "as", "a{sv}", "i"]
    assert split_signature("a(ii)(sa{sv})v") == ["a(ii)", "(sa{sv})", "v"]
