"""The interruption-check port, and the D-Bus plumbing the notification-server checks share.

A check answers one question at the moment a reminder is due (and every 30 s while held):
should reminders be held right now, and why? ``held_reason()`` returns a short phrase for
the tray ("do not disturb", "a fullscreen window") or None. It never raises: a read that
fails is logged at debug level and counts as "not held", because a broken check must not
silence the app for good.

Nothing here imports a desktop library at module level: PyGObject's Gio is imported the
first time a D-Bus check reads, so importing this package needs no bus and no display.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol, Self

from deskmobility.adapters._session_bus import (
    NO_ANSWER,
    NO_OWNER,
    BusCallError,
    SessionBusError,
    close_bus,
    connect,
    get_property,
    session_bus_address,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger("deskmobility.interruptions")

DO_NOT_DISTURB = "do not disturb"
FULLSCREEN = "a fullscreen window"

# A read at reminder time must not stall the scheduler for the bus default of 25 s. The
# probe at startup may take longer: it is the call that D-Bus-activates a notification
# server that is installed but not running yet.
DBUS_TIMEOUT_S = 2.0
DBUS_PROBE_TIMEOUT_S = 5.0

NOTIFICATIONS_SERVICE = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
# What servers answer for a property they lack: GDBus (dunst, GNOME Shell, xfce4-notifyd)
# says InvalidArgs "No such property"; Qt and sd-bus say UnknownProperty or UnknownInterface.
MISSING_PROPERTY = frozenset(
    {
        "org.freedesktop.DBus.Error.InvalidArgs",
        "org.freedesktop.DBus.Error.UnknownProperty",
        "org.freedesktop.DBus.Error.UnknownInterface",
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownObject",
    }
)


class InterruptionCheck(Protocol):
    """Tells whether reminders should be held now, and in a few words why.

    Not thread-safe: the app calls one check from one thread at a time.
    """

    name: str

    def held_reason(self) -> str | None:
        """A short reason to hold reminders now ("do not disturb"), or None to let them out.

        Never raises: a failed read is logged at debug level and returns None.
        """
        ...

    def close(self) -> None:
        """Drop any connection held between calls (the next call reopens it)."""
        ...


class ProbedCheck(InterruptionCheck, Protocol):
    """A backend as the selector sees it: one that can say whether it works here."""

    def probe(self) -> str | None:
        """Read the state once for real: None if that worked, else why it did not (one line)."""
        ...


class CheckError(Exception):
    """One read of an interruption source failed; the message says why, for people."""


class DBusPropertyCheck:
    """Holds reminders while one boolean property of the notification server is true.

    Subclasses set the class attributes. The connection is the check's own (a private
    GDBus connection): opened lazily, kept between calls, dropped after any failure.
    Unlike the idle monitors, these reads may D-Bus-activate the notification server: the
    app is about to send it a notification anyway, and a server started on first use must
    not count as missing.
    """

    name = "dbus"
    SERVICE = NOTIFICATIONS_SERVICE
    PATH = NOTIFICATIONS_PATH
    INTERFACE = ""
    PROPERTY = ""
    REASON = DO_NOT_DISTURB

    def __init__(self, bus_address: str | None) -> None:
        """``bus_address``: the session bus, as in DBUS_SESSION_BUS_ADDRESS; None if none."""
        self.bus_address = bus_address
        self._bus: Any = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """A check on the session bus that ``env`` names.

        That is DBUS_SESSION_BUS_ADDRESS, else the systemd-style ``$XDG_RUNTIME_DIR/bus``
        socket if it exists; never libdbus's X11 autolaunch, which would start a bus daemon.
        """
        return cls(session_bus_address(env))

    def held_reason(self) -> str | None:
        """See InterruptionCheck.held_reason."""
        try:
            on = self._read(DBUS_TIMEOUT_S)
        except CheckError as error:
            log.debug("%s: cannot tell: %s", self.name, error)
            self.close()
            return None
        except Exception:  # the contract is "never raises": a bug here must not stop reminders
            log.debug("%s: reading %s crashed", self.name, self.PROPERTY, exc_info=True)
            self.close()
            return None
        return self.REASON if on else None

    def probe(self) -> str | None:
        """See ProbedCheck.probe."""
        try:
            self._read(DBUS_PROBE_TIMEOUT_S)
        except CheckError as error:
            self.close()
            return str(error)
        return None

    def close(self) -> None:
        """See InterruptionCheck.close."""
        bus, self._bus = self._bus, None
        close_bus(bus, log, self.name)

    def missing(self, bus: Any, error_name: str, message: str) -> str:  # noqa: ANN401, ARG002
        """Why the property could not be read from a server that is there (subclasses refine)."""
        return f"{self.SERVICE} has no {self.INTERFACE}.{self.PROPERTY} ({error_name}: {message})"

    def _read(self, timeout: float) -> bool:
        bus = self._connect()
        try:
            value = get_property(
                bus, (self.SERVICE, self.PATH, self.INTERFACE, self.PROPERTY), timeout
            )
        except BusCallError as error:
            raise CheckError(self._explain(bus, error, timeout)) from error
        if not isinstance(value, bool):
            raise CheckError(f"{self.INTERFACE}.{self.PROPERTY} is {value!r}, not a boolean")
        return value

    def _explain(self, bus: Any, error: BusCallError, timeout: float) -> str:  # noqa: ANN401
        if error.name in NO_OWNER:
            return f"nothing on the session bus provides {self.SERVICE} ({error.message})"
        if error.name in NO_ANSWER:
            return f"{self.SERVICE} did not answer within {timeout:g} s"
        if error.name in MISSING_PROPERTY:
            return self.missing(bus, error.name, error.message)
        return f"reading {self.INTERFACE}.{self.PROPERTY} failed: {error.name}: {error.message}"

    def _connect(self) -> Any:  # noqa: ANN401 - a Gio.DBusConnection
        """The check's own connection, opened if need be."""
        try:
            if self._bus is None:
                self._bus = connect(self.bus_address)
        except SessionBusError as error:
            raise CheckError(str(error)) from error
        return self._bus
