"""Session-bus plumbing over Gio (PyGObject's GDBus), shared by every D-Bus adapter.

deskmobility's one D-Bus library is GDBus: the tray's GTK already loads it, so the
notifier, the idle sources, the do-not-disturb checks and the tray probe cost no extra
library (dbus-python, a C build from source on every install, is gone). Each user opens
its own private connection with :func:`connect` and keeps it; method calls block with a
short time-out and need no main loop. Signals are delivered on the GLib main context that
was the thread-default when the subscription was made: the default context, iterated by
GTK's main loop under the tray or by :class:`deskmobility.adapters.glib_loop.GLibLoop`.

PyGObject is imported only when a connection is made, so importing this module needs no
bus and no PyGObject. Failures raise SessionBusError (no bus, no PyGObject) or BusCallError
(a call failed), which each caller turns into its own error type.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping

LINUX_EXTRA_HELP = "pip install 'deskmobility[linux]' (or the python3-gi package)"
DBUS = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"
# Error names callers compare against: no such service, and no answer in time.
NO_OWNER = frozenset(
    {"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner"}
)
NO_ANSWER = frozenset({"org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout"})
UNKNOWN_MEMBER = frozenset(
    {
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownInterface",
    }
)


class SessionBusError(Exception):
    """PyGObject or the session bus is not there; the message says why, for people."""


class BusCallError(Exception):
    """A method call failed. ``name`` is the D-Bus error name (a time-out is NoReply)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def session_bus_address(env: Mapping[str, str]) -> str | None:
    """The session bus that ``env`` names, or None.

    That is DBUS_SESSION_BUS_ADDRESS, else the systemd-style ``$XDG_RUNTIME_DIR/bus``
    socket if it exists; never libdbus's X11 autolaunch, which would start a bus daemon.
    """
    address = env.get("DBUS_SESSION_BUS_ADDRESS") or None
    runtime = env.get("XDG_RUNTIME_DIR")
    if address is None and runtime and Path(runtime, "bus").exists():
        address = f"unix:path={Path(runtime, 'bus')}"
    return address


def import_gio() -> tuple[Any, Any]:
    """PyGObject's ``Gio`` and ``GLib`` modules (SessionBusError if PyGObject is missing)."""
    try:
        import gi  # noqa: PLC0415 - only when a D-Bus source is actually used

        gi.require_version("Gio", "2.0")
        from gi.repository import Gio, GLib  # noqa: PLC0415
    except (ImportError, ValueError) as error:
        raise SessionBusError(f"PyGObject (Gio) is missing: {LINUX_EXTRA_HELP}") from error
    return Gio, GLib


def connect(address: str | None) -> Any:  # noqa: ANN401 - a Gio.DBusConnection
    """A new private connection to the bus at ``address`` (from ``session_bus_address``).

    Private, so closing it (or the process exiting) touches nobody else's connection, and
    GDBus's shared ``g_bus_get`` connection (which exits the process when the bus goes
    away) is never involved.
    """
    if not address:
        raise SessionBusError("no session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
    gio, glib = import_gio()
    flags = (
        gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    )
    try:
        return gio.DBusConnection.new_for_address_sync(address, flags, None, None)
    except glib.Error as error:
        raise SessionBusError(f"no session bus: {error.message}") from error


def call(
    bus: Any,  # noqa: ANN401 - a Gio.DBusConnection
    target: tuple[str, str, str, str],
    args: tuple[str, tuple[Any, ...]] | None,
    timeout_s: float,
    *,
    auto_start: bool = True,
) -> tuple[Any, ...]:
    """Call ``(service, path, interface, method)`` with ``(signature, values)``; its reply.

    The reply comes back unpacked into Python values. ``auto_start=False`` never starts a
    service through D-Bus activation. Raises BusCallError (a time-out is named NoReply).
    """
    gio, glib = import_gio()
    service, path, interface, method = target
    parameters = glib.Variant(f"({args[0]})", args[1]) if args is not None else None
    flags = gio.DBusCallFlags.NONE if auto_start else gio.DBusCallFlags.NO_AUTO_START
    try:
        reply = bus.call_sync(
            service, path, interface, method, parameters, None, flags, round(timeout_s * 1000)
        )
    except glib.Error as error:
        raise as_call_error(error) from error
    return tuple(reply.unpack())


def as_call_error(error: Any) -> BusCallError:  # noqa: ANN401 - a GLib.Error
    """A GLib.Error from a D-Bus call as a BusCallError with the remote error's name."""
    gio, _ = import_gio()
    name = gio.DBusError.get_remote_error(error)
    if name:
        # PyGObject copies the message out, so strip GDBus's "GDBus.Error:NAME: " by hand.
        message = str(error.message)
        prefix = f"GDBus.Error:{name}: "
        return BusCallError(str(name), message.removeprefix(prefix))
    if error.matches(gio.io_error_quark(), gio.IOErrorEnum.TIMED_OUT):
        return BusCallError("org.freedesktop.DBus.Error.NoReply", str(error.message))
    if error.matches(gio.io_error_quark(), gio.IOErrorEnum.CLOSED):
        return BusCallError("org.freedesktop.DBus.Error.Disconnected", str(error.message))
    return BusCallError("org.freedesktop.DBus.Error.Failed", str(error.message))


def name_has_owner(bus: Any, name: str, timeout_s: float = 2.0) -> bool:  # noqa: ANN401
    """Whether something on ``bus`` owns ``name`` right now (BusCallError if the bus fails)."""
    (owned,) = call(bus, (DBUS, DBUS_PATH, DBUS, "NameHasOwner"), ("s", (name,)), timeout_s)
    return bool(owned)


def get_property(
    bus: Any,  # noqa: ANN401 - a Gio.DBusConnection
    target: tuple[str, str, str, str],
    timeout_s: float,
) -> Any:  # noqa: ANN401 - whatever the property holds
    """Read property ``(service, path, interface, name)`` (BusCallError on failure)."""
    service, path, interface, name = target
    (value,) = call(bus, (service, path, PROPERTIES, "Get"), ("ss", (interface, name)), timeout_s)
    return value


def close_bus(bus: Any, log: logging.Logger, name: str) -> None:  # noqa: ANN401
    """Close ``bus`` if there is one; a failure is logged at debug level as ``name``'s."""
    if bus is None:
        return
    try:
        bus.close_sync(None)
    except Exception as error:  # noqa: BLE001 - closing a broken connection may fail any way
        log.debug("%s: closing the bus connection: %s", name, error)
