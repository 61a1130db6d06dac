"""The composition root: build the adapters, wire them to the App, run until quit."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from deskmobility.adapters.files import (
    HISTORY_NAME,
    Paths,
    asset_path,
    atomic_write,
    load_config,
    read_config_bytes,
)
from deskmobility.core.config import ConfigError, Settings, parse_settings_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    from deskmobility.adapters.config_watch import ConfigWatcher
    from deskmobility.adapters.idle import IdleMonitor
    from deskmobility.adapters.interruptions import InterruptionCheck
    from deskmobility.adapters.notify.outbox import Outbox
    from deskmobility.adapters.store import Store
    from deskmobility.adapters.tray import Tray
    from deskmobility.app import App

log = logging.getLogger("deskmobility")

LAST_GOOD = "last-good-config.toml"


def setup_logging(log_dir: Path, verbose: bool = False) -> None:
    """Log to stderr and to a small rotating file in the per-OS log folder."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(fmt)
    root.addHandler(stderr)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every job at INFO
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "deskmobility.log", maxBytes=512_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        log.warning("cannot write a log file in %s: %s", log_dir, error)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


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


def open_store(data_dir: Path) -> tuple[Store, str | None]:
    """Open the history; if its folder cannot be written, keep going with a temporary one."""
    from deskmobility.adapters.store import Store, StoreError  # noqa: PLC0415

    try:
        return Store.open(data_dir / HISTORY_NAME)
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


def launch(config: Path | None, no_tray: bool) -> int:
    """Run the reminder service until quit or a signal; return the exit status."""
    from deskmobility.adapters.control import (  # noqa: PLC0415
        LOCK_NAME,
        AlreadyRunning,
        ControlError,
        ControlServer,
        key_file_for,
    )

    paths = Paths.for_user()
    config = config or paths.config_file
    # Claim the single-instance lock first: before any thread starts (it sets the umask
    # briefly) and before a second copy would log or touch anything.
    try:
        server = ControlServer.claim(
            paths.runtime_dirs,
            key_file=key_file_for(paths.state_dir),
            lock_file=paths.state_dir / LOCK_NAME,
        )
    except ControlError as error:
        print(f"deskmobility: {error}", file=sys.stderr)  # noqa: T201
        return 1
    if isinstance(server, AlreadyRunning):
        print(server.message, file=sys.stderr)  # noqa: T201
        return 0
    paths.make_private()
    setup_logging(paths.log_dir)
    log.info("deskmobility starting; config %s", config)

    stop = threading.Event()
    tray: Tray | None = None

    def quit_app() -> None:
        stop.set()
        if tray is not None:
            tray.stop()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; quitting", signal.Signals(signum).name)
        quit_app()

    # Before anything slow: a SIGTERM during start-up still ends the app cleanly.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    app, closers = _build_app(paths, config)
    from deskmobility.control_handler import AppControlHandler  # noqa: PLC0415

    server.start(AppControlHandler(app, quit=quit_app))
    try:
        if not no_tray and not stop.is_set():
            tray = _make_tray(app, config, stop)
        if tray is not None and not stop.is_set():
            _run_tray(tray, app)
        if not stop.is_set():
            log.info("running without a tray; reminders continue")
            stop.wait()
    finally:
        server.close()
        for close in closers:
            close()
        log.info("deskmobility stopped")
    return 0


def _build_app(paths: Paths, config: Path) -> tuple[App, list[Callable[[], None]]]:
    """Build the App and its adapters and start its timers; return it and what to close."""
    from deskmobility.adapters.interruptions import held_reason  # noqa: PLC0415
    from deskmobility.adapters.timer import Timer  # noqa: PLC0415
    from deskmobility.app import App  # noqa: PLC0415
    from deskmobility.core.clock import SystemClock  # noqa: PLC0415

    settings, config_error = read_settings(config, paths.state_dir)
    store, store_message = open_store(paths.data_dir)
    outbox = _make_outbox()
    timer = Timer()
    dnd, fullscreen = _interruption_checks()

    def interruption() -> str | None:
        current = app.settings
        held = held_reason(dnd) if current.hold_during_do_not_disturb else None
        return held or (held_reason(fullscreen) if current.hold_during_fullscreen else None)

    app = App(
        settings=settings,
        clock=SystemClock(),
        outbox=outbox,
        timer=timer,
        store=store,
        idle=_idle_monitor(),
        interruption=interruption if dnd or fullscreen else None,
    )
    if store_message:
        app.tell_once("History", store_message)
    if state_message := state_dir_problem(paths.state_dir):
        app.tell_once("Settings backup", state_message)
    if config_error is not None:
        app.config_rejected(config_error)
    watcher = _watch_config(app, config, paths.state_dir)
    timer.start()
    app.start()
    return app, [watcher.stop, timer.shutdown, outbox.close, store.close]


