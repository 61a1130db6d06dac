"""Suggestions over a working day: the real App choosing, an injected clock, a seeded rng.

The timer and history doubles come from tests/doubles.py (they stand in for APScheduler and
the notifier adapters, which have tests of their own against the real thing).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskmobility.adapters.store import Store
from deskmobility.app import App
from deskmobility.core.config import Settings
from deskmobility.core.events import Notify
from deskmobility.core.exercises import ExerciseCatalog, Gear
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import kinds_in_title, lead_kind
from deskmobility.core.state import AppState
from tests.conftest import FakeClock
from tests.doubles import HandFiredTimer, StoreHistory

NAMES = {exercise.name: exercise.id for exercise in ExerciseCatalog.builtin().exercises}
HEAD_DRILLS = {e.id for e in ExerciseCatalog.builtin().eligible(ReminderKind.HEAD, Gear())}


class Shown:
    """An outbox that notes each reminder's time, kinds and suggested exercise."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.seen: list[tuple[datetime, frozenset[ReminderKind], str]] = []

    def dismiss(self, slot: str) -> None:
        pass  # nothing stays on screen here

    def post(self, notification: Notify) -> None:
        title, body = notification.title, notification.body
        kinds = kinds_in_title(title)
        name = body.split("\nTry: ", 1)[1].split(" (", 1)[0]
        self.seen.append((self.clock.now(), kinds, NAMES[name]))


def a_day(clock: FakeClock, tmp_path: Path, seed: int, hours: int = 9) -> Shown:
    store, _ = Store.open(tmp_path / "history.sqlite3")
    shown = Shown(clock)
    timer = HandFiredTimer(clock)
    app = App(
        state=AppState.begin(Settings(), clock.now()),  # the defaults: head every 20 minutes
        clock=clock,
        outbox=shown,
        timer=timer,
        history=StoreHistory(store),
        rng=random.Random(seed),  # noqa: S311 -- a reproducible pick, not a secret
    )
    app.start()
    timer.run_until(clock.now() + timedelta(hours=hours))
    store.close()
    return shown


@pytest.mark.parametrize("seed", range(6))
def test_no_head_drill_comes_back_within_two_hours_at_the_defaults(
    clock: FakeClock, tmp_path: Path, seed: int
) -> None:
    shown = a_day(clock, tmp_path, seed)
    drills: dict[str, list[datetime]] = defaultdict(list)
    for at, kinds, ex_id in shown.seen:
        if lead_kind(tuple(kinds)) is ReminderKind.HEAD:
            assert ex_id in HEAD_DRILLS
            drills[ex_id].append(at)
    assert sum(len(times) for times in drills.values()) >= 15  # enough to come round again
    assert set(drills) == HEAD_DRILLS  # every drill gets its turn
    for ex_id, times in drills.items():
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert all(gap >= timedelta(hours=2) for gap in gaps), (ex_id, gaps)


def test_posture_resets_vary_through_the_day(clock: FakeClock, tmp_path: Path) -> None:
    shown = a_day(clock, tmp_path, seed=1)
    posture = [ex_id for _, kinds, ex_id in shown.seen if kinds == {ReminderKind.POSTURE}]
    assert len(posture) >= 5
    assert len(set(posture)) == len(posture)  # eleven resets: none twice in a day's few
