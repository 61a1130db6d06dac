"""The config watcher and the app's reload, on real files with real inotify.

The App is a stand-in that records what the reload hands it (the App's own handling of
``apply_settings`` and ``config_rejected`` is tested in tests/unit/test_app.py). Waits
are bounded polls for an event that should come at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from deskmobility.adapters.config_watch import ConfigWatcher
from deskmobility.assemble import _watch_config
from deskmobility.core.config import ConfigError, Settings
from deskmobility.start_files import LAST_GOOD

GOOD = '[reminders.head]\nevery = "10m"\n'
COLLIDING = dedent(
    """\
    [[exercises.custom]]
    name = "My Stretch"
    kinds = ["stretch"]
    position = "seated"
    reps = 5
    takes = "1m"
    steps = ["Sit tall.", "Breathe out."]

    [[exercises.custom]]
    name = "My stretch!"
    kinds = ["stretch"]
    position = "seated"
    reps = 5
    takes = "1m"
    steps = ["Sit tall.", "Breathe out."]
    """
)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def replace(path: Path, text: str) -> None:
    """Save as editors do: write a new file and rename it over the old one."""
    temp = path.with_name(f".{path.name}.new")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


class StandInApp:
    """Records what the reload passes to the App's two config methods."""

    def __init__(self) -> None:
        self.applied: list[Settings] = []
        self.rejected: list[ConfigError] = []

    def apply_settings(self, settings: Settings) -> None:
        self.applied.append(settings)

    def config_rejected(self, error: ConfigError) -> None:
        self.rejected.append(error)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture
def watched(config: Path, tmp_path: Path) -> Iterator[tuple[StandInApp, Path]]:
    app = StandInApp()
    state = tmp_path / "state"
    state.mkdir()
    # _watch_config takes the concrete App; the stand-in has the two methods it calls.
    watcher = _watch_config(app, config, state)  # type: ignore[arg-type]
    assert watcher.method == "inotify"
    try:
        yield app, state
    finally:
        watcher.stop()


def test_colliding_exercise_ids_edited_in_are_rejected_and_the_next_edit_applies(
    config: Path, watched: tuple[StandInApp, Path]
) -> None:
    app, state = watched
    replace(config, COLLIDING)
    assert wait_for(lambda: len(app.rejected) == 1)
    assert f"{config}:10: exercises.custom[1].name" in str(app.rejected[0])
    assert app.applied == []
    assert not (state / LAST_GOOD).exists()  # the broken file is not kept as good

    replace(config, GOOD.replace("10m", "12m"))
    assert wait_for(lambda: len(app.applied) == 1)
    # The copy is kept right after the settings are applied, on the watcher's thread.
    good = state / LAST_GOOD
    assert wait_for(
        lambda: good.exists() and good.read_text(encoding="utf-8") == GOOD.replace("10m", "12m")
    )


def test_a_fifo_swapped_in_is_rejected_without_blocking_and_watching_goes_on(
    config: Path, watched: tuple[StandInApp, Path]
) -> None:
    app, _ = watched
    fifo = config.with_name("fifo")
    os.mkfifo(fifo)
    fifo.replace(config)
    assert wait_for(lambda: len(app.rejected) == 1)
    assert "is a named pipe (FIFO), not a regular file" in str(app.rejected[0])

    config.unlink()
    config.write_text(GOOD.replace("10m", "15m"), encoding="utf-8")
    assert wait_for(lambda: len(app.applied) >= 1)


def test_a_reload_that_raises_does_not_stop_the_watcher(config: Path) -> None:
    calls: list[int] = []

    def on_change() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("half applied")

    watcher = ConfigWatcher(config, on_change)
    watcher.start()
    try:
        time.sleep(0.1)  # let the watch be set before the first edit
        replace(config, GOOD.replace("10m", "11m"))
        assert wait_for(lambda: len(calls) == 1)
        replace(config, GOOD.replace("10m", "12m"))
        assert wait_for(lambda: len(calls) == 2)
    finally:
        watcher.stop()
