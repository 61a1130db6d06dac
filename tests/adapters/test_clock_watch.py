"""The Linux clock watch: a real timerfd; the clock change itself is the OS's signal to it.

No test sets the machine's clock (it is shared). The real timerfd is armed, and the
watch's handling of what the kernel answers is driven through ``read_changed``: a read
that fails with ECANCELED (the clock was set) and a read that returns (it expired).
"""

from __future__ import annotations

import errno
import os
import threading

import pytest

from deskmobility.adapters.clock_watch import TimerfdClockWatch, select_clock_watch


def test_linux_gets_the_timerfd_watch_and_other_systems_say_why_not() -> None:
    linux = select_clock_watch("linux")
    assert isinstance(linux.backend, TimerfdClockWatch), linux.reason
    linux.backend.close()
    windows = select_clock_watch("win32")
    assert (windows.backend, windows.available) == (None, False)
    assert "win32" in windows.reason


def test_ecanceled_from_the_kernel_means_the_clock_was_set(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = TimerfdClockWatch()
    rearmed: list[bool] = []
    monkeypatch.setattr(watch, "arm", lambda: rearmed.append(True))

    def cancelled(fd: int, size: int) -> bytes:
        raise OSError(errno.ECANCELED, os.strerror(errno.ECANCELED))

    monkeypatch.setattr(os, "read", cancelled)
    assert watch.read_changed() is True
    assert rearmed == [True]
    monkeypatch.undo()
    watch.close()


def test_an_expiry_is_not_a_clock_change(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = TimerfdClockWatch()
    monkeypatch.setattr(os, "read", lambda fd, size: (1).to_bytes(8, "little"))
    assert watch.read_changed() is False
    monkeypatch.undo()
    watch.close()


def test_another_read_error_is_raised_not_taken_for_a_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watch = TimerfdClockWatch()

    def broken(fd: int, size: int) -> bytes:
        raise OSError(errno.EBADF, "bad fd")

    monkeypatch.setattr(os, "read", broken)
    with pytest.raises(OSError, match="bad fd"):
        watch.read_changed()
    monkeypatch.undo()
    watch.close()


def test_the_armed_timerfd_blocks_until_closed() -> None:
    """Armed for real: nothing to read (no clock change), and close ends the wait."""
    watch = TimerfdClockWatch()
    changes: list[bool] = []
    watch.start(lambda: changes.append(True))
    thread = watch._thread
    assert thread is not None
    assert thread.is_alive()
    watch.close()
    assert not thread.is_alive()
    assert changes == []


def test_a_change_calls_back_on_the_watch_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = TimerfdClockWatch()
    called = threading.Event()
    results = iter([True, False])
    monkeypatch.setattr(watch, "wait", lambda: next(results))
    watch.start(called.set)
    assert called.wait(5)
    watch.close()
