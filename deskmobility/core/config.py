"""The settings model and its validation: TOML text in, ``Settings`` or a precise error out.

Every problem names the file, the line, the key, what is wrong and what was expected,
because the file is written by hand and the person fixing it has only the message.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta

from deskmobility.core.budgets import budget_problems
from deskmobility.core.config_limits import (
    control_character_problems,
    exercise_too_long,
    shown_key,
)
from deskmobility.core.durations import DurationError, parse_duration
from deskmobility.core.exercises import Exercise, ExerciseError, parse_exercise
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.places import Equipment, Gear
from deskmobility.core.toml_lines import KeyLines, KeyPath

MAX_INTERVAL = timedelta(days=1)


@dataclass(frozen=True)
class ReminderSettings:
    """One reminder kind: whether it runs and how often."""

    enabled: bool
    every: timedelta


@dataclass(frozen=True)
class QuietHours:
    """A daily window with no reminders; ``start > end`` wraps past midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Tell whether a local wall-clock time falls inside the window."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


# Defaults, defended in config.example.toml.
DEFAULT_REMINDERS: Mapping[ReminderKind, ReminderSettings] = {
    ReminderKind.POSTURE: ReminderSettings(enabled=True, every=timedelta(minutes=30)),
    ReminderKind.HEAD: ReminderSettings(enabled=True, every=timedelta(minutes=20)),
    ReminderKind.STRETCH: ReminderSettings(enabled=True, every=timedelta(minutes=45)),
    ReminderKind.EYES: ReminderSettings(enabled=False, every=timedelta(minutes=20)),
}


@dataclass(frozen=True)
class Settings:
    """Everything the user can set, validated."""

    reminders: Mapping[ReminderKind, ReminderSettings] = field(
        default_factory=lambda: dict(DEFAULT_REMINDERS)
    )
    gear: Gear = field(default_factory=Gear)
    custom_exercises: tuple[Exercise, ...] = ()
    quiet_hours: QuietHours | None = None
    natural_break: timedelta = timedelta(minutes=5)
    hold_during_do_not_disturb: bool = True
    hold_during_fullscreen: bool = True
    snooze: timedelta = timedelta(minutes=10)  # what "Later" waits
    snooze_limit: int = 3  # "Later" this many times in a row, then the usual interval

    def interval(self, kind: ReminderKind) -> timedelta | None:
        """The interval of an enabled reminder kind, or None when it is switched off.

        A kind missing from ``reminders`` has its default (settings built in code before
        eye rest existed name only the first three kinds).
        """
        reminder = self.reminders.get(kind, DEFAULT_REMINDERS[kind])
        return reminder.every if reminder.enabled else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a config file."""

    source: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


# A message goes into notifications, the log and the `status` reply: the first problems
# say what to fix, and twenty thousand of them would not fit (issue 13, item 6).
MAX_REPORTED = 20


class ConfigError(ValueError):
    """A config file that cannot be used; ``problems`` lists everything found, in file order.

    Its message lists the first MAX_REPORTED problems, then how many more there are.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.key))
        lines = [str(p) for p in self.problems[:MAX_REPORTED]]
        if len(self.problems) > MAX_REPORTED:
            more = len(self.problems) - MAX_REPORTED
            lines.append(f"... and {more} more problem{'s' * (more != 1)}")
        super().__init__("\n".join(lines))


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{shown_key(part)}" if out else shown_key(part))
        )
    return out


