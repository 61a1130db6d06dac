"""The Windows and macOS idle monitors, exercised on Linux with stand-ins.

No Windows or macOS machine runs these tests: every test here MOCKS the platform, with a
fake user32/kernel32 for Windows and ioreg output text for macOS. They check our
arithmetic and parsing, not the platform APIs themselves.
"""

# The ioreg samples below keep their lines as long as ioreg prints them.
# ruff: noqa: E501

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from deskmobility.adapters.idle.macos import (
    IOREG,
    IOREG_ARGS,
    MacIdleMonitor,
    parse_hid_idle_ns,
)
from deskmobility.adapters.idle.windows import (
    FUTURE_SLACK_MS,
    TICK_MODULUS,
    LastInputInfo,
    WindowsIdleMonitor,
    idle_ms,
)

DAY_MS = 86_400_000

# -- Windows ---------------------------------------------------------------------------


def fake_dlls(
    now: int, last_input: int, *, tick64: bool = True, succeed: bool = True
) -> tuple[SimpleNamespace, SimpleNamespace, dict[str, object]]:
    """A user32/kernel32 pair: GetLastInputInfo fills the struct it is handed a pointer to."""
    seen: dict[str, object] = {}

    def get_last_input_info(pointer: ctypes._Pointer[LastInputInfo]) -> int:
        info = pointer.contents
        seen["cbSize"] = info.cbSize
        if not succeed:
            return 0
        info.dwTime = last_input % TICK_MODULUS  # a DWORD: Windows keeps only 32 bits
        return 1

    def get_tick_count64() -> int:
        return now

    def get_tick_count() -> int:
        return now % TICK_MODULUS

    user32 = SimpleNamespace(GetLastInputInfo=get_last_input_info)
    kernel32 = SimpleNamespace(GetTickCount=get_tick_count)
    if tick64:
        kernel32.GetTickCount64 = get_tick_count64
    return user32, kernel32, seen


def test_idle_ms_is_plain_subtraction_before_any_wrap() -> None:
    """MOCKS nothing but needs no Windows: idle_ms is pure arithmetic on tick counts."""
    assert idle_ms(10_000, 4_000) == 6_000
    assert idle_ms(4_000, 4_000) == 0


def test_idle_ms_survives_the_32_bit_wrap_of_the_last_input_tick() -> None:
    """MOCKS Windows tick counts: uptime 60 days, so GetTickCount64 is past 2**32 while
    LASTINPUTINFO.dwTime (a DWORD) has wrapped to a small number."""
    now64 = 60 * DAY_MS
    last_input = now64 - 90_000  # 90 s ago
    assert now64 > TICK_MODULUS
    assert idle_ms(now64, last_input % TICK_MODULUS) == 90_000
    # The naive subtraction is the classic bug: about 49.7 days of idle time.
    assert now64 - last_input % TICK_MODULUS > 49 * DAY_MS


def test_idle_ms_across_the_wrap_itself() -> None:
    """MOCKS Windows tick counts: last input just before GetTickCount wrapped, now just after."""
    assert idle_ms(2_000, TICK_MODULUS - 3_000) == 5_000


def test_a_last_input_stamped_slightly_after_now_counts_as_just_now() -> None:
    """MOCKS Windows tick counts: SendInput can stamp input a little after GetTickCount's
    'now' (Microsoft: dwTime is not guaranteed to be incremental)."""
    assert idle_ms(10_000, 10_250) == 0
    assert idle_ms(10_000, 10_000 + FUTURE_SLACK_MS - 1) == 0


def test_monitor_uses_get_tick_count64_with_a_64_bit_restype() -> None:
    """MOCKS user32/kernel32 with stand-ins: GetTickCount64 present (Vista and later)."""
    now = 2 * TICK_MODULUS + 5_000  # about 99 days of uptime
    user32, kernel32, seen = fake_dlls(now, now - 8_000)
    monitor = WindowsIdleMonitor(user32, kernel32)
    assert monitor.probe() is None
    assert monitor.idle_for() == timedelta(seconds=8)
    assert seen["cbSize"] == ctypes.sizeof(LastInputInfo) == 8
    # The ctypes default restype (C int) would truncate the 64-bit count.
    assert kernel32.GetTickCount64.restype is ctypes.c_uint64
    assert user32.GetLastInputInfo.argtypes == (ctypes.POINTER(LastInputInfo),)


def test_monitor_falls_back_to_get_tick_count_without_the_64_bit_call() -> None:
    """MOCKS a kernel32 without GetTickCount64 (Windows XP), after the 32-bit wrap."""
    now = TICK_MODULUS + 1_000
    user32, kernel32, _ = fake_dlls(now, now - 61_000, tick64=False)
    monitor = WindowsIdleMonitor(user32, kernel32)
    assert monitor.idle_for() == timedelta(seconds=61)
    assert kernel32.GetTickCount.restype is ctypes.c_uint32


def test_a_failing_get_last_input_info_is_unknown_not_an_exception() -> None:
    """MOCKS user32 whose GetLastInputInfo returns FALSE."""
    user32, kernel32, _ = fake_dlls(50_000, 1_000, succeed=False)
    monitor = WindowsIdleMonitor(user32, kernel32)
    assert monitor.idle_for() is None
    assert monitor.probe() == "GetLastInputInfo failed"