def _interruption_checks() -> tuple[list[InterruptionCheck], list[InterruptionCheck]]:
    """The do-not-disturb checks and the fullscreen checks that work on this desktop.

    Both kinds are set up whatever the config says, so switching either opt-out in the
    config takes effect on reload.
    """
    from deskmobility.adapters.interruptions import select_interruption_checks  # noqa: PLC0415

    dnd, why_not = select_interruption_checks(dnd=True, fullscreen=False)
    fullscreen, why_not_fs = select_interruption_checks(dnd=False, fullscreen=True)
    found = ", ".join(check.name for check in [*dnd, *fullscreen]) or "none"
    log.info("holding reminders for: %s", found)
    for reason in [*why_not, *why_not_fs]:
        if "turned off" not in reason:
            log.info("not available: %s", reason)
    return dnd, fullscreen


def _idle_monitor() -> IdleMonitor | None:
    from deskmobility.adapters.idle import select_idle_monitor  # noqa: PLC0415

    idle, why = select_idle_monitor()
    if idle.REPORTS_IDLE:
        log.info("idle time: %s", why)
        return idle
    log.warning("running without idle awareness: %s", why)
    return None


def _make_outbox() -> Outbox:
    """Pick the notifier; when it fails, say why in the log once per distinct reason."""
    from deskmobility.adapters.notify import UnavailableNotifier, select_notifier  # noqa: PLC0415
    from deskmobility.adapters.notify.outbox import Outbox  # noqa: PLC0415

    notifier, why = select_notifier(asset_path("deskmobility-64.png"))
    log.info("notifications: %s (%s)", notifier.name, why)
    once: set[str] = set()

    def notify_failed(reason: str) -> None:
        if reason not in once:
            once.add(reason)
            log.warning("notification not shown: %s", reason)

    if isinstance(notifier, UnavailableNotifier):
        notify_failed(notifier.reason)
    return Outbox(notifier, notify_failed)


def _watch_config(app: App, config: Path, state_dir: Path) -> ConfigWatcher:
    from deskmobility.adapters.config_watch import ConfigWatcher  # noqa: PLC0415

    def reload() -> None:
        try:
            settings = load_config(config)
        except ConfigError as error:
            app.config_rejected(error)
            return
        log.info("config %s changed; applying it", config)
        app.apply_settings(settings or Settings())
        if settings is not None:
            remember_good(config, state_dir)

    watcher = ConfigWatcher(config, reload)
    watcher.start()
    log.info("watching %s for edits (%s)", config, watcher.method)
    return watcher


def _make_tray(app: App, config: Path, stop: threading.Event) -> Tray | None:
    from deskmobility.adapters.tray import Tray, select_tray_backend  # noqa: PLC0415
    from deskmobility.tray_bridge import TrayBridge  # noqa: PLC0415

    backend = select_tray_backend()
    log.info("tray: %s (%s)", backend.name, backend.reason)
    if backend.name == "none":
        return None
    if not backend.has_menu:
        app.tell_once(
            "No tray menu",
            f"This desktop's tray cannot show a menu ({backend.reason}). "
            "Clicking the icon still starts a micro-break; "
            "use `deskmobility --help` for the rest.",
        )
    bridge = TrayBridge(app, config, stop)
    try:
        tray = Tray(bridge, backend)
    except Exception:
        log.exception("could not create the tray icon; running without it")
        return None
    bridge.tray = tray
    app.on_change.append(tray.refresh)
    return tray


def _run_tray(tray: Tray, app: App) -> None:
    try:
        tray.run(on_ready=lambda: log.info("tray icon is up"))
    except Exception:
        log.exception("the tray stopped unexpectedly; reminders continue without it")
    finally:
        if tray.refresh in app.on_change:
            app.on_change.remove(tray.refresh)
