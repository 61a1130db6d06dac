"""What the tray's menu items do, on a real App with a real store."""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from deskmobility.adapters.files import example_config
from deskmobility.adapters.history import HistoryWriter
from deskmobility.adapters.store import Store
from deskmobility.tray_bridge import TrayBridge
from tests.conftest import FakeClock
from tests.doubles import HandFiredTimer, build_app

from .test_app import settings
from .test_app import store as store  # noqa: PLC0414  # the fixture, shared


@pytest.fixture
def history(store: Store) -> Iterator[HistoryWriter]:
    writer = HistoryWriter(store.path, lambda title, body: None, store)
    yield writer
    writer.close()


@pytest.fixture
def bridge(clock: FakeClock, store: Store, history: HistoryWriter, tmp_path: Path) -> TrayBridge:
    app, _ = build_app(clock, store, HandFiredTimer(clock), settings())
    return TrayBridge(app, history, tmp_path / "conf" / "config.toml", threading.Event())


def test_ticks_are_remembered_and_reset(bridge: TrayBridge) -> None:
    bridge.toggle_checklist_item("screen-height")
    bridge.toggle_checklist_item("chair")
    bridge.toggle_checklist_item("chair")
    view = bridge.tray_view()
    assert [entry.id for entry in view.checklist if entry.checked] == ["screen-height"]
    assert len(view.checklist) == 6
    bridge.reset_checklist()
    assert not any(entry.checked for entry in bridge.tray_view().checklist)


def test_ticks_reach_the_history_file(bridge: TrayBridge, history: HistoryWriter) -> None:
    bridge.toggle_checklist_item("screen-height")
    history.close()  # writes what waits, and closes the store
    reopened, _ = Store.open(history.path)
    try:
        assert reopened.checklist() == {"screen-height"}
    finally:
        reopened.close()


def test_the_view_says_what_is_next_and_counts_todays_breaks(
    bridge: TrayBridge, clock: FakeClock
) -> None:
    view = bridge.tray_view()
    assert view.next_line == "Next: head position at 09:20"
    assert view.today_line == "Today: 0 of 0 done, 0 breaks"
    assert view.paused is False
    bridge.start_micro_break()
    assert bridge.tray_view().break_running
    bridge.pause_for(timedelta(minutes=15))
    assert bridge.tray_view().paused is True


def test_open_config_creates_it_from_the_example_then_hands_it_over(
    bridge: TrayBridge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in xdg-open records its argument: no desktop handler runs in a unit test."""
    record = tmp_path / "opened"
    fake = tmp_path / "bin" / "xdg-open"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {record}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    config = tmp_path / "conf" / "config.toml"
    bridge.open_config()
    assert config.read_bytes() == example_config()
    deadline = time.monotonic() + 5
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text() == str(config)


def test_open_config_never_overwrites_an_existing_file(
    bridge: TrayBridge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # no xdg-open: told, not crashed
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text("# mine\n")
    bridge.open_config()
    assert config.read_text() == "# mine\n"
