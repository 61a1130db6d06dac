"""Deliver notifications on their own thread, so a slow notifier never blocks the app.

While the notification server stalls (stopped, swapping, a hung D-Bus), notifications do
not pile up: each slot (a reminder kind, the micro-break, one notice) keeps at most one
waiting, the newest, and one that has waited longer than it stays useful is dropped. When
the server comes back the person sees what is current, not a burst of stale reminders.

A slot is also what stays on screen: with an interactive notifier (freedesktop) a new
notification in a slot replaces the one shown there (the same id, updated in place: the
steps of a micro-break), and the server's answers (an action chosen, the notification
closed) come back to ``listen``'s callbacks by slot, so the core never sees server ids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from deskmobility.adapters.notify._base import InteractiveNotifier, Notifier, NotifyError
from deskmobility.core.actions import LABELS, Action
from deskmobility.core.events import CloseReason, Notify

log = logging.getLogger(__name__)

DEFAULT_KEY = "default"  # the freedesktop action key a click on the body invokes


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
        self._withdraw: list[str] = []
        self._shown: dict[str, tuple[int, Notify]] = {}  # slot -> (server id, what it shows)
        self._on_action: Callable[[str, Action], None] | None = None
        self._on_closed: Callable[[str, CloseReason], None] | None = None
        self._ready = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._drain, name="notifications", daemon=True)
        self._thread.start()

    @property
    def interactive(self) -> InteractiveNotifier | None:
        """The notifier, when it can replace, withdraw and be answered; else None."""
        notifier = self.notifier
        return notifier if isinstance(notifier, InteractiveNotifier) else None

    def listen(
        self,
        on_action: Callable[[str, Action], None],
        on_closed: Callable[[str, CloseReason], None],
    ) -> None:
        """Have the person's answers delivered by slot (needs GLib's main context iterated)."""
        self._on_action, self._on_closed = on_action, on_closed
        if (interactive := self.interactive) is not None:
            interactive.listen(self._answered, self._gone)

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
        """Drop a notification of ``slot`` still waiting, and take one shown off the screen."""
        with self._ready:
            self._pending.pop(slot, None)
            if slot in self._shown:
                self._withdraw.append(slot)
                self._ready.notify()

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

    # -- the drain thread ----------------------------------------------------------------

    def _next(self) -> Notify | str | None:
        """A slot to withdraw, or the oldest fresh notification; None once closing and empty."""
        with self._ready:
            while True:
                if self._withdraw:
                    return self._withdraw.pop(0)
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
                if isinstance(item, str):
                    self._take_down(item)
                else:
                    self._show(item)
            except NotifyError as error:
                self._on_error(str(error))
            except Exception:
                log.exception("notifier %s failed", self.notifier.name)

    def _show(self, notification: Notify) -> None:
        interactive = self.interactive
        if interactive is None:
            self.notifier.send(notification.title, notification.body, notification.timeout)
            return
        slot = notification.slot
        with self._ready:
            replaces = self._shown.get(slot, (0, notification))[0]
        notification_id = interactive.notify(
            notification.title,
            notification.body,
            timeout=notification.timeout,
            replaces_id=replaces,
            actions=_actions(notification),
        )
        with self._ready:
            self._shown[slot] = (notification_id, notification)

    def _take_down(self, slot: str) -> None:
        with self._ready:
            shown = self._shown.pop(slot, None)
        if shown is not None and (interactive := self.interactive) is not None:
            interactive.withdraw(shown[0])

    # -- the server's answers, on GLib's main context --------------------------------------

    def _slot_of(self, notification_id: int) -> tuple[str, Notify] | None:
        with self._ready:
            for slot, (shown_id, notification) in self._shown.items():
                if shown_id == notification_id:
                    return slot, notification
        return None

    def _answered(self, notification_id: int, key: str) -> None:
        found = self._slot_of(notification_id)
        if found is None or self._on_action is None:
            return
        slot, notification = found
        action = notification.default if key == DEFAULT_KEY else _action(key)
        if action is not None:
            self._on_action(slot, action)

    def _gone(self, notification_id: int, reason: CloseReason) -> None:
        found = self._slot_of(notification_id)
        if found is None:
            return
        slot = found[0]
        with self._ready:
            if self._shown.get(slot, (None,))[0] == notification_id:
                del self._shown[slot]  # the next one in this slot is a new notification
        if self._on_closed is not None:
            self._on_closed(slot, reason)


def _actions(notification: Notify) -> list[tuple[str, str]]:
    """The freedesktop actions: the default (a click on the body) first, then each button."""
    pairs = [(action.value, LABELS[action]) for action in notification.actions]
    if notification.default is not None:
        pairs.insert(0, (DEFAULT_KEY, LABELS[notification.default]))
    return pairs


def _action(key: str) -> Action | None:
    try:
        return Action(key)
    except ValueError:
        log.info("ignored an action this app does not offer: %r", key)
        return None
