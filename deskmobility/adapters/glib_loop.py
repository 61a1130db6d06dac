"""GLib's default main context, run on a thread of our own when no GTK main loop runs it.

D-Bus signals (the notification server's ActionInvoked and NotificationClosed, Mutter's
WatchFired) are dispatched on GLib's default main context. Under pystray's gtk and
appindicator backends GTK's main loop iterates it on the main thread; without a tray, with
the xorg backend, or after the tray failed, nothing would, and no signal would ever arrive.
:class:`GLibLoop` is that loop. It sleeps in poll() until a message comes: no ticks.

Start it only when GTK's loop does not run: two loops on one context take turns owning it,
and the second would wait for the first.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from deskmobility.adapters._session_bus import import_gio

log = logging.getLogger(__name__)


class GLibLoop:
    """A GLib.MainLoop on the default main context, on a daemon thread named ``glib-loop``."""

    def __init__(self) -> None:
        self._loop: Any = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the loop's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start iterating the default main context (SessionBusError without PyGObject)."""
        if self.running:
            return
        _, glib = import_gio()
        self._loop = glib.MainLoop()  # on the default main context
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="glib-loop", daemon=True
        )
        self._thread.start()
        ready.wait(5.0)

    def stop(self, wait: float = 2.0) -> None:
        """Quit the loop and wait up to ``wait`` seconds for its thread."""
        loop, thread = self._loop, self._thread
        if loop is not None:
            loop.quit()
        if thread is not None:
            thread.join(wait)
        self._loop = self._thread = None

    def _run(self, ready: threading.Event) -> None:
        _, glib = import_gio()

        def iterating() -> bool:
            ready.set()
            return False  # run once

        glib.idle_add(iterating)
        try:
            self._loop.run()
        except Exception:
            log.exception("the GLib main loop stopped")
