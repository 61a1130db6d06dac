"""What the tray's menu items do: the App's commands, plus the checklist and the config file."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from deskmobility.adapters.files import atomic_write, example_config
from deskmobility.adapters.system_open import open_with_system
from deskmobility.adapters.tray import ChecklistEntry, TrayView
from deskmobility.core.checklist import CHECKLIST
from deskmobility.core.status import held_line, next_line, today_line

if TYPE_CHECKING:
    from deskmobility.adapters.history import HistoryWriter
    from deskmobility.adapters.tray import Tray
    from deskmobility.app import App

log = logging.getLogger(__name__)


class TrayBridge:
    """Implements the tray's TrayActions port on top of the App."""

    def __init__(
        self, app: App, checklist: HistoryWriter, config: Path, stop: threading.Event
    ) -> None:
        self._app = app
        self._checklist = checklist
        self._config = config
        self._stop = stop
        self.tray: Tray | None = None

    def start_micro_break(self) -> None:
        """Start a guided micro-break."""
        self._app.start_micro_break()

    def done(self) -> None:
        """Say the last reminder (or the micro-break under way) is done."""
        self._app.done()

    def later(self) -> None:
        """Put the last reminder off by the configured snooze."""
        self._app.later()

    def toggle_checklist_item(self, item_id: str) -> None:
        """Tick or untick one workspace item; remembered across restarts."""
        ticked = self._checklist.checklist()
        self._checklist.set_checklist_item(item_id, item_id not in ticked)
        self._refresh()

    def reset_checklist(self) -> None:
        """Untick every item."""
        self._checklist.reset_checklist()
        self._refresh()

    def pause_for(self, span: timedelta) -> None:
        """Hold reminders for a while."""
        self._app.pause_for(span)

    def pause_until_tomorrow(self) -> None:
        """Hold reminders until midnight."""
        self._app.pause_until_tomorrow()

    def resume(self) -> None:
        """End a pause."""
        self._app.resume()

    def open_config(self) -> None:
        """Open the config file, creating it from the commented example if there is none."""
        if not self._config.exists():
            atomic_write(self._config, example_config())
            log.info("created %s from the example", self._config)

        def failed(reason: str) -> None:
            self._app.tell_once(
                "Cannot open the config file",
                f"Open {self._config} in a text editor yourself ({reason}).",
            )

        try:
            open_with_system(self._config, on_failure=failed)
        except OSError as error:
            failed(error.strerror or str(error))

    def quit(self) -> None:
        """End the app."""
        self._stop.set()
        if self.tray is not None:
            self.tray.stop()

    def tray_view(self) -> TrayView:
        """What the menu and icon show right now (from memory: no file or bus is read)."""
        status = self._app.status()
        ticked = self._checklist.checklist()
        return TrayView(
            paused=status.paused_until is not None,
            next_line=next_line(status),
            checklist=tuple(
                ChecklistEntry(item.id, item.label, item.target, item.id in ticked)
                for item in CHECKLIST
            ),
            break_progress=status.break_progress,
            held_reason=held_line(status),
            today_line=today_line(status),
            break_running=status.break_running,
            waiting=status.waiting,
        )

    def _refresh(self) -> None:
        if self.tray is not None:
            self.tray.refresh()
