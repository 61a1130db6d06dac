"""Command-line verbs on the history store: ``stats`` and ``checklist``.

They open the same SQLite store the running app writes (its own connection; SQLite
serialises the writers), so ticks set here show in the tray and ticks set in the tray
show here.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from deskmobility.adapters.store import Store
    from deskmobility.core.stats import KindStats, Summary

EXIT_OK = 0
EXIT_FAILED = 1


def add_store_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``stats`` and ``checklist`` (with tick, untick, reset) to ``commands``."""
    checklist = commands.add_parser("checklist", help="the ergonomic workspace checklist")
    actions = checklist.add_subparsers(dest="checklist_action", metavar="ACTION")
    for name, text in (("tick", "mark an item as set up"), ("untick", "clear an item's tick")):
        action = actions.add_parser(name, help=text)
        action.add_argument(
            "item", type=_item_id, metavar="ITEM", help="an item's id, as `checklist` lists them"
        )
    actions.add_parser("reset", help="clear every tick")

    stats = commands.add_parser("stats", help="breaks per day, micro-breaks, streak")
    stats.add_argument("--days", type=_days, default=7, help="how many days (default 7)")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument(
        "--chart", type=Path, metavar="FILE", help="also draw a chart (.png, .jpg, .webp, ...)"
    )


def _item_id(text: str) -> str:
    # Checked when parsed, not listed as choices: building the parser for `status` then
    # needs no checklist (and no dataclasses).
    from deskmobility.core.checklist import CHECKLIST  # noqa: PLC0415

    ids = [item.id for item in CHECKLIST]
    if text not in ids:
        raise argparse.ArgumentTypeError(f"no item {text!r}; choose from {', '.join(ids)}")
    return text


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 3660:  # noqa: PLR2004
        raise argparse.ArgumentTypeError("expected between 1 and 3660 days")
    return value


def _history_path() -> Path:
    from deskmobility.adapters.files import HISTORY_NAME, Paths  # noqa: PLC0415

    return Paths.for_user().data_dir / HISTORY_NAME


def _open_store(path: Path) -> Store | None:
    from deskmobility.adapters.store import Store, StoreError  # noqa: PLC0415

    try:
        store, moved = Store.open(path)
    except StoreError as error:
        print(error, file=sys.stderr)  # noqa: T201
        return None
    if moved:
        print(moved, file=sys.stderr)  # noqa: T201
    return store


def checklist(action: str | None, item: str | None) -> int:
    """Print the checklist with its ticks, or change them.

    A running app keeps the ticks its tray shows, so it is asked to make the change;
    with none running, the store is read and written directly.
    """
    change = "show" if action is None else action if item is None else f"{action}:{item}"
    ticked = _ticked_by_the_app(change)
    if ticked is None:
        ticked = _ticked_in_the_store(action, item)
    if isinstance(ticked, int):
        return ticked
    from deskmobility.core.checklist import CHECKLIST  # noqa: PLC0415

    done = sum(entry.id in ticked for entry in CHECKLIST)
    print(f"Ergonomic workspace checklist ({done} of {len(CHECKLIST)} set up)")  # noqa: T201
    for entry in CHECKLIST:
        mark = "x" if entry.id in ticked else " "
        print(f"  [{mark}] {entry.id:<14} {entry.label}: {entry.target}")  # noqa: T201
    return EXIT_OK


def _ticked_by_the_app(change: str) -> frozenset[str] | int | None:
    """The ticks after the running app made ``change``; None when no app (that knows how) runs."""
    # Not adapters.control: a client needs neither the server nor its logging.
    from deskmobility.adapters._control_client import key_file_for, send_command  # noqa: PLC0415
    from deskmobility.adapters._control_os import ControlError, NotRunning  # noqa: PLC0415
    from deskmobility.adapters.files import Paths  # noqa: PLC0415

    paths = Paths.for_user()
    request = {"command": "checklist", "change": change}
    try:
        reply = send_command(paths.runtime_dirs, request, key_file=key_file_for(paths.state_dir))
    except NotRunning:
        return None
    except ControlError as error:
        print(f"deskmobility: {error}", file=sys.stderr)  # noqa: T201
        return EXIT_FAILED
    ticked = reply.get("ticked")
    if not reply["ok"] or not isinstance(ticked, list):
        return None  # an app from before the checklist went over the channel
    return frozenset(str(item) for item in ticked)


