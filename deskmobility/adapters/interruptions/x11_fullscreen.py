"""X11: is the focused window fullscreen? Read from the window manager's EWMH hints.

Read over XCB through ctypes (python-xlib only where libxcb is missing), so no Python X11
library is loaded for it.

An EWMH window manager names the focused client in ``_NET_ACTIVE_WINDOW`` on the root
window (a WINDOW, None when nothing has focus) and lists each client's states in its
``_NET_WM_STATE`` (ATOMs); a fullscreen client has ``_NET_WM_STATE_FULLSCREEN`` there,
whether it asked for it itself (a video player, a browser's F11, a presentation) or
was made so by the user. Two round trips at the moment a reminder is due are all it costs:
no events are selected, so nothing wakes this process in between.

The probe also makes sure an EWMH window manager is running: the window named by the
root's ``_NET_SUPPORTING_WM_CHECK`` must name itself the same way (a window manager that
exited leaves the root's property behind, pointing at a window that is gone), and
``_NET_SUPPORTED`` must list ``_NET_ACTIVE_WINDOW`` and ``_NET_WM_STATE_FULLSCREEN``.
Without a window manager nothing is ever "fullscreen" in this sense.

Only X11 windows are seen. The selector leaves this check out of Wayland sessions, where
XWayland's root window knows nothing of Wayland windows.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from deskmobility.adapters._x11 import (
    BAD_WINDOW,
    X11Error,
    XcbConnection,
    XcbError,
    close_display,
    open_display,
)
from deskmobility.adapters.interruptions._base import FULLSCREEN, CheckError

log = logging.getLogger("deskmobility.interruptions")

_NEEDED = ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN")


class _Reader(Protocol):
    """What the check reads an X server with: XCB over ctypes, else python-xlib."""

    root: int

    def atom(self, name: str) -> int: ...
    def property_32(self, window: int, name: str) -> list[int]: ...
    def close(self) -> None: ...


class X11FullscreenCheck:
    """Holds reminders while the focused X11 window is fullscreen."""

    name = "x11-fullscreen"

    def __init__(self, display_name: str | None) -> None:
        """``display_name``: such as ``":0"`` (from DISPLAY); None means there is no display."""
        self.display_name = display_name
        self._reader: _Reader | None = None

    def held_reason(self) -> str | None:
        """See InterruptionCheck.held_reason."""
        try:
            fullscreen = self._active_is_fullscreen()
        except CheckError as error:
            log.debug("x11-fullscreen: cannot tell: %s", error)
            self.close()
            return None
        except Exception:  # the contract is "never raises": a bug here must not stop reminders
            log.debug("x11-fullscreen: reading the active window crashed", exc_info=True)
            self.close()
            return None
        return FULLSCREEN if fullscreen else None

    def probe(self) -> str | None:
        """See ProbedCheck.probe: a display, an EWMH window manager, and one real read."""
        try:
            self._check_window_manager()
            self._active_is_fullscreen()
        except CheckError as error:
            self.close()
            return str(error)
        return None

    def close(self) -> None:
        """See InterruptionCheck.close."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def _active_is_fullscreen(self) -> bool:
        reader = self._open()
        active = _values(reader, reader.root, "_NET_ACTIVE_WINDOW")
        if not active or active[0] == 0:
            return False  # nothing has focus
        # A window closed between the two reads is gone, not fullscreen.
        states = _values(reader, active[0], "_NET_WM_STATE", gone_is_empty=True)
        return reader.atom("_NET_WM_STATE_FULLSCREEN") in states

    def _check_window_manager(self) -> None:
        reader = self._open()
        found = _values(reader, reader.root, "_NET_SUPPORTING_WM_CHECK")
        if not found or found[0] == 0:
            raise CheckError(
                f"no EWMH window manager on X11 display {self.display_name!r} "
                "(the root window has no _NET_SUPPORTING_WM_CHECK)"
            )
        named = _values(reader, found[0], "_NET_SUPPORTING_WM_CHECK", gone_is_empty=True)
        if named[:1] != found[:1]:
            raise CheckError(
                f"no EWMH window manager on X11 display {self.display_name!r} "
                "(_NET_SUPPORTING_WM_CHECK names a window that is gone: the manager exited)"
            )
        supported = set(_values(reader, reader.root, "_NET_SUPPORTED"))
        lacking = [name for name in _NEEDED if reader.atom(name) not in supported]
        if lacking:
            raise CheckError(f"the window manager does not support {', '.join(lacking)}")

    def _open(self) -> _Reader:
        if self._reader is not None:
            return self._reader
        try:
            reader: _Reader = XcbConnection(self.display_name)
        except X11Error as error:
            if "libxcb" not in str(error):
                raise CheckError(str(error)) from error
            reader = _XlibReader(self.display_name)  # the fallback where libxcb is missing
        self._reader = reader
        return reader


def _values(reader: _Reader, window: int, name: str, *, gone_is_empty: bool = False) -> list[int]:
    """The 32-bit values of ``name`` on ``window``; CheckError on X errors.

    ``gone_is_empty``: a window that no longer exists (BadWindow) has no values, rather
    than being an error.
    """
    try:
        return reader.property_32(window, name)
    except XcbError as error:
        if gone_is_empty and error.code == BAD_WINDOW:
            return []
        raise CheckError(f"reading a window property failed: {error}") from error
    except X11Error as error:
        raise CheckError(f"reading a window property failed: {error}") from error


class _XlibReader:
    """The same reads through python-xlib, for a system without libxcb."""

    def __init__(self, display_name: str | None) -> None:
        try:
            self._display: Any = open_display(display_name)
        except X11Error as error:
            raise CheckError(str(error)) from error
        self.root = int(self._display.screen().root.id)
        self._atoms: dict[str, int] = {}

    def atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = int(self._display.intern_atom(name))
        return self._atoms[name]

    def property_32(self, window: int, name: str) -> list[int]:
        from Xlib import X  # noqa: PLC0415 - python-xlib is there: the display is open
        from Xlib import error as xerror  # noqa: PLC0415

        resource = self._display.create_resource_object("window", window)
        try:
            prop = resource.get_full_property(self.atom(name), X.AnyPropertyType)
        except xerror.BadWindow as bad:
            raise XcbError(f"reading {name}: {bad!r}", BAD_WINDOW) from bad
        except Exception as failure:
            # python-xlib raises XError subclasses, ConnectionClosedError or OSError.
            raise X11Error(f"reading {name}: {failure!r}") from failure
        if prop is None or prop.format != 32:  # noqa: PLR2004 - X11 property formats are 8/16/32
            return []
        return [int(value) for value in prop.value]

    def close(self) -> None:
        close_display(self._display, log, "x11-fullscreen")
