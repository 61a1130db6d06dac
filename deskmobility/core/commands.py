"""The control commands, in one table: the command line, the socket server and the app read it.

NamedTuples rather than dataclasses keep ``deskmobility status`` from importing inspect.

Each command has a name, its help text and, for ``pause``, one argument: how it is
written on the command line, the key it travels under in the JSON request, and the one
check of its bounds. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from deskmobility.core.durations import DurationError, parse_duration

MAX_PAUSE = timedelta(days=366)
MIN_PAUSE = timedelta(seconds=1)
PING = "ping"  # asked by a second start to find the first; not on the command line


class Argument(NamedTuple):
    """One argument of a command: its command-line spelling and its JSON field."""

    name: str
    field: str
    help: str
    default: str
    parse: Callable[[str], object]
    check: Callable[[object], str | None]


class ControlCommand(NamedTuple):
    """A command the running app carries out when asked over the control channel.

    ``on_command_line`` is False for one a command-line verb of its own sends (the
    checklist, which works without the app too).
    """

    name: str
    help: str
    argument: Argument | None = None
    on_command_line: bool = True


MAX_LATER = timedelta(days=1)


def _seconds(text: str, check: Callable[[object], str | None]) -> int:
    """A length as written on the command line, in seconds; ValueError says what is wrong."""
    try:
        span = parse_duration(text)
    except DurationError as error:
        raise ValueError(str(error)) from None
    seconds = int(span.total_seconds())
    problem = check(seconds)
    if problem is not None:
        raise ValueError(problem)
    return seconds


def _out_of_bounds(
    seconds: object, command: str, field: str, bounds: tuple[timedelta, timedelta], words: str
) -> str | None:
    """What is wrong with ``seconds`` for ``command``'s ``field``, a whole number in bounds."""
    low, high = bounds
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        return f'"{command}" needs "{field}", a whole number of seconds'
    if not low.total_seconds() <= seconds <= high.total_seconds():
        return (
            f'"{field}" must be between {int(low.total_seconds())} and '
            f"{int(high.total_seconds())}: {words}"
        )
    return None


def pause_seconds(text: str) -> int:
    """Read a pause length as written on the command line; ValueError says what is wrong."""
    return _seconds(text, check_pause)


def check_pause(seconds: object) -> str | None:
    """What is wrong with a pause length in seconds, or None (the one place its bounds live)."""
    words = "pause for at least a second and at most a year"
    return _out_of_bounds(seconds, "pause", "duration_seconds", (MIN_PAUSE, MAX_PAUSE), words)


def later_seconds(text: str) -> int | None:
    """Read how long "later" waits; empty (the default) is None: the config's snooze."""
    return _seconds(text, check_later) if text.strip() else None


def check_later(seconds: object) -> str | None:
    """What is wrong with how long "later" waits, in seconds (None: the configured snooze)."""
    if seconds is None:
        return None
    words = "put it off for a second to a day"
    return _out_of_bounds(seconds, "later", "later_seconds", (MIN_PAUSE, MAX_LATER), words)


def check_checklist_change(change: object) -> str | None:
    """What is wrong with a checklist change: "show", "reset", "tick:ID" or "untick:ID"."""
    from deskmobility.core.checklist import CHECKLIST  # noqa: PLC0415  # not for `status`

    ids = [item.id for item in CHECKLIST]
    if change in ("show", "reset"):
        return None
    if isinstance(change, str):
        action, _, item = change.partition(":")
        if action in ("tick", "untick") and item in ids:
            return None
    return '"checklist" needs "show", "reset", "tick:ID" or "untick:ID", ID one of ' + ", ".join(
        ids
    )


CONTROL_COMMANDS: tuple[ControlCommand, ...] = (
    ControlCommand("break", "start a guided micro-break now"),
    ControlCommand(
        "pause",
        "hold all reminders for a while",
        Argument(
            name="duration",
            field="duration_seconds",
            help='how long, e.g. "30m", "1h30m", "2 hours" (default: 1h; at most a year)',
            default="1h",
            parse=pause_seconds,
            check=check_pause,
        ),
    ),
    ControlCommand("resume", "end a pause"),
    ControlCommand("done", "say you did the last reminder or micro-break"),
    ControlCommand(
        "later",
        "put off the last reminder",
        Argument(
            name="duration",
            field="later_seconds",
            help='how long, e.g. "15 min" (default: the snooze in your config, 10 min)',
            default="",
            parse=later_seconds,
            check=check_later,
        ),
    ),
    ControlCommand("status", "say what the running deskmobility is doing"),
    ControlCommand("quit", "stop the running deskmobility"),
    ControlCommand(
        "checklist",
        "show or change the workspace checklist the tray shows",
        Argument(
            name="change",
            field="change",
            help='"show", "reset", "tick:ID" or "untick:ID"',
            default="show",
            parse=str,
            check=check_checklist_change,
        ),
        on_command_line=False,
    ),
)
BY_NAME = {command.name: command for command in CONTROL_COMMANDS}
COMMANDS = (*BY_NAME, PING)


def check_request(request: object) -> str | None:
    """What is wrong with a decoded request, or None when it can be carried out."""
    if not isinstance(request, dict):
        return "the request must be a JSON object"
    name = request.get("command")
    if not isinstance(name, str):
        return 'the request needs a "command" string'
    if name == PING:
        command = ControlCommand(PING, "")
    elif name in BY_NAME:
        command = BY_NAME[name]
    else:
        return f"unknown command {name[:40]!r}; expected one of {', '.join(COMMANDS)}"
    argument = command.argument
    for other in CONTROL_COMMANDS:
        field = other.argument.field if other.argument else None
        if field in request and other is not command:
            return f'"{field}" only goes with "{other.name}"'
    if argument is None:
        return None
    return argument.check(request.get(argument.field))