# -- macOS -----------------------------------------------------------------------------

# The layout of `ioreg -r -d 1 -c IOHIDSystem` output: the node line, then one property per
# line in braces; nested dictionaries are printed inline. Written out from ioreg's
# documented format and published output, not captured on a Mac by this project.
IOREG_R_D1 = """\
+-o IOHIDSystem  <class IOHIDSystem, id 0x100000579, registered, matched, active, busy 0 (0 ms), retain 29>
    {
      "HIDScrollCountMinDeltaToStart" = 30
      "IOClass" = "IOHIDSystem"
      "HIDScrollCountMaxTimeDeltaBetween" = 600
      "HIDParameters" = {"HIDClickTime"=500000000,"HIDIdleTime"=1,"HIDKeyRepeat"=83333333,"HIDInitialKeyRepeat"=416666666,"HIDPointerAcceleration"=45056,"HIDClickSpace"={0,0}}
      "IOProviderClass" = "IOResources"
      "IOGeneralInterest" = "IOCommand is not serializable"
      "HIDIdleTime" = 1847233541
      "IOMatchedAtBoot" = Yes
      "IOResourceMatch" = "IOKit"
      "IOMatchCategory" = "IOHIDSystem"
      "IOProbeScore" = 0
      "IOUserClientClass" = "IOHIDUserClient"
    }

"""

# The same object in a full `ioreg -c IOHIDSystem` tree, where each line carries the
# tree's "|" guides.
IOREG_TREE = """\
+-o Root  <class IORegistryEntry, id 0x100000100, retain 29>
  +-o Mac14,2  <class IOPlatformExpertDevice, id 0x100000218, registered, matched, active, busy 0 (185713 ms), retain 37>
    +-o IOResources  <class IOResources, id 0x100000106, registered, matched, active, busy 0 (0 ms), retain 69>
    | +-o IOHIDSystem  <class IOHIDSystem, id 0x100000579, registered, matched, active, busy 0 (0 ms), retain 29>
    | |   {
    | |     "IOClass" = "IOHIDSystem"
    | |     "HIDIdleTime" = 312000000000
    | |     "IOProviderClass" = "IOResources"
    | |   }
    | |
"""


def test_hid_idle_time_is_read_from_the_objects_own_property_line() -> None:
    """MOCKS macOS: parses ioreg output text; the HIDParameters entry inline is not it."""
    assert parse_hid_idle_ns(IOREG_R_D1) == 1_847_233_541


def test_hid_idle_time_is_read_inside_the_tree_guides_of_a_full_listing() -> None:
    """MOCKS macOS: parses the '| |' guided layout of a full ioreg tree."""
    assert parse_hid_idle_ns(IOREG_TREE) == 312_000_000_000


def test_with_two_hid_systems_the_most_recent_input_wins() -> None:
    """MOCKS macOS: two IOHIDSystem entries (seen on some machines); take the smaller."""
    assert parse_hid_idle_ns(IOREG_R_D1 + IOREG_TREE) == 1_847_233_541


@pytest.mark.parametrize("text", ["", "+-o IOHIDSystem  <class IOHIDSystem>\n    {\n    }\n"])
def test_output_without_hid_idle_time_gives_none(text: str) -> None:
    """MOCKS macOS: ioreg printed nothing usable."""
    assert parse_hid_idle_ns(text) is None


def test_monitor_runs_ioreg_for_the_one_node_and_converts_nanoseconds() -> None:
    """MOCKS macOS: the runner returns captured-format text instead of running ioreg."""
    calls: list[tuple[str, ...]] = []

    def runner(argv: Sequence[str]) -> str:
        calls.append(tuple(argv))
        return IOREG_R_D1

    monitor = MacIdleMonitor(runner)
    assert monitor.probe() is None
    assert monitor.idle_for() == timedelta(seconds=1, microseconds=847_233)
    assert calls == [(IOREG, *IOREG_ARGS)] * 2
    assert calls[0] == ("/usr/sbin/ioreg", "-r", "-d", "1", "-c", "IOHIDSystem")


def test_monitor_without_hid_idle_time_is_unknown_with_a_reason() -> None:
    """MOCKS macOS: ioreg runs but prints no HIDIdleTime."""
    monitor = MacIdleMonitor(lambda argv: "")
    assert monitor.idle_for() is None
    assert monitor.probe() == "ioreg printed no HIDIdleTime for IOHIDSystem"


def test_ioreg_that_cannot_run_is_unknown_with_a_reason(tmp_path: Path) -> None:
    """MOCKS macOS: points the real runner at a missing program (there is no ioreg on Linux)."""
    monitor = MacIdleMonitor(ioreg=str(tmp_path / "ioreg"))
    assert monitor.idle_for() is None
    reason = monitor.probe()
    assert reason is not None
    assert reason.startswith(f"cannot run {tmp_path / 'ioreg'}: ")


def test_ioreg_that_fails_reports_its_exit_code_and_stderr(tmp_path: Path) -> None:
    """MOCKS macOS: a stand-in 'ioreg' script that fails the way a broken one would."""
    script = tmp_path / "ioreg"
    script.write_text("#!/bin/sh\necho 'ioreg: no such class' >&2\nexit 3\n")
    script.chmod(0o755)
    assert MacIdleMonitor(ioreg=str(script)).probe() == f"{script} exited 3: ioreg: no such class"
