"""Choosing a notifier: each platform's choice, and the message when nothing can notify."""

from __future__ import annotations

import stat
import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest

from deskmobility.adapters.notify import NotifyError, UnavailableNotifier, select_notifier
from deskmobility.adapters.notify.freedesktop import FreedesktopNotifier
from deskmobility.adapters.notify.macos import OsascriptNotifier, applescript_string
from deskmobility.adapters.notify.notify_send import NotifySendNotifier
from deskmobility.adapters.selection import PassedOver

ICON = Path("/icons/deskmobility-64.png")


def nothing(_name: str) -> None:
    return None


def test_linux_prefers_the_gdbus_notifier() -> None:
    selection = select_notifier(ICON, "linux", {}, which=nothing, has_gio=lambda: None)
    assert isinstance(selection.backend, FreedesktopNotifier)
    assert selection.name == "freedesktop"
    assert selection.passed_over == ()


def test_linux_without_pygobject_falls_back_to_notify_send_and_says_why() -> None:
    selection = select_notifier(
        ICON, "linux", {}, which=lambda n: f"/usr/bin/{n}", has_gio=lambda: "no gi"
    )
    assert isinstance(selection.backend, NotifySendNotifier)
    assert selection.passed_over == (PassedOver("freedesktop", "no gi"),)


def test_linux_with_neither_says_exactly_what_to_install() -> None:
    selection = select_notifier(ICON, "linux", {}, which=nothing, has_gio=lambda: "no gi")
    assert isinstance(selection.backend, UnavailableNotifier)
    assert not selection.available
    assert "python3-gi" in selection.why
    assert "libnotify-bin" in selection.why
    with pytest.raises(NotifyError, match="libnotify-bin"):
        selection.backend.send("t", "b", timedelta(seconds=5))


def test_the_environment_can_force_notify_send() -> None:
    env = {"DESKMOBILITY_NOTIFIER": "notify-send"}
    selection = select_notifier(
        ICON, "linux", env, which=lambda n: f"/usr/bin/{n}", has_gio=lambda: None
    )
    assert isinstance(selection.backend, NotifySendNotifier)
    assert selection.passed_over[0].turned_off


def test_the_selection_still_unpacks_as_notifier_and_reason() -> None:
    notifier, why = select_notifier(ICON, "linux", {}, which=nothing, has_gio=lambda: None)
    assert isinstance(notifier, FreedesktopNotifier)
    assert why.startswith("org.freedesktop.Notifications over GDBus")


def test_notify_send_runs_with_the_text_as_arguments_and_reports_failure(tmp_path: Path) -> None:
    record = tmp_path / "args"
    fake = tmp_path / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n[ "$5" != fail ]\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    notifier = NotifySendNotifier(ICON, program=str(fake))
    notifier.send("-t title", "it's a body", timedelta(seconds=5))
    assert record.read_text().splitlines() == [
        "--app-name=deskmobility",
        f"--icon={ICON}",
        "--expire-time=5000",
        "--",
        "-t title",
        "it's a body",
    ]
    with pytest.raises(NotifyError, match="exited 1"):
        notifier.send("fail", "body", timedelta(seconds=5))


def test_macos_without_pyobjus_uses_osascript() -> None:
    """MOCKS the platform: macOS can't run here; only the choice is under test."""
    selection = select_notifier(ICON, "darwin", {}, which=lambda n: f"/usr/bin/{n}")
    assert isinstance(selection.backend, OsascriptNotifier)
    assert "pyobjus" in selection.reason


def test_osascript_gets_one_safely_quoted_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MOCKS the platform: a stand-in `osascript` records its arguments instead of notifying."""
    record = tmp_path / "args"
    fake = tmp_path / "osascript"
    fake.write_text(f'#!/bin/sh\nprintf "%s" "$2" > {record}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    OsascriptNotifier().send('It\'s "time"', "back\\slash", timedelta(seconds=5))
    assert record.read_text() == (
        'display notification "back\\\\slash" with title "It\'s \\"time\\""'
    )
    assert applescript_string('a"b') == '"a\\"b"'


def test_windows_uses_plyer_balloons_and_truncates_to_the_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MOCKS the platform: plyer's Windows module is replaced, since win32 APIs can't load here."""
    sent: list[dict[str, object]] = []

    class FakeWindowsNotification:
        def notify(self, **kwargs: object) -> None:
            sent.append(kwargs)

    fake = types.ModuleType("plyer.platforms.win.notification")
    fake.instance = FakeWindowsNotification  # type: ignore[attr-defined]  # plyer's module, faked
    monkeypatch.setitem(sys.modules, "plyer.platforms.win.notification", fake)
    notifier = select_notifier(ICON, "win32", {}).backend
    notifier.send("T" * 100, "B" * 400, timedelta(seconds=20))
    title, message = sent[0]["title"], sent[0]["message"]
    assert isinstance(title, str)
    assert isinstance(message, str)
    assert len(title) == 63
    assert len(message) == 255
    assert sent[0]["app_icon"] == ""  # no .ico next to the png
