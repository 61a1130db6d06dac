"""Command-line verbs that drive the running app (break, pause, ...) and set up autostart.

cli.py adds them with ``add_control_commands(subparsers)`` and, when ``args`` carries a
``control_command``, returns ``run_control_command(args)``. Imports stay light: the
control channel and the autostart adapter load only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from deskmobility.core.commands import BY_NAME, CONTROL_COMMANDS

if TYPE_CHECKING:
    from deskmobility.adapters.autostart import AutostartStatus

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_NOT_RUNNING = 3


def add_control_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the control commands (core/commands.py's table) and autostart to ``subparsers``."""
    for command in CONTROL_COMMANDS:
        if not command.on_command_line:
            continue
        parser = subparsers.add_parser(command.name, help=command.help)
        parser.set_defaults(control_command=command.name)
        argument = command.argument
        if argument is not None:
            parser.add_argument(
                argument.name,
                nargs="?",
                default=argument.default,
                type=_argument_type(argument.parse),
                help=argument.help,
            )
        if command.name == "status":
            parser.add_argument("--json", action="store_true", help="print the reply as JSON")
    autostart = subparsers.add_parser("autostart", help="start deskmobility when you log in")
    autostart.add_argument("action", choices=("on", "off", "status"))
    autostart.set_defaults(control_command="autostart")


def _argument_type(parse: Callable[[str], object]) -> Callable[[str], object]:
    def parsed(text: str) -> object:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parsed


def run_control_command(args: argparse.Namespace) -> int:
    """Carry out the command ``add_control_commands`` parsed; return the exit status.

    0: done; 1: the app (or the OS) refused, the reason on stderr; 3: not running.
    """
    name: str = args.control_command
    if name == "autostart":
        return _autostart(args.action)
    # Not adapters.control: a client needs neither the server nor its logging.
    from deskmobility.adapters._control_client import key_file_for, send_command  # noqa: PLC0415
    from deskmobility.adapters._control_os import ControlError, NotRunning  # noqa: PLC0415
    from deskmobility.adapters.files import Paths  # noqa: PLC0415

    request: dict[str, object] = {"command": name}
    argument = BY_NAME[name].argument
    if argument is not None:
        request[argument.field] = getattr(args, argument.name)
    paths = Paths.for_user()
    try:
        reply = send_command(paths.runtime_dirs, request, key_file=key_file_for(paths.state_dir))
    except NotRunning as error:
        _err(str(error))
        return EXIT_NOT_RUNNING
    except ControlError as error:
        _err(f"deskmobility: {error}")
        return EXIT_REFUSED
    if name == "status" and args.json:
        _out(json.dumps(reply, indent=2, ensure_ascii=False))
        return EXIT_OK if reply["ok"] else EXIT_REFUSED
    if not reply["ok"]:
        _err(f"deskmobility: {reply['message']}")
        return EXIT_REFUSED
    lines = _status_lines(reply) if name == "status" else [str(reply["message"])]
    _out("\n".join(lines))
    return EXIT_OK


def _status_lines(reply: dict[str, object]) -> list[str]:
    """The app's own wording of its status (``core.status.status_lines``), and the times due."""
    lines = reply.get("lines")
    said = [str(line) for line in lines] if isinstance(lines, list) else [str(reply["message"])]
    due = reply.get("next_due")
    if isinstance(due, dict) and due:
        said.insert(1, "Due: " + ", ".join(f"{kind} {_when(str(at))}" for kind, at in due.items()))
    return said


def _when(iso: str) -> str:
    """An ISO time as the local clock reads it: ``14:05``, or ``Tue 14:05`` when not today."""
    try:
        at = datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return f"{at:%H:%M}" if at.date() == datetime.now().astimezone().date() else f"{at:%a %H:%M}"


def _autostart(action: str) -> int:
    from deskmobility.adapters.autostart import launch_command, select_autostart  # noqa: PLC0415

    autostart = select_autostart()
    try:
        if action == "on":
            _out(_describe(autostart.enable(launch_command())))
        elif action == "off":
            removed = autostart.disable()
            _out(f"Autostart off: removed {autostart.location}" if removed else "Autostart was off")
        else:
            _out(_describe(autostart.status()))
    except OSError as error:
        _err(f"deskmobility: cannot change autostart at {autostart.location}: {error}")
        return EXIT_REFUSED
    return EXIT_OK


def _describe(state: AutostartStatus) -> str:
    if not state.enabled and state.command is None and state.note is None:
        return f"Autostart off (no entry at {state.location})"
    word = "on" if state.enabled else "off"
    note = f" ({state.note})" if state.note else ""
    runs = f"\n  runs {state.command}" if state.command else ""
    return f"Autostart {word}{note}: {state.location}{runs}"


def _out(text: str) -> None:
    print(text)  # noqa: T201  # a command line prints


def _err(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201
