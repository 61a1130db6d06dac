"""freedesktop notifications over GDBus: capabilities, actions, replacing, and the server's answers.

One private session-bus connection lives as long as the app. On first use (and after the
server changed hands) it reads the server's capabilities; ``notify`` returns the server's id
for the notification, which ``replaces_id`` can update in place (the guided steps of a
micro-break). The server's ``ActionInvoked`` and ``NotificationClosed(id, reason)`` signals
reach ``on_action`` / ``on_closed`` for our own notifications only: servers broadcast them,
so every other app's answers arrive too and are dropped here.

Signals are dispatched on GLib's default main context: GTK's main loop under the tray, or
``glib_loop.GLibLoop`` without one. Callbacks run there and must return quickly. Nothing is
subscribed until ``listen`` is called: in a context that nobody iterates, every signal
would wait forever, a few hundred bytes per notification.

When the server restarts (dunst killed and started again, a crashed GNOME Shell helper),
``NameOwnerChanged`` says so: the notifications it showed are reported closed (reason
UNDEFINED), the signal subscriptions are made again, and the capabilities are read again
before the next notification. A connection that closed (the bus went away) is reopened on
the next send.

Bodies are plain text. Where the server advertises ``body-markup`` it would read ``<b>`` or
``<span size="90000">`` in an exercise name or a config value as markup, so ``&``, ``<``
and ``>`` are escaped (only those three: GNOME Shell re-escapes any other entity).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from deskmobility.adapters._session_bus import (
    DBUS,
    DBUS_PATH,
    NO_OWNER,
    BusCallError,
    SessionBusError,
    call,
    close_bus,
    connect,
    import_gio,
)
from deskmobility.adapters.notify._base import NotifyError
from deskmobility.adapters.notify._server import ServerInfo, close_reason, escape_markup
from deskmobility.core.events import CloseReason

__all__ = ["CloseReason", "FreedesktopNotifier", "ServerInfo", "escape_markup"]

log = logging.getLogger(__name__)

APP_NAME = "deskmobility"
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT_S = 5.0  # a server D-Bus-activated by the first call may take a moment


ActionCallback = Callable[[int, str], None]
ClosedCallback = Callable[[int, CloseReason], None]


class FreedesktopNotifier:
    """Notifications on org.freedesktop.Notifications, over the app's own GDBus connection."""

    name = "freedesktop"

    def __init__(self, icon: Path, bus_address: str | None) -> None:
        """``bus_address``: the session bus (``_session_bus.session_bus_address``)."""
        self._icon = str(icon)
        self.bus_address = bus_address
        # _calls serialises the (blocking) method calls; _state guards what the signal
        # handlers touch, and is never held across a call, so a stalled server never
        # blocks the GLib main loop (the tray's thread) in a signal handler.
        self._calls = threading.Lock()
        self._state = threading.Lock()
        self._bus: Any = None
        self._server: ServerInfo | None = None
        self._server_owner = ""
        self._subscriptions: list[int] = []
        self._ours: set[int] = set()
        self._on_action: ActionCallback | None = None
        self._on_closed: ClosedCallback | None = None

    def listen(
        self, on_action: ActionCallback | None = None, on_closed: ClosedCallback | None = None
    ) -> None:
        """Call ``on_action(id, key)`` and ``on_closed(id, reason)`` for our notifications.

        They run on GLib's default main context (see the module docstring), which must be
        iterated (GTK's main loop or ``GLibLoop``): the signals are subscribed to only from
        here on, because undispatched signals pile up in a context nobody iterates.
        """
        with self._state:
            self._on_action, self._on_closed = on_action, on_closed
            if self._bus is not None and not self._subscriptions:
                self._subscribe()

    def server(self) -> ServerInfo:
        """The server's name, version and capabilities (connecting first if need be)."""
        with self._calls:
            return self._ensure_server()[1]

    def send(self, title: str, body: str, timeout: timedelta) -> None:
        """Show ``title`` and ``body`` for about ``timeout`` (the Notifier port)."""
        self.notify(title, body, timeout=timeout)

    def notify(
        self,
        title: str,
        body: str,
        *,
        timeout: timedelta | None = None,
        replaces_id: int = 0,
        actions: Sequence[tuple[str, str]] = (),
    ) -> int:
        """Show a notification and return its id; raise NotifyError if no server takes it.

        ``replaces_id``: a previous id to update in place (0: a new notification).
        ``actions``: ``(key, label)`` pairs; the key ``"default"`` is a click on the body.
        They are sent only where the server has the ``actions`` capability.
        ``timeout``: None for the server's default.
        """
        with self._calls:
            owner, server = self._ensure_server()
            text = escape_markup(body) if server.body_markup else body
            flat = [part for pair in actions for part in pair] if server.has_actions else []
            expire = -1 if timeout is None else max(1, round(timeout.total_seconds())) * 1000
            args: tuple[Any, ...] = (
                APP_NAME,
                replaces_id,
                self._icon,
                title,
                text,
                flat,
                {},
                expire,
            )
            try:
                (notification_id,) = call(
                    self._bus, (owner, PATH, SERVICE, "Notify"), ("susssasa{sv}i", args),
                    CALL_TIMEOUT_S,
                )  # fmt: skip
            except BusCallError as error:
                with self._state:
                    self._server = None
                raise NotifyError(f"the notification server did not answer: {error}") from error
            with self._state:
                self._ours.add(int(notification_id))
            return int(notification_id)

    def withdraw(self, notification_id: int) -> None:
        """Take notification ``notification_id`` off the screen (CloseNotification)."""
        with self._calls:
            if self._bus is None:
                return
            try:
                call(self._bus, (SERVICE, PATH, SERVICE, "CloseNotification"),
                     ("u", (notification_id,)), CALL_TIMEOUT_S)  # fmt: skip
            except BusCallError as error:
                log.debug("freedesktop: CloseNotification(%d): %s", notification_id, error)

    def close(self) -> None:
        """Drop the subscriptions and the connection."""
        with self._calls, self._state:
            self._unsubscribe()
            bus, self._bus, self._server = self._bus, None, None
        close_bus(bus, log, self.name)

    # --- connection and server state (called with self._calls held) -----------------------

    def _ensure_server(self) -> tuple[str, ServerInfo]:
        """The server's unique name and what it offers, connecting first if need be."""
        if self._bus is not None and self._bus.is_closed():
            log.info("freedesktop: the session bus connection closed; opening a new one")
            with self._state:
                self._unsubscribe()
                self._bus, self._server = None, None
        if self._bus is None:
            try:
                bus = connect(self.bus_address)
            except SessionBusError as error:
                raise NotifyError(f"no session bus to send notifications on: {error}") from error
            with self._state:
                self._bus = bus
                if self._on_action is not None or self._on_closed is not None:
                    self._subscribe()
        owner = self._owner()
        server = self._server
        if server is None or owner != self._server_owner:  # a new server: ask it again
            server = self._read_server(owner)
            log.info(
                "notification server: %s %s, capabilities: %s",
                server.name, server.version, " ".join(sorted(server.capabilities)) or "none",
            )  # fmt: skip
            with self._state:
                self._server, self._server_owner = server, owner
        return owner, server

    def _owner(self) -> str:
        """The unique name of the server now, starting it by D-Bus activation if need be.

        Resolved first (as dbus-python's proxies did), so that with no server nothing is
        sent to the name: the bus would only bounce it, and a recorder would see it.
        """
        dbus_target = (DBUS, DBUS_PATH, DBUS)
        try:
            (owner,) = call(
                self._bus, (*dbus_target, "GetNameOwner"), ("s", (SERVICE,)), CALL_TIMEOUT_S
            )
        except BusCallError as error:
            if error.name not in NO_OWNER:
                raise NotifyError(f"the session bus did not answer: {error}") from error
            try:
                call(self._bus, (*dbus_target, "StartServiceByName"), ("su", (SERVICE, 0)),
                     CALL_TIMEOUT_S)  # fmt: skip
                (owner,) = call(self._bus, (*dbus_target, "GetNameOwner"), ("s", (SERVICE,)),
                                CALL_TIMEOUT_S)  # fmt: skip
            except BusCallError as failed:
                raise NotifyError(
                    f"no notification server on the session bus ({SERVICE} has no owner and "
                    "none can be started)"
                ) from failed
        return str(owner)

    def _read_server(self, owner: str) -> ServerInfo:
        try:
            (capabilities,) = call(
                self._bus, (owner, PATH, SERVICE, "GetCapabilities"), None, CALL_TIMEOUT_S
            )
            name, _vendor, version, _spec = call(
                self._bus, (owner, PATH, SERVICE, "GetServerInformation"), None, CALL_TIMEOUT_S
            )
        except BusCallError as error:
            raise NotifyError(f"the notification server did not answer: {error}") from error
        return ServerInfo(str(name), str(version), frozenset(str(c) for c in capabilities))

    def _subscribe(self) -> None:
        """Subscribe to the server's signals (with self._state held)."""
        gio, _ = import_gio()
        flags = gio.DBusSignalFlags.NONE
        bus = self._bus
        self._subscriptions = [
            bus.signal_subscribe(SERVICE, SERVICE, "ActionInvoked", PATH, None, flags,
                                 self._on_signal),
            bus.signal_subscribe(SERVICE, SERVICE, "NotificationClosed", PATH, None, flags,
                                 self._on_signal),
            bus.signal_subscribe(DBUS, DBUS, "NameOwnerChanged", DBUS_PATH, SERVICE, flags,
                                 self._on_owner_changed),
        ]  # fmt: skip

    def _unsubscribe(self) -> None:
        """Drop the signal subscriptions (with self._state held)."""
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            try:
                self._bus.signal_unsubscribe(subscription)
            except Exception as error:  # noqa: BLE001 - a closed connection may refuse
                log.debug("freedesktop: unsubscribing: %s", error)

    # --- signals (on the GLib main context) --------------------------------------------------

    def _on_signal(self, *args: Any) -> None:  # noqa: ANN401 - GDBus passes untyped values
        member, parameters = args[4], args[5].unpack()
        notification_id = int(parameters[0])
        with self._state:
            if notification_id not in self._ours:
                return  # another app's notification: servers broadcast these signals
            if member == "NotificationClosed":
                self._ours.discard(notification_id)
        if member == "ActionInvoked":
            _deliver(self._on_action, notification_id, str(parameters[1]))
        elif member == "NotificationClosed":
            _deliver(self._on_closed, notification_id, close_reason(int(parameters[1])))

    def _on_owner_changed(self, *args: Any) -> None:  # noqa: ANN401 - GDBus passes untyped values
        _name, old_owner, new_owner = args[5].unpack()
        log.info(
            "notification server %s", "restarted" if old_owner and new_owner
            else ("started" if new_owner else "went away"),
        )  # fmt: skip
        with self._state:
            lost = sorted(self._ours) if old_owner else []
            self._ours.clear()
            self._server = None  # read the new server's capabilities before the next notify
            if new_owner and self._bus is not None and not self._bus.is_closed():
                # Subscriptions name the service, not its owner: make them again so they
                # follow the new owner on every GLib version.
                self._unsubscribe()
                self._subscribe()
        for notification_id in lost:
            _deliver(self._on_closed, notification_id, CloseReason.UNDEFINED)


def _deliver(callback: Callable[[int, Any], None] | None, notification_id: int, what: Any) -> None:  # noqa: ANN401
    if callback is None:
        return
    try:
        callback(notification_id, what)
    except Exception:
        log.exception("freedesktop: a notification callback failed")