def _ticked_in_the_store(action: str | None, item: str | None) -> frozenset[str] | int:
    path = _history_path()
    if action is None and not path.exists():
        return frozenset()
    from deskmobility.adapters.store import StoreError  # noqa: PLC0415

    store = _open_store(path)
    if store is None:
        return EXIT_FAILED
    with closing(store):
        try:
            if action == "reset":
                store.reset_checklist()
            elif action is not None and item is not None:
                store.set_checklist_item(item, checked=action == "tick")
            return store.checklist()
        except StoreError as error:
            print(error, file=sys.stderr)  # noqa: T201
            return EXIT_FAILED


def stats(days: int, as_json: bool, chart: Path | None) -> int:
    """Print breaks per day and the streak; with ``chart``, also draw them as an image."""
    image_format = None
    if chart is not None:
        from deskmobility.adapters.chart import ChartPathError, chart_format  # noqa: PLC0415

        try:
            image_format = chart_format(chart)
        except ChartPathError as error:
            print(f"{chart}: cannot write the chart: {error}", file=sys.stderr)  # noqa: T201
            return EXIT_FAILED
    path = _history_path()
    if not path.exists():
        message = f"No history yet ({path} does not exist): run deskmobility first."
        print(message, file=sys.stderr)  # noqa: T201
        return EXIT_FAILED
    store = _open_store(path)
    if store is None:
        return EXIT_FAILED
    from deskmobility.core.clock import SystemClock  # noqa: PLC0415
    from deskmobility.core.stats import by_kind, summarize  # noqa: PLC0415

    now = SystemClock().now()
    with closing(store):
        history = store.history()
    summary = summarize(history, now, days)
    first_day = summary.days[0].day
    kinds = by_kind(e for e in history if e.at.astimezone(now.tzinfo).date() >= first_day)
    if chart is not None and image_format is not None:
        from deskmobility.adapters.chart import render_chart  # noqa: PLC0415
        from deskmobility.adapters.files import atomic_write  # noqa: PLC0415

        try:
            atomic_write(chart, render_chart(summary, image_format, kinds))
        except (OSError, ValueError) as error:
            print(f"{chart}: cannot write the chart: {error}", file=sys.stderr)  # noqa: T201
            return EXIT_FAILED
    _print_stats(summary, kinds, days, as_json)
    if chart is not None and not as_json:
        print(f"Chart written to {chart}")  # noqa: T201
    return EXIT_OK


def _print_stats(
    summary: Summary, kinds: Mapping[str, KindStats], days: int, as_json: bool
) -> None:
    import dataclasses  # noqa: PLC0415  # only stats needs it, not every verb's start

    from deskmobility.core.durations import humanize  # noqa: PLC0415
    from deskmobility.core.status import plural  # noqa: PLC0415

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
        per_kind = {
            kind: {**dataclasses.asdict(stats), "acted_on": stats.acted_on}
            for kind, stats in kinds.items()
        }
        document = {"days": rows, "streak": summary.streak, "reminders": per_kind}
        print(json.dumps(document, indent=2))  # noqa: T201
        return
    done = sum(day.micro_breaks for day in summary.days)
    print(  # noqa: T201
        f"Last {plural(days, 'day')}: {plural(summary.total_breaks, 'break')}, "
        f"{plural(done, 'micro-break')} done, streak {plural(summary.streak, 'day')}"
    )
    for kind, stats in kinds.items():
        print(f"  {kind:<8} {stats.done} of {stats.shown} done, {stats.later} later, "  # noqa: T201
              f"{stats.dismissed} dismissed, {stats.expired} timed out")  # fmt: skip
    for day in summary.days:
        print(  # noqa: T201
            f"  {day.day:%a %d %b}  breaks {day.breaks:>3}  micro-breaks {day.micro_breaks:>3}"
            f"  longest without a break {humanize(day.longest_without_break)}"
        )
