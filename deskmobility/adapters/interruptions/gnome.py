"""GNOME's do-not-disturb: the ``show-banners`` key of ``org.gnome.desktop.notifications``.

GNOME Shell's "Do Not Disturb" switch (in the message tray) sets ``show-banners`` to false;
GNOME Shell serves no freedesktop ``Inhibited`` property (its org.freedesktop.Notifications
interface XML has none), so this key is the only way to read it. It is read through
Gio.Settings (PyGObject), and only when the schema is installed: ``Gio.Settings.new()`` on
a missing schema aborts the whole process, so the schema is looked up first.

A GSettings value read with the "memory" backend (GLib's fallback when dconf is missing)
is only the schema default, never the user's choice, so the probe refuses that backend.
Reads go through dconf's shared-memory invalidation, so a change made in the Shell is seen
by the next read without a GLib main loop running in this process.

The selector tries this check only in GNOME sessions: other desktops may have the schema
installed with a value left over from an old GNOME login, which nothing there would ever
show or change.
"""

from __future__ import annotations

import logging
from typing import Any

from deskmobility.adapters.interruptions._base import DO_NOT_DISTURB, CheckError

log = logging.getLogger("deskmobility.interruptions")

SCHEMA = "org.gnome.desktop.notifications"
KEY = "show-banners"
PYGOBJECT_HELP = "pip install 'deskmobility[linux]' (or the python3-gi package)"
_MEMORY_BACKEND = "GMemorySettingsBackend"


class GnomeBannersCheck:
    """Holds reminders while GNOME's notification banners are off (do not disturb)."""

    name = "gnome"

    def __init__(self) -> None:
        self._settings: Any = None

    def held_reason(self) -> str | None:
        """See InterruptionCheck.held_reason."""
        try:
            banners = self._read()
        except CheckError as error:
            log.debug("gnome: cannot tell: %s", error)
            return None
        except Exception:  # the contract is "never raises": a bug here must not stop reminders
            log.debug("gnome: reading %s %s crashed", SCHEMA, KEY, exc_info=True)
            return None
        return None if banners else DO_NOT_DISTURB

    def probe(self) -> str | None:
        """See ProbedCheck.probe."""
        try:
            self._read()
        except CheckError as error:
            self.close()
            return str(error)
        return None

    def close(self) -> None:
        """Forget the settings object (nothing is held open)."""
        self._settings = None

    def _read(self) -> bool:
        settings = self._open()
        return bool(settings.get_boolean(KEY))

    def _open(self) -> Any:  # noqa: ANN401 - PyGObject objects are untyped here
        if self._settings is not None:
            return self._settings
        gio = _import_gio()
        source = gio.SettingsSchemaSource.get_default()
        schema = source.lookup(SCHEMA, True) if source is not None else None  # noqa: FBT003 - GI's positional "recursive"
        if schema is None:
            raise CheckError(f"the {SCHEMA} schema is not installed (gsettings-desktop-schemas)")
        if not schema.has_key(KEY):
            raise CheckError(f"the installed {SCHEMA} schema has no {KEY} key")
        backend = gio.SettingsBackend.get_default()
        if backend.__gtype__.name == _MEMORY_BACKEND:
            raise CheckError(
                "GSettings uses its memory backend here (no dconf), so show-banners would "
                "only ever read as its default"
            )
        self._settings = gio.Settings.new_full(schema, None, None)
        return self._settings


def _import_gio() -> Any:  # noqa: ANN401 - PyGObject ships no types
    try:
        import gi  # noqa: PLC0415 - only when the GNOME check is tried

        gi.require_version("Gio", "2.0")
        from gi.repository import Gio  # noqa: PLC0415
    except (ImportError, ValueError) as error:
        raise CheckError(f"PyGObject (Gio 2.0) is missing: {PYGOBJECT_HELP}") from error
    return Gio