class _Checker:
    """Walks the parsed document, collecting problems with their lines."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = KeyLines(text)
        self.problems: list[Problem] = []

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.source, self.lines.line_of(path), _dotted(path), message))

    def table(self, value: object, path: KeyPath, known: tuple[str, ...]) -> Mapping[str, object]:
        if not isinstance(value, dict):
            self.problem(path, f"expected a table ([{_dotted(path)}]), got {_kind(value)}")
            return {}
        for key in value:
            if key not in known:
                self.unknown(path, key, known)
        return value

    def unknown(self, path: KeyPath, key: str, known: tuple[str, ...]) -> None:
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else f"expected one of: {', '.join(known)}"
        self.problem((*path, key), f"unknown key; {hint}")

    def boolean(self, table: Mapping[str, object], path: KeyPath, key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem((*path, key), f"expected true or false, got {_kind(value)}")
            return default
        return value

    def duration(
        self, table: Mapping[str, object], path: KeyPath, key: str, default: timedelta
    ) -> timedelta:
        if key not in table:
            return default
        try:
            span = parse_duration(table[key])
        except DurationError as error:
            self.problem((*path, key), str(error))
            return default
        if span <= timedelta(0):
            self.problem((*path, key), "must be longer than zero")
            return default
        if span > MAX_INTERVAL:
            self.problem((*path, key), f"{table[key]!r} is longer than a day; use at most 24h")
            return default
        return span

    def count(self, table: Mapping[str, object], path: KeyPath, key: str, default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem((*path, key), f"expected a whole number, got {_kind(value)}")
            return default
        if not 0 <= value <= MAX_SNOOZE_LIMIT:
            self.problem((*path, key), f"expected 0 to {MAX_SNOOZE_LIMIT}, got {value}")
            return default
        return value

    def clock_time(self, table: Mapping[str, object], path: KeyPath, key: str) -> time | None:
        value = table.get(key)
        if isinstance(value, time):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            hours, minutes = (int(n) for n in value.strip().split(":"))
            if hours < 24 and minutes < 60:  # noqa: PLR2004
                return time(hours, minutes)
        self.problem((*path, key), f'expected a time of day such as "18:30", got {_kind(value)}')
        return None


def _kind(value: object) -> str:
    """Describe a TOML value the way the person wrote it."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    names = {list: "an array", dict: "a table", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


_TOP = ("reminders", "exercises", "quiet_hours", "breaks")
_REMINDER_KEYS = ("enabled", "every")
_EXERCISE_KEYS = ("floor_space", "wall_space", "doorway", "equipment", "custom")
_QUIET_KEYS = ("enabled", "start", "end")
_BREAK_KEYS = (
    "natural_break",
    "hold_during_do_not_disturb",
    "hold_during_fullscreen",
    "snooze",
    "snooze_limit",
)
MAX_SNOOZE_LIMIT = 20


def _reminders(check: _Checker, doc: Mapping[str, object]) -> dict[ReminderKind, ReminderSettings]:
    kinds = tuple(kind.value for kind in ReminderKind)
    table = check.table(doc.get("reminders", {}), ("reminders",), kinds)
    result = dict(DEFAULT_REMINDERS)
    for kind in ReminderKind:
        if kind.value not in table:
            continue
        path: KeyPath = ("reminders", kind.value)
        entry = check.table(table[kind.value], path, _REMINDER_KEYS)
        default = DEFAULT_REMINDERS[kind]
        result[kind] = ReminderSettings(
            enabled=check.boolean(entry, path, "enabled", default.enabled),
            every=check.duration(entry, path, "every", default.every),
        )
    return result


def _exercises(check: _Checker, doc: Mapping[str, object]) -> tuple[Gear, tuple[Exercise, ...]]:
    path: KeyPath = ("exercises",)
    table = check.table(doc.get("exercises", {}), path, _EXERCISE_KEYS)
    floor = check.boolean(table, path, "floor_space", default=False)
    wall = check.boolean(table, path, "wall_space", default=False)
    doorway = check.boolean(table, path, "doorway", default=False)
    owned: set[Equipment] = set()
    raw = table.get("equipment", [])
    names = tuple(item.value for item in Equipment)
    if not isinstance(raw, list):
        check.problem((*path, "equipment"), f'expected an array such as ["band"], got {_kind(raw)}')
        raw = []
    for item in raw:
        if isinstance(item, str) and item in names:
            owned.add(Equipment(item))
        else:
            close = difflib.get_close_matches(str(item), names, n=1, cutoff=0.6)
            hint = (
                f'did you mean "{close[0]}"?' if close else f"expected any of: {', '.join(names)}"
            )
            check.problem((*path, "equipment"), f"unknown equipment {item!r}; {hint}")
    custom: list[Exercise] = []
    seen: dict[str, KeyPath] = {}
    entries = table.get("custom", [])
    if not isinstance(entries, list):
        check.problem((*path, "custom"), "expected [[exercises.custom]] tables")
        entries = []
    for index, entry in enumerate(entries):
        entry_path: KeyPath = (*path, "custom", index)
        if not isinstance(entry, dict):
            check.problem(entry_path, f"expected a table, got {_kind(entry)}")
            continue
        try:
            exercise = parse_exercise(entry)
        except ExerciseError as error:
            check.problem((*entry_path, error.key), error.message)
            continue
        fits = _exercise_fits(check, entry_path, entry, exercise, seen)
        for key, message in budget_problems(exercise):
            check.problem((*entry_path, key), message)
        if fits:
            seen[exercise.id] = entry_path
            custom.append(exercise)
    gear = Gear(floor_space=floor, equipment=frozenset(owned), wall=wall, doorway=doorway)
    return gear, tuple(custom)


