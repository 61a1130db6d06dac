"""GNOME: Mutter's idle watches, ``AddIdleWatch`` and ``AddUserActiveWatch``, over GDBus.

``AddIdleWatch(interval_ms)`` returns an id; Mutter emits ``WatchFired(id)`` to us each time
the idle time reaches the interval, until ``RemoveWatch``. ``AddUserActiveWatch()`` fires
once, at the next input, and is gone. So: one idle watch for the whole session, and one
user-active watch added each time the person goes away. Mutter drops a client's watches
when its connection closes, and a restarted Mutter knows none of them: on
``NameOwnerChanged`` the idle watch is added again.

Signals and the replies to the calls made from a signal handler arrive on GLib's default
main context (GTK's main loop under the tray, else ``glib_loop.GLibLoop``), so nothing
here blocks that loop: calls made there are asynchronous. ``watch`` and ``close`` are
called from other threads and block for one round trip at most.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
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
from deskmobility.adapters.idle._base import IdleWatchError

log = logging.getLogger(__name__)

SERVICE = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"
INTERFACE = "org.gnome.Mutter.IdleMonitor"
CALL_TIMEOUT_S = 2.0


class MutterIdleWatch:
    """Away and back from Mutter's idle and user-active watches (see the module docstring)."""

    name = "mutter"
    mode = "events (GNOME Mutter idle watches)"

    def __init__(self, bus_address: str | None) -> None:
        """Connect and make sure Mutter answers; IdleWatchError says why not."""
        try:
            self._bus = connect(bus_address)
            call(self._bus, (SERVICE, PATH, INTERFACE, "GetIdletime"), None, CALL_TIMEOUT_S,
                 auto_start=False)  # fmt: skip
        except (SessionBusError, BusCallError) as error:
            if hasattr(self, "_bus"):
                close_bus(self._bus, log, self.name)
            if isinstance(error, BusCallError) and error.name in NO_OWNER:
                reason = f"nothing on the session bus owns {SERVICE}"
            else:
                reason = str(error)
            raise IdleWatchError(f"GNOME Mutter IdleMonitor: {reason}") from error
        self._lock = threading.Lock()
        self._away_after = timedelta(minutes=5)
        self._on_away: Callable[[timedelta], None] = lambda _idle: None
        self._on_back: Callable[[], None] = lambda: None
        self._idle_id = 0
        self._active_id = 0
        self._away = False
        self._subscriptions: list[int] = []
        # Ids that fired before the call that added them returned (Mutter fires at once
        # when the person is already idle for longer): handled once the id is known.
        self._early: set[int] = set()

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """See IdleWatch.watch."""
        with self._lock:
            self._away_after, self._on_away, self._on_back = away_after, on_away, on_back
            if not self._subscriptions:
                self._subscribe()
            old, self._idle_id, self._away = self._idle_id, 0, False
        if old:
            self._remove(old)
        self._add_idle_watch()

    def close(self) -> None:
        """See IdleWatch.close: remove the watches, drop the subscriptions and the bus."""
        with self._lock:
            subscriptions, self._subscriptions = self._subscriptions, []
            ids = [i for i in (self._idle_id, self._active_id) if i]
            self._idle_id = self._active_id = 0
        for subscription in subscriptions:
            self._bus.signal_unsubscribe(subscription)
        for watch_id in ids:
            self._remove(watch_id)
        close_bus(self._bus, log, self.name)

    def _subscribe(self) -> None:
        gio, _ = import_gio()
        flags = gio.DBusSignalFlags.NONE
        self._subscriptions = [
            self._bus.signal_subscribe(SERVICE, INTERFACE, "WatchFired", PATH, None, flags,
                                       self._on_fired),
            self._bus.signal_subscribe(DBUS, DBUS, "NameOwnerChanged", DBUS_PATH, SERVICE,
                                       flags, self._on_owner_changed),
        ]  # fmt: skip

    def _add_idle_watch(self) -> None:
        with self._lock:
            interval = max(1, int(self._away_after.total_seconds() * 1000))
        try:
            (watch_id,) = call(self._bus, (SERVICE, PATH, INTERFACE, "AddIdleWatch"),
                               ("t", (interval,)), CALL_TIMEOUT_S)  # fmt: skip
        except BusCallError as error:
            log.warning("mutter: cannot add an idle watch: %s", error)
            return
        with self._lock:
            self._idle_id = int(watch_id)
            fired_early = self._idle_id in self._early
            self._early.clear()
        if fired_early:
            self._fired(int(watch_id))

    def _remove(self, watch_id: int) -> None:
        try:
            call(self._bus, (SERVICE, PATH, INTERFACE, "RemoveWatch"), ("u", (watch_id,)),
                 CALL_TIMEOUT_S)  # fmt: skip
        except BusCallError as error:
            log.debug("mutter: RemoveWatch(%d): %s", watch_id, error)

    # --- on the GLib main context -----------------------------------------------------------

    def _on_fired(self, *args: Any) -> None:  # noqa: ANN401 - GDBus passes untyped values
        (watch_id,) = args[5].unpack()
        self._fired(int(watch_id))

    def _fired(self, watch_id: int) -> None:
        with self._lock:
            if watch_id == self._idle_id and not self._away:
                self._away, report = True, self._on_away
                idle: timedelta | None = self._away_after
            elif watch_id == self._active_id and self._away:
                self._away, self._active_id, report_back = False, 0, self._on_back
                idle = None
            else:
                if not self._idle_id:
                    self._early.add(watch_id)
                return
        if idle is not None:
            self._add_user_active_watch()
            _call(report, idle)
        else:
            _call(report_back)

    def _add_user_active_watch(self) -> None:
        gio, _ = import_gio()

        def added(bus: Any, result: Any) -> None:  # noqa: ANN401
            try:
                (watch_id,) = bus.call_finish(result).unpack()
            except Exception as error:  # noqa: BLE001 - a GLib.Error, logged
                log.warning("mutter: cannot add a user-active watch: %s", error)
                return
            with self._lock:
                self._active_id = int(watch_id)

        timeout_ms, flags = round(CALL_TIMEOUT_S * 1000), gio.DBusCallFlags.NONE
        self._bus.call(
            SERVICE,
            PATH,
            INTERFACE,
            "AddUserActiveWatch",
            None,
            None,
            flags,
            timeout_ms,
            None,
            added,
        )

    def _on_owner_changed(self, *args: Any) -> None:  # noqa: ANN401 - GDBus passes untyped values
        _name, _old, new_owner = args[5].unpack()
        with self._lock:
            self._idle_id = self._active_id = 0
            was_away, self._away = self._away, False
            on_back = self._on_back
        if not new_owner:
            log.warning("mutter: the idle monitor went away; waiting for it to come back")
            return
        log.info("mutter: the idle monitor restarted; watching again")
        if was_away:
            _call(on_back)  # a fresh compositor has no absence to report yet
        gio, _ = import_gio()
        interval = max(1, int(self._away_after.total_seconds() * 1000))

        def added(bus: Any, result: Any) -> None:  # noqa: ANN401
            try:
                (watch_id,) = bus.call_finish(result).unpack()
            except Exception as error:  # noqa: BLE001 - a GLib.Error, logged
                log.warning("mutter: cannot add an idle watch: %s", error)
                return
            with self._lock:
                self._idle_id = int(watch_id)

        timeout_ms, flags = round(CALL_TIMEOUT_S * 1000), gio.DBusCallFlags.NONE
        args = _variant("(t)", (interval,))
        self._bus.call(
            SERVICE, PATH, INTERFACE, "AddIdleWatch", args, None, flags, timeout_ms, None, added
        )


def _variant(signature: str, values: tuple[Any, ...]) -> Any:  # noqa: ANN401 - a GLib.Variant
    _, glib = import_gio()
    return glib.Variant(signature, values)


def _call(callback: Callable[..., None], *args: object) -> None:
    try:
        callback(*args)
    except Exception:
        log.exception("mutter: an idle callback failed")
