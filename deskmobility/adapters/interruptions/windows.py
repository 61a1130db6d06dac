"""Windows: ``SHQueryUserNotificationState`` (shell32), through ctypes.

``HRESULT SHQueryUserNotificationState(QUERY_USER_NOTIFICATION_STATE *pquns)`` (Vista and
later) tells whether this is a good moment to notify the user. The values, from
shellapi.h and Microsoft's documentation of QUERY_USER_NOTIFICATION_STATE:

1 QUNS_NOT_PRESENT            screen saver running, workstation locked, or an inactive
                              fast-user-switching session                -> held
2 QUNS_BUSY                   a fullscreen application, or "presentation settings" on
                              (a browser in fullscreen reports this)     -> held (fullscreen)
3 QUNS_RUNNING_D3D_FULL_SCREEN  an exclusive-mode Direct3D game or video -> held (fullscreen)
4 QUNS_PRESENTATION_MODE      the user turned on presentation settings   -> held
5 QUNS_ACCEPTS_NOTIFICATIONS  none of the above                           -> not held
6 QUNS_QUIET_TIME             Windows 7+: the first hour after a new user's first sign-in
                              (or after an upgrade), when most notifications should wait
                                                                          -> held
7 QUNS_APP                    Windows 8+: "a Windows Store app is running". Windows 10 and
                              11 report it while the Start menu is open (HotCornersWin #14),
                              so it is NOT a reason to hold                -> not held

Focus Assist / "Do not disturb" (Windows 10 1803 and later) is not reliably reflected here:
people report QUNS_ACCEPTS_NOTIFICATIONS with it on (PSAppDeployToolkit #2056,
electron-notification-state #4). Its only known reader is the undocumented WNF state
``WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED`` through ``NtQueryWnfStateData``; that is left
out on purpose rather than guessed at.

Nothing touches ``ctypes.WinDLL`` until the check is used, so the module imports (and is
unit-tested with a fake shell32) on any platform.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any, Protocol

from deskmobility.adapters.interruptions._base import FULLSCREEN, CheckError

log = logging.getLogger("deskmobility.interruptions")

QUNS_NOT_PRESENT = 1
QUNS_BUSY = 2
QUNS_RUNNING_D3D_FULL_SCREEN = 3
QUNS_PRESENTATION_MODE = 4
QUNS_ACCEPTS_NOTIFICATIONS = 5
QUNS_QUIET_TIME = 6
QUNS_APP = 7

# Each state that holds reminders: (the reason shown, whether it is a fullscreen state).
# The app's two switches pick which of them count: ``fullscreen`` for the first kind,
# ``dnd`` (Windows telling apps not to notify now) for the second.
HELD: dict[int, tuple[str, bool]] = {
    QUNS_NOT_PRESENT: ("the screen is locked", False),
    QUNS_BUSY: (FULLSCREEN, True),
    QUNS_RUNNING_D3D_FULL_SCREEN: ("a fullscreen game or video", True),
    QUNS_PRESENTATION_MODE: ("presentation mode", False),
    QUNS_QUIET_TIME: ("Windows quiet time", False),
}
NOT_HELD = frozenset({QUNS_ACCEPTS_NOTIFICATIONS, QUNS_APP})


class Shell32(Protocol):
    """The part of shell32.dll used here."""

    SHQueryUserNotificationState: Any


def reason_for(state: int, *, dnd: bool = True, fullscreen: bool = True) -> str | None:
    """The reason to hold reminders in notification ``state``, or None.

    ``dnd`` / ``fullscreen``: whether the non-fullscreen and the fullscreen states count.
    An unknown state (a future Windows) does not hold reminders.
    """
    held = HELD.get(state)
    if held is None:
        return None
    reason, is_fullscreen = held
    return reason if (fullscreen if is_fullscreen else dnd) else None


class WindowsNotificationStateCheck:
    """Holds reminders while Windows says this is no time to notify (fullscreen, locked...)."""

    name = "windows"

    def __init__(
        self, shell32: Shell32 | None = None, *, dnd: bool = True, fullscreen: bool = True
    ) -> None:
        """``shell32`` defaults to the system's; tests pass a stand-in."""
        self._shell32 = shell32
        self._function: Any = None
        self.dnd, self.fullscreen = dnd, fullscreen

    def held_reason(self) -> str | None:
        """See InterruptionCheck.held_reason."""
        try:
            state = self.state()
        except CheckError as error:
            log.debug("windows: cannot tell: %s", error)
            return None
        except Exception:  # the contract is "never raises": a bug here must not stop reminders
            log.debug("windows: SHQueryUserNotificationState crashed", exc_info=True)
            return None
        if state not in HELD and state not in NOT_HELD:
            log.debug("windows: unknown notification state %d, not holding", state)
        return reason_for(state, dnd=self.dnd, fullscreen=self.fullscreen)

    def probe(self) -> str | None:
        """See ProbedCheck.probe."""
        try:
            self.state()
        except CheckError as error:
            return str(error)
        return None

    def close(self) -> None:
        """Nothing is held open."""

    def state(self) -> int:
        """The current QUERY_USER_NOTIFICATION_STATE value; CheckError if the call fails."""
        function = self._query_function()
        state = ctypes.c_int(0)
        result = int(function(ctypes.pointer(state)))
        if result < 0:  # a failed HRESULT has its top bit set
            raise CheckError(
                f"SHQueryUserNotificationState failed: HRESULT 0x{result & 0xFFFFFFFF:08X}"
            )
        return int(state.value)

    def _query_function(self) -> Any:  # noqa: ANN401 - a ctypes function
        if self._function is not None:
            return self._function
        if self._shell32 is None:
            self._shell32 = _system_shell32()
        function = getattr(self._shell32, "SHQueryUserNotificationState", None)
        if function is None:
            raise CheckError("shell32 has no SHQueryUserNotificationState (Windows Vista or later)")
        function.argtypes = (ctypes.POINTER(ctypes.c_int),)
        function.restype = ctypes.c_long  # HRESULT
        self._function = function
        return function


def _system_shell32() -> Shell32:
    load = getattr(ctypes, "WinDLL", None)  # ctypes has WinDLL on Windows only
    if load is None:
        raise CheckError(f"SHQueryUserNotificationState needs Windows, not {sys.platform}")
    try:
        return load("shell32")  # type: ignore[no-any-return]
    except OSError as error:
        raise CheckError(f"cannot load shell32: {error}") from error
