"""X11: the MIT-SCREEN-SAVER extension's idle counter, read with python-xlib.

``root.screensaver_query_info().idle`` is the XScreenSaverQueryInfo ``idle`` field:
milliseconds since the server last saw input, what ``xprintidle`` prints. One Display
connection stays open between calls (opening one costs a round trip and an auth lookup);
after any error it is dropped and the next call opens a new one, so an X server restart
costs one missed sample.

Under Wayland the same call works through XWayland but counts only input sent to X11
windows, so the idle time would grow while the user types into a Wayland window; the
selector therefore skips this monitor in Wayland sessions unless forced.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from deskmobility.adapters._x11 import X11Error, close_display, open_display
from deskmobility.adapters.idle._base import IdleReadError, KeptConnectionMonitor

log = logging.getLogger(__name__)

EXTENSION = "MIT-SCREEN-SAVER"


class X11IdleMonitor(KeptConnectionMonitor):
    """Idle time from the X server's screen-saver extension."""

    name = "x11"
    REPORTS_IDLE = True

    def __init__(self, display_name: str | None) -> None:
        """``display_name``: such as ``":0"`` (from DISPLAY); None means there is no display."""
        self.display_name = display_name
        self._display: Any = None
        self._lock = threading.Lock()  # the poller and a reminder may ask at once

    def _drop(self) -> None:
        display, self._display = self._display, None
        close_display(display, log, "x11")

    def _read_ms(self) -> int:
        display = self._open()
        try:
            info = display.screen().root.screensaver_query_info()
        except Exception as error:
            # python-xlib raises XError subclasses, ConnectionClosedError or OSError here.
            raise IdleReadError(f"X11 display {self._label}: query failed: {error!r}") from error
        return int(info.idle)

    def _open(self) -> Any:  # noqa: ANN401 - python-xlib ships no types
        if self._display is not None:
            return self._display
        try:
            display = open_display(self.display_name)
        except X11Error as error:
            raise IdleReadError(str(error)) from error
        if not display.has_extension(EXTENSION):
            display.close()
            raise IdleReadError(f"X11 display {self._label} lacks the {EXTENSION} extension")
        self._display = display
        return display

    @property
    def _label(self) -> str:
        return repr(self.display_name)
