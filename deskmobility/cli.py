"""The command line. Kept light: each command imports only what it needs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path

from deskmobility import __version__
from deskmobility.control_cli import add_control_commands, run_control_command

DESCRIPTION = (
    "Posture check-ins, head-position reminders and short thoracic mobility breaks, "
    "from the system tray. General reminders, not medical advice: stop any exercise that hurts."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deskmobility", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"deskmobility {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run the reminders (the default command)")
    _run_options(run)
    _run_options(parser)

    check = commands.add_parser("check-config", help="validate a config file and exit")
    check.add_argument("path", nargs="?", type=Path, help="the file (default: your config file)")

    exercises = commands.add_parser("exercises", help="list the exercise catalogue")
    exercises.add_argument("--json", action="store_true", help="print a JSON array")
    exercises.add_argument("--config", type=Path, help="include this config's own exercises")
    show = exercises.add_subparsers(dest="show", metavar="show").add_parser(
        "show", help="one exercise in full: steps, dose, caution, what its place needs"
    )
    show.add_argument("exercise", metavar="ID|NAME")
    show.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="as above")

    commands.add_parser("checklist", help="print the ergonomic workspace checklist")

    stats = commands.add_parser("stats", help="breaks per day, micro-breaks, streak")
    stats.add_argument("--days", type=_positive_int, default=7, help="how many days (default 7)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--chart", type=Path, metavar="FILE.png", help="also draw a PNG chart")

    add_control_commands(commands)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 3660:  # noqa: PLR2004
        raise argparse.ArgumentTypeError("expected between 1 and 3660 days")
    return value


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
    args = _parser().parse_args(argv)
    if getattr(args, "control_command", None):
        return run_control_command(args)
    commands: dict[str, Callable[[], int]] = {
        "run": lambda: _run(args.config, args.no_tray),
        "check-config": lambda: _check_config(args.path),
        "exercises": lambda: _exercises(args.json, args.config, getattr(args, "exercise", None)),
        "stats": lambda: _stats(args.days, args.json, args.chart),
        "checklist": _checklist,
    }
    return commands[args.command or "run"]()


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


def _checklist() -> int:
    from deskmobility.core.checklist import CHECKLIST  # noqa: PLC0415

    print("Ergonomic workspace checklist")
    for item in CHECKLIST:
        print(f"  [ ] {item.label}: {item.target}")
    return 0


def _stats(days: int, as_json: bool, chart: Path | None) -> int:
    from deskmobility.adapters.files import HISTORY_NAME, Paths  # noqa: PLC0415
    from deskmobility.adapters.store import Store, StoreError  # noqa: PLC0415
    from deskmobility.core.clock import SystemClock  # noqa: PLC0415
    from deskmobility.core.durations import humanize  # noqa: PLC0415
    from deskmobility.core.stats import summarize  # noqa: PLC0415

    path = Paths.for_user().data_dir / HISTORY_NAME
    if not path.exists():
        print(f"No history yet ({path} does not exist): run deskmobility first.", file=sys.stderr)
        return 1
    try:
        store, moved = Store.open(path)
    except StoreError as error:
        print(error, file=sys.stderr)
        return 1
    if moved:
        print(moved, file=sys.stderr)
    now = SystemClock().now()
    with closing(store):
        summary = summarize(store.history(), now, days)
    if chart is not None:
        from deskmobility.adapters.chart import draw_chart  # noqa: PLC0415

        try:
            draw_chart(summary, chart)
        except (OSError, ValueError) as error:
            print(f"{chart}: cannot write the chart: {error}", file=sys.stderr)
            return 1
    if as_json:
        rows = [
            {
                "day": day.day.isoformat(),
                "breaks": day.breaks,
                "micro_breaks": day.micro_breaks,
                "reminders": day.reminders,
                "longest_without_break_seconds": int(day.longest_without_break.total_seconds()),
            }
            for day in summary.days
        ]
        print(json.dumps({"days": rows, "streak": summary.streak}, indent=2))
        return 0
    done = sum(day.micro_breaks for day in summary.days)
    print(
        f"Last {days} day{'s' * (days != 1)}: {summary.total_breaks} breaks, "
        f"{done} micro-breaks done, streak {summary.streak} day{'s' * (summary.streak != 1)}"
    )
    for day in summary.days:
        print(
            f"  {day.day:%a %d %b}  breaks {day.breaks:>3}  micro-breaks {day.micro_breaks:>3}"
            f"  longest without a break {humanize(day.longest_without_break)}"
        )
    if chart is not None:
        print(f"Chart written to {chart}")
    return 0
