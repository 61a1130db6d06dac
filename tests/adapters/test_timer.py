"""The APScheduler adapter, against the real scheduler (waits of a fraction of a second)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from deskmobility.adapters.timer import Timer
from deskmobility.core.clock import SystemClock


@pytest.fixture
def timer() -> Iterator[Timer]:
    started = Timer()
    started.start()
    yield started
    started.shutdown()


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_a_job_runs_at_its_time(timer: Timer) -> None:
    ran = threading.Event()
    timer.at("job", soon(0.2), ran.set)
    assert ran.wait(5)


def test_a_job_in_the_past_still_runs(timer: Timer) -> None:
    """A late job (after a suspend) must run, not be dropped as a misfire."""
    ran = threading.Event()
    timer.at("job", soon(-3600), ran.set)
    assert ran.wait(5)


def test_re_arming_replaces_and_cancel_drops(timer: Timer) -> None:
    calls: list[str] = []
    done = threading.Event()
    timer.at("a", soon(0.2), lambda: calls.append("first"))
    timer.at("a", soon(0.3), lambda: calls.append("second"))
    timer.at("b", soon(0.3), lambda: calls.append("cancelled"))
    timer.cancel("b")
    timer.at("end", soon(0.6), done.set)
    assert done.wait(5)
    assert calls == ["second"]


def test_arming_the_same_job_again_runs_it_once_and_it_can_be_armed_after(timer: Timer) -> None:
    calls: list[int] = []
    first = threading.Event()

    def action() -> None:
        calls.append(1)
        first.set()

    when = soon(0.2)
    timer.at("job", when, action)
    timer.at("job", when, action)
    assert first.wait(5)
    again = threading.Event()
    timer.at("job", soon(0.1), again.set)  # after it ran, the same id arms anew
    assert again.wait(5)
    assert calls == [1]


def test_a_failing_job_does_not_stop_the_next(timer: Timer) -> None:
    ran = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    timer.at("bad", soon(0.1), fail)
    timer.at("good", soon(0.3), ran.set)
    assert ran.wait(5)


def test_a_system_clock_time_arms_a_job(timer: Timer) -> None:
    """SystemClock's times (a fixed offset remembering the zone) go through APScheduler."""
    ran = threading.Event()
    timer.at("job", SystemClock().now() + timedelta(seconds=0.2), ran.set)
    assert ran.wait(5)


def test_cancelling_a_job_apscheduler_already_took_is_quiet_and_re_arming_goes_on(
    timer: Timer, caplog: pytest.LogCaptureFixture
) -> None:
    """The race of issue 13: APScheduler has taken a due job off its store (it waits for
    the one worker) when another thread cancels it, as the App does when going away. That
    was a JobLookupError and re-arming stopped part-way; now it is nothing, and what is
    armed next still runs."""
    worker_busy, release = threading.Event(), threading.Event()

    def block() -> None:
        worker_busy.set()
        release.wait(5)

    timer.at("blocker", soon(0), block)
    assert worker_busy.wait(5)
    timer.at("taken", soon(0), lambda: None)
    deadline = time.monotonic() + 5
    while timer._scheduler.get_job("taken") is not None and time.monotonic() < deadline:
        time.sleep(0.01)  # until APScheduler has handed it to the (busy) worker
    try:
        timer.cancel("taken")
        after = threading.Event()
        timer.at("after", soon(0.1), after.set)
    finally:
        release.set()
    assert after.wait(5)
    assert not [r for r in caplog.records if r.exc_info]


def test_a_job_re_armed_while_it_runs_still_runs_at_its_new_time(timer: Timer) -> None:
    """Its first run must not forget the new arming (the adapter's own bookkeeping)."""
    second = threading.Event()
    runs: list[int] = []

    def action() -> None:
        runs.append(1)
        if len(runs) == 1:
            timer.at("job", soon(0.2), action)
        else:
            second.set()

    timer.at("job", soon(0.1), action)
    assert second.wait(5)
    timer.cancel("job")  # already ran twice: nothing left, and no error
