"""The files read at start-up: the settings (with the last good copy), and the history.

Each says what went wrong in a message for the person, and never stops the app.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from deskmobility.adapters.files import HISTORY_NAME, atomic_write, load_config, read_config_bytes
from deskmobility.core.config import ConfigError, Settings, parse_settings_bytes

if TYPE_CHECKING:
    from deskmobility.adapters.store import Store

log = logging.getLogger("deskmobility")

LAST_GOOD = "last-good-config.toml"


def read_settings(config: Path, state_dir: Path) -> tuple[Settings, ConfigError | None]:
    """The settings to start with: the config file, else the last good copy, else defaults."""
    try:
        settings = load_config(config)
    except ConfigError as error:
        last_good = state_dir / LAST_GOOD
        try:
            return parse_settings_bytes(last_good.read_bytes(), str(last_good)), error
        except (OSError, ConfigError):
            return Settings(), error
    if settings is None:
        log.info("no config file at %s; using the built-in defaults", config)
        return Settings(), None
    remember_good(config, state_dir)
    return settings, None


def remember_good(config: Path, state_dir: Path) -> None:
    """Keep a copy of a config that validated, to fall back on if a later edit breaks it."""
    try:
        data = read_config_bytes(config)
        if data is None:
            return
        copy = state_dir / LAST_GOOD
        if not copy.exists() or copy.read_bytes() != data:
            atomic_write(copy, data)
    except (OSError, ConfigError) as error:
        log.warning("could not keep a copy of the last good config: %s", error)


def open_store(data_dir: Path) -> tuple[Store | None, str | None]:
    """Open the history; None while another program holds it locked (the writer retries).

    If its folder cannot be written, keep going with a temporary one and say where.
    """
    from deskmobility.adapters.store import Store, StoreBusyError, StoreError  # noqa: PLC0415

    try:
        return Store.open(data_dir / HISTORY_NAME)
    except StoreBusyError as error:
        log.warning("%s; history is kept in memory and written once it is free", error)
        return None, None
    except StoreError as error:
        fallback = Path(tempfile.mkdtemp(prefix="deskmobility-")) / "history.sqlite3"
        store, _ = Store.open(fallback)
        return store, f"{error}. History is kept in {fallback} until this is fixed."


def state_dir_problem(state_dir: Path) -> str | None:
    """Say so when the state folder cannot be written: no log file, no last-good config.

    Both failures are only logged where they happen, and with no log file that is stderr,
    which nobody reads when the app starts at login.
    """
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
    else:
        if os.access(state_dir, os.W_OK):
            return None
        reason = "it is read-only"
    return (
        f"Cannot write to {state_dir} ({reason}): deskmobility keeps no log file and no copy "
        "of your last good config there, so a broken config edit would fall back to the "
        "defaults at the next start. Reminders go on."
    )
