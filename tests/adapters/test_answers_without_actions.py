"""Where notifications take no answers (Windows, macOS): the tray menu and the command line.

The Windows and macOS notifiers cannot run here: their selection is asked with the platform
injected ("win32", "darwin": mocks of those platforms), and what it chose is checked to be
a notifier that cannot be answered. The rest is the real App, outbox and tray bridge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from deskmobility.adapters.history import HistoryWriter
from deskmobility.adapters.notify import select_notifier
from deskmobility.adapters.notify._base import InteractiveNotifier
from deskmobility.adapters.notify.outbox import Outbox
from deskmobility.adapters.store import Store
from deskmobility.assemble import listen_for_answers
from deskmobility.core.config import ReminderSettings, Settings
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.tray_bridge import TrayBridge
from tests.conftest import FakeClock
from tests.doubles import HandFiredTimer, build_app

ICON = Path(__file__).resolve().parents[2] / "assets" / "deskmobility-64.png"


class PlainNotifier:
    """A notifier like plyer's: it shows, and nothing comes back."""

    name = "plain"

    def __init__(self) -> None:
        self.shown: list[str] = []

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        del body, timeout
        self.shown.append(title)


@pytest.mark.parametrize(("platform", "which"), [("win32", None), ("darwin", "/usr/bin/osascript")])
def test_the_windows_and_macos_notifiers_cannot_be_answered(
    platform: str, which: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mocks of Windows and macOS: plyer's Windows module is stood in for, as it needs win32."""
    import sys  # noqa: PLC0415
    import types  # noqa: PLC0415

    fake = types.ModuleType("plyer.platforms.win.notification")
    fake.instance = object  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "plyer.platforms.win.notification", fake)
    chosen = select_notifier(ICON, platform=platform, env={}, which=lambda name: which)
    assert chosen.available, chosen.reason
    assert not isinstance(chosen.backend, InteractiveNotifier)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened, _ = Store.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def test_without_answers_on_notifications_done_and_later_come_from_tray_and_command_line(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    timer = HandFiredTimer(clock)
    settings = Settings(
        reminders={
            ReminderKind.POSTURE: ReminderSettings(enabled=True, every=timedelta(hours=9)),
            ReminderKind.HEAD: ReminderSettings(enabled=True, every=timedelta(minutes=20)),
            ReminderKind.STRETCH: ReminderSettings(enabled=True, every=timedelta(hours=9)),
        }
    )
    app, _ = build_app(clock, store, timer, settings)
    outbox = Outbox(PlainNotifier(), lambda reason: None)
    with caplog.at_level(logging.INFO):
        actions = listen_for_answers(app, outbox)
    outbox.close(0)
    assert actions is False
    assert "Done and Later are in the tray menu" in caplog.text

    history = HistoryWriter(store.path, lambda title, body: None, store)
    bridge = TrayBridge(app, history, tmp_path / "config.toml", threading.Event())
    timer.run_until(clock.now() + timedelta(minutes=20))
    assert bridge.tray_view().waiting == "Head position"
    bridge.done()  # the tray's "Done: Head position"
    assert bridge.tray_view().waiting is None
    timer.run_until(clock.now() + timedelta(minutes=20))
    assert app.later(timedelta(minutes=5)).startswith("Head position: again at ")
    history.close()  # writes what waits, and closes the store
    reopened, _ = Store.open(store.path)
    kinds = [e.kind for e in reopened.history()]
    reopened.close()
    assert HistoryKind.DONE in kinds
    assert HistoryKind.LATER in kinds
