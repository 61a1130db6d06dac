"""Deliver notifications on their own thread, so a slow notifier never blocks the tray."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import timedelta

from deskmobility.adapters.notify._base import Notifier, NotifyError

log = logging.getLogger(__name__)

_STOP = None


class Outbox:
    """A queue drained by one daemon thread that blocks while there is nothing to send."""

    def __init__(self, notifier: Notifier, on_error: Callable[[str], None]) -> None:
        self.notifier = notifier
        self._on_error = on_error
        self._queue: queue.Queue[tuple[str, str, timedelta] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._drain, name="notifications", daemon=True)
        self._thread.start()

    def post(self, title: str, body: str, timeout: timedelta) -> None:
        """Queue a notification; returns at once."""
        self._queue.put((title, body, timeout))

    def close(self, wait: float = 2.0) -> None:
        """Send what is queued (waiting at most ``wait`` seconds), then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(wait)

    def _drain(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            title, body, timeout = item
            try:
                self.notifier.send(title, body, timeout)
            except NotifyError as error:
                self._on_error(str(error))
            except Exception:
                log.exception("notifier %s failed", self.notifier.name)
