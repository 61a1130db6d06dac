"""The Windows interruption check, against a FAKE shell32: this MOCKS the platform.

Every test here runs on Linux. ``FakeShell32.SHQueryUserNotificationState`` is a Python
function that writes a chosen QUERY_USER_NOTIFICATION_STATE through the real ctypes
pointer the check passes, and returns a chosen HRESULT, so the ctypes plumbing (argtypes,
restype, pointer, HRESULT sign) is exercised, but SHQueryUserNotificationState itself has
not run on Windows here. The state values are Microsoft's (shellapi.h).
"""

from __future__ import annotations

import ctypes
import sys
from typing import TYPE_CHECKING, Any

import pytest

from deskmobility.adapters.interruptions.windows import (
    QUNS_ACCEPTS_NOTIFICATIONS,
    QUNS_APP,
    QUNS_BUSY,
    QUNS_NOT_PRESENT,
    QUNS_PRESENTATION_MODE,
    QUNS_QUIET_TIME,
    QUNS_RUNNING_D3D_FULL_SCREEN,
    Shell32,
    WindowsNotificationStateCheck,
)

E_FAIL = -0x7FFFBFFB  # 0x80004005 as the signed 32-bit HRESULT a c_long restype gives


class FakeShell32:
    """Answers SHQueryUserNotificationState with ``state`` and HRESULT ``result``."""

    # Any, as in the Shell32 port: the real one is a ctypes function, on which the check
    # sets argtypes and restype (test_ctypes_types_are_set_on_the_function reads them back).
    SHQueryUserNotificationState: Any

    def __init__(self, state: int = QUNS_ACCEPTS_NOTIFICATIONS, result: int = 0) -> None:
        self.state = state
        self.result = result
        self.calls = 0

        def query(pointer: ctypes._Pointer[ctypes.c_int]) -> int:
            self.calls += 1
            assert isinstance(pointer, ctypes.POINTER(ctypes.c_int))
            pointer.contents.value = self.state
            return self.result

        self.SHQueryUserNotificationState = query


if TYPE_CHECKING:  # the stand-in satisfies the port the check is typed against
    _shell32: type[Shell32] = FakeShell32


def check_for(state: int, **switches: bool) -> WindowsNotificationStateCheck:
    return WindowsNotificationStateCheck(FakeShell32(state), **switches)


# The documented values and what each means for reminders (None = let them out).
EXPECTED = {
    QUNS_NOT_PRESENT: "the screen is locked",
    QUNS_BUSY: "a fullscreen window",
    QUNS_RUNNING_D3D_FULL_SCREEN: "a fullscreen game or video",
    QUNS_PRESENTATION_MODE: "presentation mode",
    QUNS_ACCEPTS_NOTIFICATIONS: None,
    QUNS_QUIET_TIME: "Windows quiet time",
    QUNS_APP: None,  # reported while the Start menu is open: not a reason to hold
}


def test_the_constants_are_microsofts_values() -> None:
    assert [
        QUNS_NOT_PRESENT,
        QUNS_BUSY,
        QUNS_RUNNING_D3D_FULL_SCREEN,
        QUNS_PRESENTATION_MODE,
        QUNS_ACCEPTS_NOTIFICATIONS,
        QUNS_QUIET_TIME,
        QUNS_APP,
    ] == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(("state", "reason"), EXPECTED.items())
def test_each_notification_state_holds_or_not(state: int, reason: str | None) -> None:
    """MOCKED platform: a fake shell32 answers ``state``."""
    assert check_for(state).held_reason() == reason


@pytest.mark.parametrize("state", [QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN])
def test_fullscreen_states_are_ignored_when_fullscreen_is_turned_off(state: int) -> None:
    """MOCKED platform: fake shell32."""
    assert check_for(state, fullscreen=False).held_reason() is None
    assert check_for(state, dnd=False).held_reason() == EXPECTED[state]


@pytest.mark.parametrize("state", [QUNS_NOT_PRESENT, QUNS_PRESENTATION_MODE, QUNS_QUIET_TIME])
def test_windows_own_quiet_states_are_ignored_when_dnd_is_turned_off(state: int) -> None:
    """MOCKED platform: fake shell32."""
    assert check_for(state, dnd=False).held_reason() is None
    assert check_for(state, fullscreen=False).held_reason() == EXPECTED[state]


@pytest.mark.parametrize("state", [0, 8, 99, -1])
def test_an_unknown_state_does_not_hold_reminders(state: int) -> None:
    """MOCKED platform: fake shell32 answering values Windows does not document."""
    assert check_for(state).held_reason() is None


def test_a_failed_hresult_is_none_for_held_reason_and_a_reason_for_probe() -> None:
    """MOCKED platform: fake shell32 returning E_FAIL."""
    check = WindowsNotificationStateCheck(FakeShell32(QUNS_BUSY, result=E_FAIL))
    assert check.held_reason() is None
    assert check.probe() == "SHQueryUserNotificationState failed: HRESULT 0x80004005"


def test_probe_passes_when_the_call_works() -> None:
    """MOCKED platform: fake shell32."""
    assert check_for(QUNS_ACCEPTS_NOTIFICATIONS).probe() is None


def test_the_state_is_read_fresh_on_every_call() -> None:
    """MOCKED platform: fake shell32 whose answer changes between calls."""
    shell32 = FakeShell32(QUNS_BUSY)
    check = WindowsNotificationStateCheck(shell32)
    assert check.held_reason() == "a fullscreen window"
    shell32.state = QUNS_ACCEPTS_NOTIFICATIONS
    assert check.held_reason() is None
    assert shell32.calls == 2


def test_ctypes_types_are_set_on_the_function() -> None:
    """MOCKED platform: fake shell32; the check must declare the real signature."""
    shell32 = FakeShell32()
    WindowsNotificationStateCheck(shell32).probe()
    function = shell32.SHQueryUserNotificationState
    assert function.argtypes == (ctypes.POINTER(ctypes.c_int),)
    assert function.restype is ctypes.c_long


def test_a_shell32_without_the_function_is_refused() -> None:
    """MOCKED platform: a shell32 stand-in from before Vista."""
    # A shell32 lacking the function is the point: object() is no Shell32.
    check = WindowsNotificationStateCheck(object())  # type: ignore[arg-type]
    assert check.probe() == "shell32 has no SHQueryUserNotificationState (Windows Vista or later)"


def test_a_crashing_function_is_none_not_an_exception() -> None:
    """MOCKED platform: fake shell32 whose function raises."""
    shell32 = FakeShell32()

    def crash(pointer: ctypes._Pointer[ctypes.c_int]) -> int:
        raise OSError("access violation")

    shell32.SHQueryUserNotificationState = crash
    assert WindowsNotificationStateCheck(shell32).held_reason() is None


def test_the_real_check_refuses_cleanly_off_windows() -> None:
    """Not mocked: the real check on this non-Windows machine, which has no WinDLL."""
    check = WindowsNotificationStateCheck()
    assert check.probe() == f"SHQueryUserNotificationState needs Windows, not {sys.platform}"
    assert check.held_reason() is None
