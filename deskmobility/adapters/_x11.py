"""Opening and closing a python-xlib Display, shared by the X11 idle monitor and fullscreen check.

python-xlib is imported only when a display is opened, so importing this module needs no
X server and no python-xlib. Failures raise X11Error, which each caller turns into its
own error type (IdleReadError, CheckError) with the message unchanged.
"""

from __future__ import annotations

import traceback
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

XLIB_HELP = "pip install 'deskmobility[linux]' (or the python3-xlib package)"


class X11Error(Exception):
    """The display could not be opened; the message says why, for people."""


def open_display(display_name: str | None) -> Any:  # noqa: ANN401 - python-xlib ships no types
    """A new Display connection to ``display_name`` (such as ``":0"``, from DISPLAY)."""
    if not display_name:
        raise X11Error("DISPLAY is not set")
    try:
        from Xlib import display as xdisplay  # noqa: PLC0415 - only when X11 is used
    except ImportError as error:
        raise X11Error(f"python-xlib is missing: {XLIB_HELP}") from error
    try:
        return xdisplay.Display(display_name)
    except Exception as error:
        # DisplayNameError, DisplayConnectionError, or OSError from the socket.
        message = f"cannot open X11 display {display_name!r}: {error}"
        _release_sockets(error)
        raise X11Error(message) from error


def close_display(display: Any, log: logging.Logger, name: str) -> None:  # noqa: ANN401
    """Close ``display`` if there is one; a failure is logged at debug level as ``name``'s."""
    if display is None:
        return
    try:
        display.close()
    except Exception as error:  # noqa: BLE001 - a dead connection may fail to close any way
        log.debug("%s: closing the display: %s", name, error)


def _release_sockets(error: BaseException) -> None:
    """Close the sockets python-xlib leaves behind when a connection attempt fails.

    Its ``get_socket`` keeps each failed socket (Unix, then the TCP fallback) in the frames
    of the exception it raises; they close only when the garbage collector breaks that
    cycle, at some random later moment, with a ResourceWarning. Clearing the frames closes
    them here and now.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        seen: BaseException | None = error
        while seen is not None:
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__