def _exercise_fits(
    check: _Checker,
    path: KeyPath,
    entry: Mapping[str, object],
    exercise: Exercise,
    seen: Mapping[str, KeyPath],
) -> bool:
    """Bounds and a unique id for a custom exercise that parsed; False after a problem."""
    too_long = exercise_too_long(entry, exercise)
    if too_long is not None:
        check.problem((*path, too_long[0]), too_long[1])
        return False
    first = seen.get(exercise.id)
    if first is None:
        return True
    key = "id" if "id" in entry else "name"
    where = _dotted(first)
    line = check.lines.line_of(first)
    at = f" (line {line})" if line else ""
    hint = 'give one of them an "id" of its own' if key == "name" else "ids must differ"
    check.problem(
        (*path, key), f"gives the id {exercise.id!r}, already used by {where}{at}; {hint}"
    )
    return False


def _quiet_hours(check: _Checker, doc: Mapping[str, object]) -> QuietHours | None:
    if "quiet_hours" not in doc:
        return None
    path: KeyPath = ("quiet_hours",)
    table = check.table(doc["quiet_hours"], path, _QUIET_KEYS)
    if not check.boolean(table, path, "enabled", default=True):
        return None
    start = check.clock_time(table, path, "start")
    end = check.clock_time(table, path, "end")
    if start is None or end is None:
        return None
    if start == end:
        check.problem((*path, "end"), "start and end are the same time; the window would be empty")
        return None
    return QuietHours(start=start, end=end)


def parse_settings(text: str, source: str) -> Settings:
    """Validate config text; raise ConfigError listing every problem with its line."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_syntax_problem(error, source, text)]) from None
    except (ValueError, RecursionError) as error:
        # tomllib lets these through: a number over 4300 digits (int()'s limit) and
        # arrays or inline tables nested a thousand deep (it recurses per level).
        reason = "values are nested too deeply" if isinstance(error, RecursionError) else error
        raise ConfigError(
            [Problem(source, None, "", f"cannot be read as TOML: {reason}")]
        ) from None
    check = _Checker(source, text)
    control_character_problems(doc, (), check.problem)
    for key in doc:
        if key not in _TOP:
            check.unknown((), key, _TOP)
    reminders = _reminders(check, doc)
    gear, custom = _exercises(check, doc)
    quiet = _quiet_hours(check, doc)
    breaks = check.table(doc.get("breaks", {}), ("breaks",), _BREAK_KEYS)
    natural = check.duration(breaks, ("breaks",), "natural_break", Settings.natural_break)
    dnd = check.boolean(breaks, ("breaks",), "hold_during_do_not_disturb", default=True)
    fullscreen = check.boolean(breaks, ("breaks",), "hold_during_fullscreen", default=True)
    snooze = check.duration(breaks, ("breaks",), "snooze", Settings.snooze)
    snooze_limit = check.count(breaks, ("breaks",), "snooze_limit", Settings.snooze_limit)
    if check.problems:
        raise ConfigError(check.problems)
    return Settings(
        reminders=reminders,
        gear=gear,
        custom_exercises=custom,
        quiet_hours=quiet,
        natural_break=natural,
        hold_during_do_not_disturb=dnd,
        hold_during_fullscreen=fullscreen,
        snooze=snooze,
        snooze_limit=snooze_limit,
    )


def parse_settings_bytes(data: bytes, source: str) -> Settings:
    """Decode (UTF-8, an editor's BOM allowed) and validate raw file content."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"the file is not UTF-8 text (byte {data[error.start]:#04x}); save it as UTF-8"
        raise ConfigError([Problem(source, line, "", message)]) from None
    return parse_settings(text, source)


def _syntax_problem(error: tomllib.TOMLDecodeError, source: str, text: str) -> Problem:
    # tomllib's message ends with "(at line L, column C)"; lift the line out of it.
    message = str(error)
    if message.endswith("(at end of document)"):  # an unclosed array or string, a missing value
        message = message.removesuffix("(at end of document)").rstrip()
        last_line = text.rstrip().count("\n") + 1
        return Problem(
            source, last_line, "", f"TOML syntax error at the end of the file: {message}"
        )
    found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if found:
        message = message[: found.start()].rstrip()
        column = found.group(2)
        return Problem(
            source,
            int(found.group(1)),
            "",
            f"TOML syntax error at column {column}: {message}",
        )
    return Problem(source, None, "", f"TOML syntax error: {message}")
