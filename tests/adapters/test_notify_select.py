"""Choosing a notifier: each platform's choice, and the message when nothing can notify."""

from __future__ import annotations

import stat
import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest

from deskmobility.adapters.notify import NotifyError, UnavailableNotifier, select_notifier
from deskmobility.adapters.notify.macos import OsascriptNotifier, applescript_string
from deskmobility.adapters.notify.plyer_backends import DbusNotifier, NotifySendNotifier

ICON = Path("/icons/deskmobility-64.png")


def nothing(_name: str) -> None:
    return None


def test_linux_prefers_dbus_python() -> None:
    notifier, why = select_notifier(ICON, "linux", {}, which=nothing, has_dbus_python=lambda: True)
    assert isinstance(notifier, DbusNotifier)
    assert "dbus-python" in why


def test_linux_falls_back_to_notify_send() -> None:
    notifier, why = select_notifier(
        ICON, "linux", {}, which=lambda n: f"/usr/bin/{n}", has_dbus_python=lambda: False
    )
    assert isinstance(notifier, NotifySendNotifier)
    assert "notify-send" in why


def test_linux_with_neither_says_exactly_what_to_install() -> None:
    notifier, why = select_notifier(ICON, "linux", {}, which=nothing, has_dbus_python=lambda: False)
    assert isinstance(notifier, UnavailableNotifier)
    assert "dbus-python" in why
    assert "libnotify-bin" in why
    with pytest.raises(NotifyError, match="libnotify-bin"):
        notifier.send("t", "b", timedelta(seconds=5))


def test_the_environment_can_force_notify_send() -> None:
    env = {"DESKMOBILITY_NOTIFIER": "notify-send"}
    notifier, _ = select_notifier(
        ICON, "linux", env, which=lambda n: f"/usr/bin/{n}", has_dbus_python=lambda: True
    )
    assert isinstance(notifier, NotifySendNotifier)


def test_macos_without_pyobjus_uses_osascript() -> None:
    """MOCKS the platform: macOS can't run here; only the choice is under test."""
    notifier, why = select_notifier(ICON, "darwin", {}, which=lambda n: f"/usr/bin/{n}")
    assert isinstance(notifier, OsascriptNotifier)
    assert "pyobjus" in why


def test_osascript_gets_one_safely_quoted_script(tmp_path: Path, monkeypatch) -> None:
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


def test_windows_uses_plyer_balloons_and_truncates_to_the_limits(monkeypatch) -> None:
    """MOCKS the platform: plyer's Windows module is replaced, since win32 APIs can't load here."""
    sent: list[dict[str, object]] = []

    class FakeWindowsNotification:
        def notify(self, **kwargs: object) -> None:
            sent.append(kwargs)

    fake = types.ModuleType("plyer.platforms.win.notification")
    fake.instance = FakeWindowsNotification  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "plyer.platforms.win.notification", fake)
    notifier, _ = select_notifier(ICON, "win32", {})
    notifier.send("T" * 100, "B" * 400, timedelta(seconds=20))
    assert len(sent[0]["title"]) == 63  # type: ignore[arg-type]
    assert len(sent[0]["message"]) == 255  # type: ignore[arg-type]
    assert sent[0]["app_icon"] == ""  # no .ico next to the png
