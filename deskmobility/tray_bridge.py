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
from deskmobility.core.stats import summarize

if TYPE_CHECKING:
    from deskmobility.adapters.tray import Tray
    from deskmobility.app import App, Status

log = logging.getLogger(__name__)


class TrayBridge:
    """Implements the tray's TrayActions port on top of the App."""

    def __init__(self, app: App, config: Path, stop: threading.Event) -> None:
        self._app = app
        self._config = config
        self._stop = stop
        self.tray: Tray | None = None

    def start_micro_break(self) -> None:
        """Start a guided micro-break."""
        self._app.start_micro_break()

    def toggle_checklist_item(self, item_id: str) -> None:
        """Tick or untick one workspace item; remembered across restarts."""
        store = self._app.store
        store.set_checklist_item(item_id, item_id not in store.checklist())
        self._refresh()

    def reset_checklist(self) -> None:
        """Untick every item."""
        self._app.store.reset_checklist()
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
        """What the menu and icon show right now."""
        status = self._app.status()
        ticked = self._app.store.checklist()
        return TrayView(
            paused=status.paused_until is not None,
            next_line=self._app.next_line(),
            checklist=tuple(
                ChecklistEntry(item.id, item.label, item.target, item.id in ticked)
                for item in CHECKLIST
            ),
            break_progress=status.break_progress,
            held_reason=_held_line(status),
            today_line=self._today_line(),
            break_running=status.break_running,
        )

    def _today_line(self) -> str:
        now = self._app.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        [today] = summarize(self._app.store.history(since=midnight), now, days=1).days
        return f"Today: {today.breaks} break{'s' * (today.breaks != 1)}"

    def _refresh(self) -> None:
        if self.tray is not None:
            self.tray.refresh()


def _held_line(status: Status) -> str | None:
    """Why reminders are not arriving right now, if they are not."""
    if status.held:
        return f"Held: {status.held}"
    if status.away:
        return "Away: reminders wait until you are back"
    if status.config_problem:
        return "Config has errors: see the log"
    return None
