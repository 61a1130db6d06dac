"""The command line. Kept light: each command imports only what it needs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from deskmobility import __version__

DESCRIPTION = (
    "Posture check-ins, head-position reminders and short thoracic mobility breaks, "
    "from the system tray. General reminders, not medical advice: stop any exercise that hurts."
)


def _parser() -> argparse.ArgumentParser:
    from deskmobility.cli_store import add_store_commands  # noqa: PLC0415
    from deskmobility.control_cli import add_control_commands  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="deskmobility", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"deskmobility {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run the reminders (the default command)")
    _run_options(run)
    _run_options(parser)

    check = commands.add_parser("check-config", help="validate a config file and exit")
    check.add_argument("path", nargs="?", type=Path, help="the file (default: your config file)")

    config = commands.add_parser("config", help="show the settings in force")
    config_actions = config.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = config_actions.add_parser(
        "show", help="print the effective settings (defaults merged with your file) as TOML"
    )
    show.add_argument("--config", type=Path, help="this file instead of your config file")

    exercises = commands.add_parser("exercises", help="list the exercise catalogue")
    exercises.add_argument("--json", action="store_true", help="print a JSON array")
    exercises.add_argument("--config", type=Path, help="include this config's own exercises")
    show = exercises.add_subparsers(dest="show", metavar="show").add_parser(
        "show", help="one exercise in full: steps, dose, caution, what its place needs"
    )
    show.add_argument("exercise", metavar="ID|NAME")
    show.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="as above")

    add_store_commands(commands)
    add_control_commands(commands)
    return parser


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="config file (default: the per-user one)")
    parser.add_argument("--no-tray", action="store_true", help="no tray icon; reminders only")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        return _dispatch(argv)
    except BrokenPipeError:  # `deskmobility exercises | head`: the reader left; not an error
        import os  # noqa: PLC0415

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(argv: Sequence[str] | None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # Answered before building the parser, which costs most of a --version run.
        print(f"deskmobility {__version__}")
        return 0
    words = list(sys.argv[1:] if argv is None else argv)
    run = _run_arguments(words)
    if run is not None:  # the running app needs none of the verbs' modules
        return _run(run.config, run.no_tray)
    args = _parser().parse_args(words)
    if getattr(args, "control_command", None):
        from deskmobility.control_cli import run_control_command  # noqa: PLC0415

        return run_control_command(args)
    from deskmobility.cli_store import checklist, stats  # noqa: PLC0415

    commands: dict[str, Callable[[], int]] = {
        "run": lambda: _run(args.config, args.no_tray),
        "check-config": lambda: _check_config(args.path),
        "config": lambda: _config_show(args.config),
        "exercises": lambda: _exercises(args.json, args.config, getattr(args, "exercise", None)),
        "stats": lambda: stats(args.days, args.json, args.chart),
        "checklist": lambda: checklist(args.checklist_action, getattr(args, "item", None)),
    }
    return commands[args.command or "run"]()


def _run_arguments(words: list[str]) -> argparse.Namespace | None:
    """``run`` and its options, parsed without building the whole parser; None otherwise.

    Anything else (a verb, --help, a mistake) goes to the full parser, which says it all.
    """
    rest = words[1:] if words[:1] == ["run"] else words
    if any(not word.startswith("--") or word in ("--help", "--version") for word in rest[:1]):
        return None
    parser = argparse.ArgumentParser(prog="deskmobility", add_help=False, exit_on_error=False)
    _run_options(parser)
    try:
        args, extra = parser.parse_known_args(rest)
    except argparse.ArgumentError:
        return None
    return None if extra else args


def _run(config: Path | None, no_tray: bool) -> int:
    from deskmobility.launch import launch  # noqa: PLC0415

    return launch(config, no_tray)


def _default_config() -> Path:
    from deskmobility.adapters.files import Paths  # noqa: PLC0415

    return Paths.for_user().config_file


def _check_config(path: Path | None) -> int:
    from deskmobility.adapters.files import load_config  # noqa: PLC0415
    from deskmobility.core.config import ConfigError  # noqa: PLC0415
    from deskmobility.core.durations import format_duration  # noqa: PLC0415

    target = path or _default_config()
    try:
        settings = load_config(target)
    except ConfigError as error:
        print(error, file=sys.stderr)
        count = len(error.problems)
        print(f"{count} problem{'s' * (count != 1)} found.", file=sys.stderr)
        return 1
    if settings is None:
        if path is not None:
            print(f"{target}: no such file", file=sys.stderr)
            return 1
        print(f"{target}: no config file; the built-in defaults apply")
        return 0
    parts = [
        f"{kind.value} every {format_duration(reminder.every)}"
        if reminder.enabled
        else f"{kind.value} off"
        for kind, reminder in settings.reminders.items()
    ]
    print(f"{target}: OK ({', '.join(parts)})")
    return 0


def _exercises(as_json: bool, config: Path | None, show: str | None) -> int:
    from deskmobility.exercises_cli import run_exercises  # noqa: PLC0415

    return run_exercises(as_json, config, show)


def _config_show(path: Path | None) -> int:
    """Print the settings in force as TOML; the user's file is only read."""
    import tomli_w  # noqa: PLC0415

    from deskmobility.adapters.files import load_config  # noqa: PLC0415
    from deskmobility.core.config import ConfigError, Settings  # noqa: PLC0415
    from deskmobility.core.config_doc import settings_document  # noqa: PLC0415

    target = path or _default_config()
    try:
        settings = load_config(target)
    except ConfigError as error:
        print(error, file=sys.stderr)
        print(
            f"Fix {target} first: `deskmobility check-config` lists what is wrong.", file=sys.stderr
        )
        return 1
    if settings is None and path is not None:
        print(f"{target}: no such file", file=sys.stderr)
        return 1
    source = f"built-in defaults (there is no {target})" if settings is None else str(target)
    print(f"# Settings in force, from {source}; every value shown, the defaults included.")
    print(tomli_w.dumps(settings_document(settings or Settings())), end="")
    return 0
