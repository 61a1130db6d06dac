"""Fixtures shared by every test: a hand-wound clock, and a private home for each test.

Fixtures:
    clock: a ``FakeClock`` at Monday 2026-03-02 09:00 (+01:00). It moves only when told:
        ``advance(span)`` moves wall and monotonic time together (time passing);
        ``jump(span)`` moves wall time only (a suspend, or the user changing the clock).
    _private_home (autouse): HOME and the XDG folders point into the test's tmp_path, so
        no test reads or writes the real user's config, state or runtime files.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import settings

# In CI, property tests run the same examples every time: a red build must be
# reproducible, and a new counterexample is found on a developer's machine instead.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1), "CET"))


class FakeClock:
    """A ``Clock`` (deskmobility.core.clock) that moves only when the test says so."""

    def __init__(self, start: datetime = START, monotonic: float = 1000.0) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start
        self._monotonic = monotonic

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, span: timedelta) -> None:
        """Let ``span`` pass: wall clock and monotonic clock both move."""
        if span < timedelta(0):
            raise ValueError("time does not run backwards; use jump() for clock changes")
        self._now += span
        self._monotonic += span.total_seconds()

    def jump(self, span: timedelta) -> None:
        """Move the wall clock only (either way), as a suspend or a clock change does."""
        self._now += span


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


_HOME_DIRS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".local/state",
    "XDG_DATA_HOME": ".local/share",
    "XDG_CACHE_HOME": ".cache",
    "XDG_RUNTIME_DIR": "runtime",
}


@pytest.fixture(autouse=True)
def _private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for variable, relative in _HOME_DIRS.items():
        folder = home / relative
        folder.mkdir(parents=True)
        monkeypatch.setenv(variable, str(folder))
    (home / "runtime").chmod(0o700)  # the XDG spec requires it; mkdir's mode is subject to umask
    return home
