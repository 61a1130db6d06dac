"""The composition root: build the adapters, wire them to the App, run until quit."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import sys
import tempfile
import threading
from datetime import datetime
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
from deskmobility.core.state import AppState

if TYPE_CHECKING:
    from collections.abc import Callable

    from deskmobility.adapters.config_watch import ConfigWatcher
    from deskmobility.adapters.history import HistoryWriter
    from deskmobility.adapters.interruptions import InterruptionCheck
    from deskmobility.adapters.notify.outbox import Outbox
    from deskmobility.adapters.store import Store
    from deskmobility.adapters.tray import Tray
    from deskmobility.app import App
    from deskmobility.ports import IdleWatch

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
    _handle_quit_signals(on_signal)
    app, history, closers = _build_app(paths, config)
    notifications_take_actions = False  # until the notifier says so (issue 10)
    from deskmobility.control_handler import AppControlHandler  # noqa: PLC0415

    server.start(AppControlHandler(app, quit=quit_app, checklist=history))
    try:
        if not no_tray and not stop.is_set():
            tray = _make_tray(app, history, config, stop)
        app.desktop_known(tray=tray is not None, actions=notifications_take_actions)
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


def _handle_quit_signals(handler: Callable[[int, FrameType | None], None]) -> None:
    """SIGINT, SIGTERM and SIGHUP all quit cleanly.

    SIGHUP comes when the terminal that started the app closes. It does not mean "reload":
    config edits are watched and applied as they are saved.
    """
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if (signum := getattr(signal, name, None)) is not None:
            signal.signal(signum, handler)


def _build_app(paths: Paths, config: Path) -> tuple[App, HistoryWriter, list[Callable[[], None]]]:
    """Build the App and its adapters and start its timers.

    Returns the App, the history (the tray's checklist lives there) and what to close.
    """
    from deskmobility.adapters.clock_watch import select_clock_watch  # noqa: PLC0415
    from deskmobility.adapters.history import HistoryWriter  # noqa: PLC0415
    from deskmobility.adapters.timer import Timer  # noqa: PLC0415
    from deskmobility.app import App  # noqa: PLC0415
    from deskmobility.core.clock import SystemClock  # noqa: PLC0415

    settings, config_error = read_settings(config, paths.state_dir)
    store, store_message = open_store(paths.data_dir)
    clock = SystemClock()
    # A temporary history (the real one cannot be written) cannot say whether this is the
    # first start: no welcome then, rather than one on every start until it is fixed.
    state = _first_state(settings, store, clock.now(), may_welcome=store_message is None)

    def tell(title: str, body: str) -> None:
        # The writer tells of trouble only after a write, and writes come only from the App.
        app.tell_once(title, body)

    history = HistoryWriter(paths.data_dir / HISTORY_NAME, tell, store)
    outbox = _make_outbox()
    timer = Timer()
    dnd, fullscreen = _interruption_checks()
    idle = _idle_watch()
    app = App(
        state=state,
        clock=clock,
        outbox=outbox,
        timer=timer,
        history=history,
        idle=idle,
        holds=_Holds(dnd, fullscreen, lambda: app.settings) if dnd or fullscreen else None,
    )
    if store_message:
        app.tell_once("History", store_message)
    if state_message := state_dir_problem(paths.state_dir):
        app.tell_once("Settings backup", state_message)
    if config_error is not None:
        app.config_rejected(config_error)
    watcher = _watch_config(app, config, paths.state_dir)
    clock_watch, why = select_clock_watch()
    log.info("clock changes: %s", why)
    timer.start()
    app.start()
    closers = [watcher.stop, timer.shutdown, outbox.close, history.close]
    if clock_watch is not None:
        clock_watch.start(app.clock_changed)
        closers.insert(0, clock_watch.close)
    if idle is not None:
        closers.insert(0, idle.close)
    return app, history, closers


def _first_state(
    settings: Settings, store: Store | None, now: datetime, *, may_welcome: bool
) -> AppState:
    """The state to start from: the saved pause, recent exercises and today's tally."""
    from deskmobility.adapters.store import StoreError  # noqa: PLC0415
    from deskmobility.core.history import HistoryKind  # noqa: PLC0415
    from deskmobility.core.kinds import ReminderKind  # noqa: PLC0415

    if store is None:
        return AppState.begin(settings, now)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return AppState.begin(
            settings,
            now,
            paused_until=store.paused_until(),
            recent={kind: store.recent_exercises(kind.value) for kind in ReminderKind},
            today=store.history(since=midnight),
            first_run=may_welcome and not store.has_event(HistoryKind.WELCOME),
        )
    except StoreError as error:  # locked since it opened: start afresh, lose nothing stored
        log.warning("%s; starting without the saved pause and recent exercises", error)
        return AppState.begin(settings, now)


class _Holds:
    """The HoldCheck port over the do-not-disturb and fullscreen checks the config allows."""

    def __init__(
        self,
        dnd: list[InterruptionCheck],
        fullscreen: list[InterruptionCheck],
        settings: Callable[[], Settings],
    ) -> None:
        self._dnd = dnd
        self._fullscreen = fullscreen
        self._settings = settings

    def held(self) -> str | None:
        """Why reminders wait now: do-not-disturb first, then a fullscreen window."""
        from deskmobility.adapters.interruptions import held_reason  # noqa: PLC0415

        current = self._settings()
        held = held_reason(self._dnd) if current.hold_during_do_not_disturb else None
        return held or (held_reason(self._fullscreen) if current.hold_during_fullscreen else None)


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


def _idle_watch() -> IdleWatch | None:
    from deskmobility.adapters.idle import select_idle_monitor  # noqa: PLC0415
    from deskmobility.adapters.idle.poll import PollingIdleWatch  # noqa: PLC0415

    idle, why = select_idle_monitor()
    if not idle.REPORTS_IDLE:
        log.warning("running without idle awareness: %s", why)
        return None
    watch = PollingIdleWatch(idle)
    log.info("idle time: %s; %s", why, watch.mode)
    return watch


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


def _make_tray(
    app: App, history: HistoryWriter, config: Path, stop: threading.Event
) -> Tray | None:
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
    bridge = TrayBridge(app, history, config, stop)
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
