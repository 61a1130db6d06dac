"""What a config may hold that TOML itself allows and the app cannot use (issue 13).

Control characters (a NUL stops every notification: D-Bus strings cannot hold one) and
exercise durations past what a break can be. ``config.py`` reports what these find at
the file, line and key, as it does every other problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta

from deskmobility.core.durations import format_duration
from deskmobility.core.exercises import Exercise
from deskmobility.core.toml_lines import KeyPath

# C0 and C1 control characters and DEL, but tab and line ends, which text may hold.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A micro-break is minutes long; the bound also keeps a notification's time-out (D-Bus
# milliseconds in an int32) and the break's end time far from overflowing.
MAX_EXERCISE_TIME = timedelta(minutes=30)
_SHOWN_KEY = 60


def control_character_problems(
    value: object, path: KeyPath, report: Callable[[KeyPath, str], None]
) -> None:
    """Report every key or text value under ``value`` that holds a control character."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if CONTROL.search(key):
                report((*path, key), "the key contains a control character; remove it")
            control_character_problems(inner, (*path, key), report)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            control_character_problems(inner, (*path, index), report)
    elif isinstance(value, str) and (found := CONTROL.search(value)):
        code = f"U+{ord(found.group()):04X}"
        report(path, f"contains the control character {code}; remove it")


def exercise_too_long(entry: Mapping[str, object], exercise: Exercise) -> tuple[str, str] | None:
    """The field and message when a custom exercise's hold or takes is past the bound."""
    limit = format_duration(MAX_EXERCISE_TIME)
    for key, span in (("hold", exercise.hold), ("takes", exercise.takes)):
        if span is not None and span > MAX_EXERCISE_TIME:
            return key, f"{entry[key]!r} is too long for a break; use at most {limit}"
    return None


def shown_key(key: str) -> str:
    """A key as a message can carry it: control characters escaped, a long one shortened."""
    key = CONTROL.sub(lambda found: f"\\u{ord(found.group()):04x}", key)
    return key if len(key) <= _SHOWN_KEY else key[: _SHOWN_KEY - 3] + "..."
