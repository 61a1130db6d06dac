"""Deliver notifications on their own thread, so a slow notifier never blocks the app.

While the notification server stalls (stopped, swapping, a hung D-Bus), notifications do
not pile up: each slot (a reminder kind, the micro-break, one notice) keeps at most one
waiting, the newest, and one that has waited longer than it stays useful is dropped. When
the server comes back the person sees what is current, not a burst of stale reminders.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from deskmobility.adapters.notify._base import Notifier, NotifyError
from deskmobility.core.events import Notify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    notification: Notify
    stale_at: float  # on the monotonic clock


class Outbox:
    """Slots drained by one daemon thread that sleeps while there is nothing to send."""

    def __init__(
        self,
        notifier: Notifier,
        on_error: Callable[[str], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notifier = notifier
        self._on_error = on_error
        self._monotonic = monotonic
        self._pending: dict[str, _Pending] = {}  # insertion order: oldest slot first
        self._ready = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._drain, name="notifications", daemon=True)
        self._thread.start()

    def post(self, notification: Notify) -> None:
        """Queue a notification, replacing one still waiting in its slot; returns at once."""
        slot = notification.slot
        stale_at = self._monotonic() + notification.fresh_for.total_seconds()
        with self._ready:
            if self._pending.pop(slot, None) is not None:
                log.info("notification for %s replaced by a newer one before it was shown", slot)
            self._pending[slot] = _Pending(notification, stale_at)
            self._ready.notify()

    def dismiss(self, slot: str) -> None:
        """Drop a notification of ``slot`` still waiting to be shown."""
        with self._ready:
            self._pending.pop(slot, None)

    def waiting(self) -> int:
        """How many notifications wait to be shown."""
        with self._ready:
            return len(self._pending)

    def close(self, wait: float = 2.0) -> None:
        """Send what is waiting (for at most ``wait`` seconds), then stop the thread."""
        with self._ready:
            self._closing = True
            self._ready.notify()
        self._thread.join(wait)

    def _next(self) -> Notify | None:
        """The oldest fresh notification, waiting for one; None once closing and empty."""
        with self._ready:
            while True:
                while self._pending:
                    slot = next(iter(self._pending))
                    item = self._pending.pop(slot)
                    if self._monotonic() <= item.stale_at:
                        return item.notification
                    log.info("dropped a stale notification (%s): shown too late to help", slot)
                if self._closing:
                    return None
                self._ready.wait()

    def _drain(self) -> None:
        while (item := self._next()) is not None:
            try:
                self.notifier.send(item.title, item.body, item.timeout)
            except NotifyError as error:
                self._on_error(str(error))
            except Exception:
                log.exception("notifier %s failed", self.notifier.name)
