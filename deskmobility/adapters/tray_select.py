"""Which pystray backend the tray uses on this desktop, and why; the probes behind the choice.

:func:`select_tray_backend` takes the platform and environment as arguments and the Linux
desktop checks as injectable :class:`LinuxProbes`, so tests can pass any combination.
Nothing is probed or chosen at import time: PyGObject and libxcb are loaded only inside
the probes.

Precedence: ``PYSTRAY_BACKEND`` (any pystray backend name), then the platform (win32,
darwin); on freedesktop desktops a StatusNotifierItem host (appindicator), then a GTK
status icon in an XEmbed tray on X11, then pystray's menu-less xorg backend; "none" when
there is no display, or on Wayland without a StatusNotifierItem host.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from deskmobility.adapters._session_bus import (
    BusCallError,
    SessionBusError,
    close_bus,
    connect,
    get_property,
    name_has_owner,
    session_bus_address,
)
from deskmobility.adapters.selection import PassedOver, Selection

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "NO_GTK",
    "NO_MENU_HINT",
    "BackendName",
    "LinuxProbes",
    "TrayBackend",
    "select_tray_backend",
]

BackendName = Literal["appindicator", "gtk", "xorg", "win32", "darwin", "none"]

# (has_menu, has_default_action), mirroring each pystray backend's HAS_MENU and
# HAS_DEFAULT_ACTION class attributes (darwin: a click opens the menu).
_CAPABILITIES: dict[BackendName, tuple[bool, bool]] = {
    "appindicator": (True, False),
    "gtk": (True, True),
    "xorg": (False, True),
    "win32": (True, True),
    "darwin": (True, False),
    "none": (False, False),
}
_FORCEABLE: dict[str, BackendName] = {name: name for name in _CAPABILITIES if name != "none"}
NO_MENU_HINT = "no menu: install PyGObject (python3-gi) for the full menu"
NO_GTK = "GTK 3 for Python (python3-gi, gir1.2-gtk-3.0) is not installed"
_WATCHER = "org.kde.StatusNotifierWatcher"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrayBackend(Selection[BackendName]):
    """The pystray backend chosen, why, what was passed over, and what it can do.

    The shared selection shape (``backend`` and ``name`` are the backend's name), with the
    tray's capabilities added.
    """

    has_menu: bool = False
    has_default_action: bool = False

    @property
    def runs_glib_loop(self) -> bool:
        """Whether the tray's own loop iterates GLib's default main context (GTK's main).

        When False (no tray, xorg, win32, darwin), D-Bus signals on Linux need
        ``glib_loop.GLibLoop`` started by the launcher.
        """
        return self.name in {"gtk", "appindicator"}

    @classmethod
    def named(
        cls, name: BackendName, why: str, passed_over: Sequence[PassedOver] = ()
    ) -> TrayBackend:
        """Build the descriptor for ``name`` with its known capabilities."""
        has_menu, has_default_action = _CAPABILITIES[name]
        return cls(
            name, name, why, tuple(passed_over), available=name != "none",
            has_menu=has_menu, has_default_action=has_default_action,
        )  # fmt: skip


@dataclass(frozen=True)
class LinuxProbes:
    """The desktop checks behind the Linux choice; each returns None or why not. Tests inject.

    ``gtk`` starts its reason with :data:`NO_GTK` when the bindings are missing, so the
    fallback can tell users what to install.
    """

    status_notifier_host: Callable[[Mapping[str, str]], str | None]
    appindicator: Callable[[], str | None]
    gtk: Callable[[], str | None]
    xembed_tray: Callable[[Mapping[str, str]], str | None]  # informational only


def select_tray_backend(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    *,
    probes: LinuxProbes | None = None,
) -> TrayBackend:
    """Choose the tray backend for this desktop: what, why, and what was passed over."""
    passed: list[PassedOver] = []
    forced = env.get("PYSTRAY_BACKEND", "").strip()
    if forced in _FORCEABLE:
        hint = f"; {NO_MENU_HINT}" if forced == "xorg" else ""
        return TrayBackend.named(_FORCEABLE[forced], f"PYSTRAY_BACKEND={forced} is set{hint}")
    if forced:
        passed.append(PassedOver(forced, "PYSTRAY_BACKEND names no pystray backend; ignored"))
    if platform == "win32":
        return TrayBackend.named("win32", "Windows notification area", passed)
    if platform == "darwin":
        return TrayBackend.named("darwin", "macOS menu bar", passed)
    return _select_freedesktop(env, probes or _REAL_PROBES, passed)


def _select_freedesktop(
    env: Mapping[str, str], probes: LinuxProbes, passed: list[PassedOver]
) -> TrayBackend:
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not x11 and not wayland:
        reason = "no display (DISPLAY and WAYLAND_DISPLAY are unset): reminders run without a tray"
        return TrayBackend.named("none", reason, passed)
    why_not = probes.status_notifier_host(env) or probes.appindicator()
    if why_not is None:
        reason = "a StatusNotifierItem host is registered on the session bus"
        return TrayBackend.named("appindicator", reason, passed)
    passed.append(PassedOver("appindicator", why_not))
    if not x11:
        reason = "Wayland without a StatusNotifierItem host (tray): nothing can show the icon"
        return TrayBackend.named("none", reason, passed)
    why_not = probes.gtk()
    if why_not is None:
        note = probes.xembed_tray(env)
        reason = "GTK status icon (XEmbed tray)" + (f"; {note}" if note else "")
        return TrayBackend.named("gtk", reason, passed)
    passed.append(PassedOver("gtk", why_not))
    reason = NO_MENU_HINT if why_not.startswith(NO_GTK) else "no menu: GTK 3 did not start"
    return TrayBackend.named("xorg", reason, passed)


def _prepare_gtk_env() -> None:
    """Keep GTK from loading Mesa (about 43 MB): a tray icon never draws with GL."""
    os.environ.setdefault("GDK_GL", "disable")


def _probe_status_notifier_host(env: Mapping[str, str]) -> str | None:
    try:
        bus = connect(session_bus_address(env))
    except SessionBusError as error:
        return str(error)
    try:
        if not name_has_owner(bus, _WATCHER, 1.0):
            return f"no StatusNotifierItem watcher on the session bus ({_WATCHER} has no owner)"
        target = (_WATCHER, "/StatusNotifierWatcher", _WATCHER, "IsStatusNotifierHostRegistered")
        if not get_property(bus, target, 1.0):
            return "a StatusNotifierItem watcher runs, but no tray host is registered with it"
    except BusCallError as error:
        return f"could not ask the session bus about StatusNotifierItem hosts: {error.message}"
    finally:
        close_bus(bus, log, "tray probe")
    return None


def _probe_appindicator() -> str | None:
    _prepare_gtk_env()
    try:
        import gi  # noqa: PLC0415

        gi.require_version("Gtk", "3.0")
    except (ImportError, ValueError) as error:
        return f"{NO_GTK} ({error})"
    errors = []
    for namespace in ("AppIndicator3", "AyatanaAppIndicator3"):  # pystray's order
        try:
            gi.require_version(namespace, "0.1")
            importlib.import_module(f"gi.repository.{namespace}")
        except (ImportError, ValueError) as error:
            errors.append(str(error))
        else:
            return None
    return "no AppIndicator typelib (install gir1.2-ayatanaappindicator3-0.1): " + "; ".join(errors)


def _probe_gtk() -> str | None:
    _prepare_gtk_env()
    try:
        import gi  # noqa: PLC0415

        gi.require_version("Gtk", "3.0")
        from gi.repository import Gtk  # noqa: PLC0415
    except (ImportError, ValueError) as error:
        return f"{NO_GTK} ({error})"
    if not Gtk.init_check()[0]:
        return "GTK 3 could not open the display"
    return None


def _probe_xembed_tray(env: Mapping[str, str]) -> str | None:
    """Say so when no XEmbed tray runs yet; GTK docks the icon whenever one starts."""
    from deskmobility.adapters._x11 import X11Error, XcbConnection  # noqa: PLC0415

    try:
        connection = XcbConnection(env.get("DISPLAY"))
        try:
            owner = connection.selection_owner(f"_NET_SYSTEM_TRAY_S{connection.screen}")
        finally:
            connection.close()
    except X11Error as error:  # informational only
        return f"could not look for an XEmbed tray ({error})"
    if owner:
        return None
    return "no XEmbed tray is running yet; the icon appears when one starts"


_REAL_PROBES = LinuxProbes(
    status_notifier_host=_probe_status_notifier_host,
    appindicator=_probe_appindicator,
    gtk=_probe_gtk,
    xembed_tray=_probe_xembed_tray,
)
