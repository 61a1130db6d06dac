"""X11: is the focused window fullscreen? Read from the window manager's EWMH hints.

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
from typing import Any

from deskmobility.adapters._x11 import X11Error, close_display, open_display
from deskmobility.adapters.interruptions._base import FULLSCREEN, CheckError

log = logging.getLogger("deskmobility.interruptions")

_NEEDED = ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN")


class X11FullscreenCheck:
    """Holds reminders while the focused X11 window is fullscreen."""

    name = "x11-fullscreen"

    def __init__(self, display_name: str | None) -> None:
        """``display_name``: such as ``":0"`` (from DISPLAY); None means there is no display."""
        self.display_name = display_name
        self._display: Any = None
        self._atoms: dict[str, int] = {}

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
        display, self._display = self._display, None
        close_display(display, log, "x11-fullscreen")

    def _active_is_fullscreen(self) -> bool:
        display = self._open()
        active = _property(display.screen().root, self._atoms["_NET_ACTIVE_WINDOW"])
        if not active or active[0] == 0:
            return False  # nothing has focus
        window = display.create_resource_object("window", active[0])
        # A window closed between the two reads is gone, not fullscreen.
        states = _property(window, self._atoms["_NET_WM_STATE"], gone_is_empty=True)
        return self._atoms["_NET_WM_STATE_FULLSCREEN"] in states

    def _check_window_manager(self) -> None:
        display = self._open()
        root = display.screen().root
        check = display.intern_atom("_NET_SUPPORTING_WM_CHECK")
        found = _property(root, check)
        if not found or found[0] == 0:
            raise CheckError(
                f"no EWMH window manager on X11 display {self.display_name!r} "
                "(the root window has no _NET_SUPPORTING_WM_CHECK)"
            )
        child = display.create_resource_object("window", found[0])
        if _property(child, check, gone_is_empty=True)[:1] != found[:1]:
            raise CheckError(
                f"no EWMH window manager on X11 display {self.display_name!r} "
                "(_NET_SUPPORTING_WM_CHECK names a window that is gone: the manager exited)"
            )
        supported = set(_property(root, display.intern_atom("_NET_SUPPORTED")))
        lacking = [name for name in _NEEDED if self._atoms[name] not in supported]
        if lacking:
            raise CheckError(f"the window manager does not support {', '.join(lacking)}")

    def _open(self) -> Any:  # noqa: ANN401 - python-xlib ships no types
        if self._display is not None:
            return self._display
        try:
            display = open_display(self.display_name)
        except X11Error as error:
            raise CheckError(str(error)) from error
        self._atoms = {name: display.intern_atom(name) for name in _NEEDED}
        self._display = display
        return display


def _property(window: Any, atom: int, *, gone_is_empty: bool = False) -> list[int]:  # noqa: ANN401
    """The 32-bit values of ``atom`` on ``window`` (empty if unset); CheckError on X errors.

    ``gone_is_empty``: a window that no longer exists (BadWindow) has no values, rather
    than being an error.
    """
    from Xlib import X  # noqa: PLC0415 - python-xlib is there: the display is open
    from Xlib import error as xerror  # noqa: PLC0415

    try:
        prop = window.get_full_property(atom, X.AnyPropertyType)
    except xerror.BadWindow as bad:
        if gone_is_empty:
            return []
        raise CheckError(f"reading a window property failed: {bad!r}") from bad
    except Exception as failure:
        # python-xlib raises XError subclasses, ConnectionClosedError or OSError.
        raise CheckError(f"reading a window property failed: {failure!r}") from failure
    if prop is None or prop.format != 32:  # noqa: PLR2004 - X11 property formats are 8/16/32
        return []
    return [int(value) for value in prop.value]
