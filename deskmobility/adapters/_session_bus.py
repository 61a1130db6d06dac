"""A private dbus-python connection to the session bus, for the D-Bus idle monitors and checks.

Each monitor or check opens its own BusConnection, not dbus-python's shared ``SessionBus()``
that plyer's notifier uses. dbus-python is imported only when one connects, so importing
this module needs no bus and no dbus-python. Failures raise SessionBusError, which each
caller turns into its own error type (IdleReadError, CheckError).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging
    from collections.abc import Mapping

LINUX_EXTRA_HELP = "pip install 'deskmobility[linux]' (or the python3-dbus package)"


class SessionBusError(Exception):
    """dbus-python or the session bus is not there; the message says why, for people."""


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


def import_dbus() -> Any:  # noqa: ANN401 - dbus-python ships no types
    """The ``dbus`` package, with its ``bus`` and ``lowlevel`` modules loaded."""
    try:
        import dbus  # noqa: PLC0415 - only when a D-Bus source is actually used
        import dbus.bus  # noqa: PLC0415
        import dbus.lowlevel  # noqa: PLC0415
    except ImportError as error:
        raise SessionBusError(f"dbus-python is missing: {LINUX_EXTRA_HELP}") from error
    return dbus


def connect(dbus: Any, address: str | None) -> Any:  # noqa: ANN401 - dbus-python ships no types
    """A new private BusConnection to ``address`` (from ``session_bus_address``)."""
    if not address:
        raise SessionBusError("no session bus (DBUS_SESSION_BUS_ADDRESS is unset)")
    try:
        return dbus.bus.BusConnection(address)
    except dbus.exceptions.DBusException as error:
        raise SessionBusError(f"no session bus: {dbus_message(error)}") from error


def close_bus(bus: Any, log: logging.Logger, name: str) -> None:  # noqa: ANN401 - dbus-python
    """Close ``bus`` if there is one; a failure is logged at debug level as ``name``'s."""
    if bus is None:
        return
    try:
        bus.close()
    except Exception as error:  # noqa: BLE001 - closing a broken connection may fail any way
        log.debug("%s: closing the bus connection: %s", name, error)


def dbus_message(error: Any) -> str:  # noqa: ANN401 - a dbus.exceptions.DBusException
    """The human part of a D-Bus error, else its repr."""
    text = error.get_dbus_message()
    return str(text) if text else str(error)
