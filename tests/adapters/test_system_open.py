"""Opening the config file with the real xdg-open, where no application can open it.

The environment is stripped to a bare PATH and empty XDG folders, so xdg-open finds no
desktop, no MIME handler and no browser, and exits 3, as it does on a desktop with no
editor set up. The App is a stand-in that records what it is asked to tell the person
(the App's own tell_once is tested in tests/unit/test_app.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from deskmobility.adapters.system_open import open_with_system
from deskmobility.tray_bridge import TrayBridge


@pytest.fixture
def no_handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "XDG_CURRENT_DESKTOP"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "no-data"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "no-config"))


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.05)
    return condition()


def test_a_handler_that_exits_non_zero_is_reported(tmp_path: Path, no_handler: None) -> None:
    # xdg-open comes with xdg-utils (scripts/dev.sh); without it this fails, never skips.
    target = tmp_path / "config.toml"
    target.write_text("# mine\n")
    reasons: list[str] = []
    open_with_system(target, platform="linux", on_failure=reasons.append)
    assert wait_for(lambda: bool(reasons))
    assert reasons == ["xdg-open exited with status 3: no application is set up to open it"]


class StandInApp:
    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    def tell_once(self, title: str, body: str) -> None:
        self.told.append((title, body))


def test_open_config_with_a_failing_handler_tells_the_person_the_files_path(
    tmp_path: Path, no_handler: None
) -> None:
    # Issue 9, defect 4: this said nothing at all.
    app = StandInApp()
    config = tmp_path / "conf" / "config.toml"
    # TrayBridge takes the concrete App and a HistoryWriter: open_config uses neither but
    # the App's tell_once, which the stand-in records.
    bridge = TrayBridge(app, None, config, threading.Event())  # type: ignore[arg-type]
    bridge.open_config()
    assert wait_for(lambda: bool(app.told))
    [(title, body)] = app.told
    assert title == "Cannot open the config file"
    assert body.startswith(f"Open {config} in a text editor yourself")
    assert "no application is set up to open it" in body
    assert config.exists()  # created from the example first


def test_open_config_with_no_opener_at_all_tells_the_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    app = StandInApp()
    config = tmp_path / "config.toml"
    # As above: the stand-in App, and no HistoryWriter.
    TrayBridge(app, None, config, threading.Event()).open_config()  # type: ignore[arg-type]
    [(_, body)] = app.told
    assert body.startswith(f"Open {config} in a text editor yourself")
