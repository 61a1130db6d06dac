"""The idle-monitor port, and the D-Bus plumbing the Mutter and KDE monitors share.

Nothing here imports a desktop library at module level: PyGObject's Gio is imported the
first time a D-Bus monitor connects, so importing this package never needs a bus or a display.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, Self

from deskmobility.adapters._session_bus import (
    NO_OWNER,
    UNKNOWN_MEMBER,
    BusCallError,
    SessionBusError,
    call,
    close_bus,
    connect,
    session_bus_address,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger(__name__)

# A D-Bus call that takes longer than this is treated as a failure (the bus default is 25 s,
# far too long to block a poller for a number it asks for once a minute).
DBUS_TIMEOUT_S = 2.0


class IdleMonitor(Protocol):
    """Tells how long the user has gone without touching keyboard or pointer.

    ``REPORTS_IDLE`` is False only for the unavailable monitor; the app branches on it.
    """

    name: str
    REPORTS_IDLE: bool

    def idle_for(self) -> timedelta | None:
        """Time since the last input, or None when it cannot be read right now.

        Never raises for a transient failure (a bus hiccup, a display that went away):
        it logs at debug level and returns None, and tries again on the next call.
        """
        ...

    def probe(self) -> str | None:
        """Read the idle time once for real: None if that worked, else why it did not."""
        ...

    def close(self) -> None:
        """Drop any connection held open between calls (the next call reopens it)."""
        ...


class IdleWatchError(Exception):
    """An idle watch cannot run here; the message says why, for people."""


class IdleReadError(Exception):
    """One attempt to read the idle time failed; the message says why, for people."""


def from_ms(value: int) -> timedelta:
    """A millisecond count from a platform API, as a timedelta (negative counts as zero)."""
    return timedelta(milliseconds=max(0, value))


class KeptConnectionMonitor:
    """The part every monitor that keeps a connection open shares.

    One reader at a time, and the connection dropped after any failure so the next read
    opens a new one. Subclasses provide ``_read_ms`` (raises IdleReadError) and ``_drop``
    (forgets the connection), and set ``self._lock``.
    """

    name: str
    _lock: threading.Lock

    def _read_ms(self) -> int:
        raise NotImplementedError

    def _drop(self) -> None:
        raise NotImplementedError

    def idle_for(self) -> timedelta | None:
        """See IdleMonitor.idle_for."""
        with self._lock:
            try:
                return from_ms(self._read_ms())
            except IdleReadError as error:
                log.debug("%s: cannot read the idle time: %s", self.name, error)
                self._drop()
                return None

    def probe(self) -> str | None:
        """See IdleMonitor.probe."""
        with self._lock:
            try:
                self._read_ms()
            except IdleReadError as error:
                self._drop()
                return str(error)
            return None

    def close(self) -> None:
        """See IdleMonitor.close."""
        with self._lock:
            self._drop()


class DBusIdleMonitor(KeptConnectionMonitor):
    """Reads an idle time in milliseconds with one D-Bus method call on the session bus.

    Subclasses set the class attributes below. The connection is the monitor's own (a
    private GDBus connection): opened lazily, kept between calls, dropped after any
    failure. Calls never auto-start a service: probing must not launch some screensaver
    daemon on the way.
    """

    name = "dbus"
    REPORTS_IDLE = True
    SERVICE = ""
    PATH = ""
    INTERFACE = ""
    METHOD = ""
    LABEL = ""  # how the reason strings name the source, e.g. "GNOME Mutter IdleMonitor"

    def __init__(self, bus_address: str | None) -> None:
        """``bus_address``: the session bus, as in DBUS_SESSION_BUS_ADDRESS; None if none."""
        self.bus_address = bus_address
        self._bus: Any = None
        self._lock = threading.Lock()  # the poller and a reminder may ask at once

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """A monitor on the session bus that ``env`` names.

        That is DBUS_SESSION_BUS_ADDRESS, else the systemd-style ``$XDG_RUNTIME_DIR/bus``
        socket if it exists. Never libdbus's X11 autolaunch, which would start a bus daemon.
        """
        return cls(session_bus_address(env))

    def _drop(self) -> None:
        bus, self._bus = self._bus, None
        close_bus(bus, log, self.name)

    def explain(self, error_name: str, message: str) -> str:
        """Turn a D-Bus error reply into a reason people can act on (subclasses add cases)."""
        if error_name in NO_OWNER:
            return f"{self.LABEL}: nothing on the session bus owns {self.SERVICE}"
        if error_name in UNKNOWN_MEMBER:
            return f"{self.LABEL}: {self.SERVICE} has no {self.INTERFACE}.{self.METHOD} here"
        return f"{self.LABEL}: {self.METHOD} failed: {error_name}: {message}"

    def _read_ms(self) -> int:
        bus = self._connect()
        target = (self.SERVICE, self.PATH, self.INTERFACE, self.METHOD)
        try:
            args = call(bus, target, None, DBUS_TIMEOUT_S, auto_start=False)
        except BusCallError as error:
            raise IdleReadError(self.explain(error.name, error.message)) from error
        if len(args) != 1 or isinstance(args[0], bool) or not isinstance(args[0], int):
            raise IdleReadError(f"{self.LABEL}: {self.METHOD} answered {args!r}, not a number")
        return int(args[0])

    def _connect(self) -> Any:  # noqa: ANN401 - a Gio.DBusConnection
        """The monitor's own connection, opened if need be."""
        try:
            if self._bus is None:
                self._bus = connect(self.bus_address)
        except SessionBusError as error:
            raise IdleReadError(f"{self.LABEL}: {error}") from error
        return self._bus
