"""The app side of the control channel: each command becomes a call on the App."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from deskmobility.core.commands import check_request
from deskmobility.core.status import next_line, status_lines

if TYPE_CHECKING:
    from deskmobility.app import App
    from deskmobility.core.status import Status

log = logging.getLogger(__name__)


class Checklist(Protocol):
    """The running app's checklist ticks (adapters/history.py keeps them)."""

    def checklist(self) -> frozenset[str]:
        """The ticked item ids."""
        ...

    def set_checklist_item(self, item_id: str, checked: bool) -> None:
        """Tick or untick one item."""
        ...

    def reset_checklist(self) -> None:
        """Untick every item."""
        ...


class AppControlHandler:
    """A ``ControlHandler`` (adapters/control.py) carried out with the App's public methods.

    ``quit`` must not block: it asks the app to stop (the launcher then closes the server,
    which first finishes answering this request).
    """

    def __init__(
        self,
        app: App,
        quit: Callable[[], None],  # noqa: A002  # the command's name
        checklist: Checklist | None = None,
    ) -> None:
        self._app = app
        self._quit = quit
        self._checklist = checklist

    def handle(self, request: Mapping[str, object]) -> dict[str, object]:
        """Carry out one request (checked against core/commands.py) and say what happened."""
        problem = check_request(request)
        if problem is not None:
            return {"ok": False, "message": problem}
        actions: dict[str, Callable[[Mapping[str, object]], dict[str, object]]] = {
            "status": self._status,
            "break": self._break,
            "pause": self._pause,
            "resume": self._resume,
            "done": self._done,
            "later": self._later,
            "quit": self._quit_app,
            "checklist": self._change_checklist,
        }
        action = actions.get(str(request["command"]))
        if action is None:  # ping: the server answers it before any handler
            return {"ok": False, "message": f"{request['command']} is not for the app"}
        return action(request)

    def _change_checklist(self, request: Mapping[str, object]) -> dict[str, object]:
        if self._checklist is None:
            return {"ok": False, "message": "this deskmobility keeps no checklist"}
        action, _, item = str(request["change"]).partition(":")
        if action == "reset":
            self._checklist.reset_checklist()
        elif action in ("tick", "untick"):
            self._checklist.set_checklist_item(item, checked=action == "tick")
        if action != "show":
            for listener in list(self._app.on_change):  # the tray redraws its menu
                try:
                    listener()
                except Exception:
                    log.exception("redrawing after a checklist change failed")
        ticked = sorted(self._checklist.checklist())
        return {"ok": True, "message": f"{len(ticked)} ticked", "ticked": ticked}

    def _break(self, _request: Mapping[str, object]) -> dict[str, object]:
        return {"ok": True, "message": self._app.start_micro_break()}

    def _done(self, _request: Mapping[str, object]) -> dict[str, object]:
        return {"ok": True, "message": self._app.done()}

    def _later(self, request: Mapping[str, object]) -> dict[str, object]:
        seconds = request.get("later_seconds")
        span = timedelta(seconds=seconds) if isinstance(seconds, int) else None
        return {"ok": True, "message": self._app.later(span)}

    def _pause(self, request: Mapping[str, object]) -> dict[str, object]:
        seconds = request["duration_seconds"]
        assert isinstance(seconds, int)  # noqa: S101  # check_request said so
        self._app.pause_for(timedelta(seconds=seconds))
        return {"ok": True, "message": self._app.next_line()}

    def _resume(self, _request: Mapping[str, object]) -> dict[str, object]:
        if self._app.status().paused_until is None:
            return {"ok": True, "message": f"Not paused. {self._app.next_line()}"}
        self._app.resume()
        return {"ok": True, "message": f"Resumed. {self._app.next_line()}"}

    def _quit_app(self, _request: Mapping[str, object]) -> dict[str, object]:
        self._quit()
        return {"ok": True, "message": "deskmobility is quitting"}

    def _status(self, _request: Mapping[str, object]) -> dict[str, object]:
        status: Status = self._app.status()
        paused = status.paused_until
        return {
            "ok": True,
            "paused": paused is not None,
            "paused_until": paused.isoformat(timespec="seconds") if paused else None,
            "next_due": {
                kind.value: due.isoformat(timespec="seconds")
                for kind, due in status.next_due  # soonest first
            },
            "break_running": status.break_running,
            "config_problem": status.config_problem,
            "away": status.away,
            "held": status.held,
            "message": next_line(status),
            "lines": status_lines(status),
        }
