"""The composition root's parts list: each adapter built, selected and wired to the App.

``launch.py`` runs the sequence (lock, logging, signals, tray, quit); this module builds
what it runs. Every backend comes from its ``select_*`` (one shape: chosen, why, passed
over) and is logged once.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from deskmobility.adapters.files import HISTORY_NAME, Paths, asset_path, load_config
from deskmobility.core.config import ConfigError, Settings
from deskmobility.core.state import AppState
from deskmobility.start_files import open_store, read_settings, remember_good, state_dir_problem

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


def build_app(
    paths: Paths, config: Path
) -> tuple[App, HistoryWriter, Outbox, list[Callable[[], None]]]:
    """Build the App and its adapters and start its timers.

    Returns the App, the history (the tray's checklist lives there), the outbox (its
    answers are wired once the tray is known) and what to close.
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
    chosen = select_clock_watch()
    clock_watch = chosen.backend
    log.info("clock changes: %s", chosen.reason)
    timer.start()
    app.start()
    closers = [watcher.stop, timer.shutdown, outbox.close, history.close]
    if clock_watch is not None:
        clock_watch.start(app.clock_changed)
        closers.insert(0, clock_watch.close)
    if idle is not None:
        closers.insert(0, idle.close)
    return app, history, outbox, closers


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

    dnd = select_interruption_checks(dnd=True, fullscreen=False)
    fullscreen = select_interruption_checks(dnd=False, fullscreen=True)
    found = ", ".join(check.name for check in [*dnd.backend, *fullscreen.backend]) or "none"
    log.info("holding reminders for: %s", found)
    for passed in [*dnd.passed_over, *fullscreen.passed_over]:
        if not passed.turned_off:
            log.info("not available: %s", passed.line())
    return dnd.backend, fullscreen.backend


def _idle_watch() -> IdleWatch | None:
    from deskmobility.adapters.idle import select_idle_watch  # noqa: PLC0415

    chosen = select_idle_watch()
    if not chosen.available:
        log.warning("running without idle awareness: %s", chosen.reason)
        return None
    log.info("idle time: %s", chosen.reason)
    return chosen.backend


def _make_outbox() -> Outbox:
    """Pick the notifier; when it fails, say why in the log once per distinct reason."""
    from deskmobility.adapters.notify import select_notifier  # noqa: PLC0415
    from deskmobility.adapters.notify.outbox import Outbox  # noqa: PLC0415

    chosen = select_notifier(asset_path("deskmobility-64.png"))
    log.info("notifications: %s (%s)", chosen.name, chosen.reason)
    once: set[str] = set()

    def notify_failed(reason: str) -> None:
        if reason not in once:
            once.add(reason)
            log.warning("notification not shown: %s", reason)

    if not chosen.available:
        notify_failed(chosen.why)
    return Outbox(chosen.backend, notify_failed)


def start_glib_loop() -> Callable[[], None] | None:
    """Iterate GLib's default main context on a thread of ours; return what stops it.

    D-Bus signals (a notification's answers, Mutter's idle watches) arrive there. GTK's main
    loop iterates it under the gtk and appindicator trays; with no tray, the xorg tray, or a
    tray that died, nothing would. None where there is no GLib (Windows, macOS, no PyGObject).
    """
    if not sys.platform.startswith("linux"):
        return None
    from deskmobility.adapters._session_bus import SessionBusError  # noqa: PLC0415
    from deskmobility.adapters.glib_loop import GLibLoop  # noqa: PLC0415

    loop = GLibLoop()
    try:
        loop.start()
    except SessionBusError as error:
        log.info("no GLib main loop (%s): D-Bus signals will not arrive", error)
        return None
    log.info("GLib main loop running on its own thread (no GTK loop runs it)")
    return loop.stop


def listen_for_answers(app: App, outbox: Outbox) -> bool:
    """Route the person's answers on notifications to the App; say whether there are any.

    The answers are D-Bus signals: GLib's default main context must be iterated, by GTK's
    loop or by ``start_glib_loop``.
    """
    from deskmobility.adapters.notify import NotifyError  # noqa: PLC0415

    interactive = outbox.interactive
    if interactive is None:
        log.info(
            "notifications: %s takes no answers; Done and Later are in the tray menu and "
            "`deskmobility done` / `deskmobility later`", outbox.notifier.name,
        )  # fmt: skip
        return False
    try:
        actions = interactive.server().has_actions
    except NotifyError as error:
        log.info("notifications: cannot ask the server what it offers yet: %s", error)
        actions = False
    if not actions:
        log.info(
            "notifications: the server shows no buttons; Done and Later are in the tray menu "
            "and `deskmobility done` / `deskmobility later`"
        )
    outbox.listen(app.act, app.closed)
    return actions


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


def make_tray(
    app: App, history: HistoryWriter, config: Path, stop: threading.Event
) -> tuple[Tray | None, bool]:
    """The tray icon (None: none on this desktop), and whether its loop runs GLib's."""
    from deskmobility.adapters.tray import Tray, select_tray_backend  # noqa: PLC0415
    from deskmobility.tray_bridge import TrayBridge  # noqa: PLC0415

    backend = select_tray_backend()
    log.info("tray: %s (%s)", backend.name, backend.reason)
    if not backend.available:
        return None, False
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
        return None, False
    bridge.tray = tray
    app.on_change.append(tray.refresh)
    return tray, backend.runs_glib_loop
