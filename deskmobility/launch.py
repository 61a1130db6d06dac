"""The composition root's run: one instance, logging, signals, the tray, until quit.

The adapters are built in ``assemble.py``; the files read at start in ``start_files.py``.
"""

from __future__ import annotations

import logging
import logging.handlers
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from deskmobility.adapters.files import Paths

if TYPE_CHECKING:
    from collections.abc import Callable

    from deskmobility.adapters.control import ControlServer
    from deskmobility.adapters.history import HistoryWriter
    from deskmobility.adapters.notify.outbox import Outbox
    from deskmobility.adapters.tray import Tray
    from deskmobility.app import App

log = logging.getLogger("deskmobility")


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


def launch(config: Path | None, no_tray: bool) -> int:
    """Run the reminder service until quit or a signal; return the exit status."""
    from deskmobility.assemble import build_app  # noqa: PLC0415

    paths = Paths.for_user()
    config = config or paths.config_file
    server = _claim(paths)
    if isinstance(server, int):
        return server
    paths.make_private()
    setup_logging(paths.log_dir)
    log.info("deskmobility starting; config %s", config)

    stop = threading.Event()
    shown: list[Tray] = []  # the tray, once there is one

    def quit_app() -> None:
        stop.set()
        for tray in shown:
            tray.stop()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; quitting", signal.Signals(signum).name)
        quit_app()

    # Before anything slow: a SIGTERM during start-up still ends the app cleanly.
    _handle_quit_signals(on_signal)
    parts = build_app(paths, config)
    app, history, _, closers = parts
    from deskmobility.control_handler import AppControlHandler  # noqa: PLC0415

    server.start(AppControlHandler(app, quit=quit_app, checklist=history))
    try:
        _run_until_quit(parts, (config, no_tray, stop), shown)
    finally:
        server.close()
        for close in closers:
            close()
        log.info("deskmobility stopped")
    return 0


def _run_until_quit(
    parts: tuple[App, HistoryWriter, Outbox, list[Callable[[], None]]],
    run: tuple[Path, bool, threading.Event],
    shown: list[Tray],
) -> None:
    """Show the tray (if any and wanted) and serve until ``stop``; GLib's loop always runs."""
    from deskmobility.assemble import listen_for_answers, make_tray, start_glib_loop  # noqa: PLC0415

    app, history, outbox, closers = parts
    config, no_tray, stop = run
    glib_loop_runs = False
    if not no_tray and not stop.is_set():
        tray, glib_loop_runs = make_tray(app, history, config, stop)
        shown.extend([tray] if tray is not None else [])
    if not glib_loop_runs:
        _also_close(closers, start_glib_loop())
    app.desktop_known(tray=bool(shown), actions=listen_for_answers(app, outbox))
    for tray in shown:
        if not stop.is_set():
            _run_tray(tray, app)
    if not stop.is_set():
        log.info("running without a tray; reminders continue")
        if glib_loop_runs:  # the tray's GTK loop ran GLib's; now nothing would
            _also_close(closers, start_glib_loop())
        stop.wait()


def _also_close(closers: list[Callable[[], None]], close: Callable[[], None] | None) -> None:
    """Close ``close`` first at the end, when there is one."""
    if close is not None:
        closers.insert(0, close)


def _claim(paths: Paths) -> ControlServer | int:
    """Claim the user's one instance: the control server, or the exit status to leave with.

    Claimed first: before any thread starts (it sets the umask briefly) and before a
    second copy would log or touch anything.
    """
    from deskmobility.adapters.control import (  # noqa: PLC0415
        LOCK_NAME,
        AlreadyRunning,
        ControlError,
        ControlServer,
        key_file_for,
    )

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
    return server


def _handle_quit_signals(handler: Callable[[int, FrameType | None], None]) -> None:
    """SIGINT, SIGTERM and SIGHUP all quit cleanly.

    SIGHUP comes when the terminal that started the app closes. It does not mean "reload":
    config edits are watched and applied as they are saved.
    """
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if (signum := getattr(signal, name, None)) is not None:
            signal.signal(signum, handler)


def _run_tray(tray: Tray, app: App) -> None:
    try:
        tray.run(on_ready=lambda: log.info("tray icon is up"))
    except Exception:
        log.exception("the tray stopped unexpectedly; reminders continue without it")
    finally:
        if tray.refresh in app.on_change:
            app.on_change.remove(tray.refresh)
