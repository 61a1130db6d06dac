"""Reading the fields of one exercise table, each with a precise error."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from deskmobility.core.durations import DurationError, parse_duration

MIN_STEPS = 2
MAX_STEPS = 5
_E = TypeVar("_E", bound=StrEnum)


class ExerciseError(ValueError):
    """An exercise table that cannot be used; ``key`` names the offending field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """A hint for a misspelt ``word``: the closest option, or all of them."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of {', '.join(repr(o) for o in options)}"


def text(data: Mapping[str, object], key: str) -> str:
    """Read non-empty text, stripped."""
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ExerciseError(key, f"expected non-empty text, got {value!r}")
    return value.strip()


def one_of(enum: type[_E], key: str, value: object) -> _E:
    """Read one member of ``enum``; an unknown value gets a suggestion."""
    if not isinstance(value, str):
        raise ExerciseError(key, f"expected text, got {value!r}")
    try:
        return enum(value)
    except ValueError:
        options = [member.value for member in enum]
        raise ExerciseError(key, f"unknown value {value!r}{did_you_mean(value, options)}") from None


def enum_set(enum: type[_E], data: Mapping[str, object], key: str) -> frozenset[_E]:
    """Read a list of members of ``enum`` (absent: none)."""
    values = data.get(key, [])
    if not isinstance(values, list):
        raise ExerciseError(key, f"expected a list, got {values!r}")
    return frozenset(one_of(enum, key, value) for value in values)


def duration(data: Mapping[str, object], key: str) -> timedelta | None:
    """Read a positive duration such as ``"20s"``; None when the field is absent."""
    if key not in data:
        return None
    try:
        span = parse_duration(data[key])
    except DurationError as exc:
        raise ExerciseError(key, str(exc)) from None
    if span <= timedelta():
        raise ExerciseError(key, f"must be longer than zero, got {data[key]!r}")
    return span


# A micro-break is minutes long; the bound also keeps the dosage arithmetic sane.
MAX_REPS = 100


def reps(data: Mapping[str, object]) -> int | None:
    """Read a repetition count (1 to ``MAX_REPS``); None when absent."""
    reps = data.get("reps")
    if reps is None:
        return None
    if isinstance(reps, bool) or not isinstance(reps, int) or reps <= 0:
        raise ExerciseError("reps", f"expected a whole number above zero, got {reps!r}")
    if reps > MAX_REPS:
        raise ExerciseError(
            "reps", f"{reps} is more than a short break holds; use at most {MAX_REPS}"
        )
    return reps


def steps(data: Mapping[str, object]) -> tuple[str, ...]:
    """Read ``MIN_STEPS`` to ``MAX_STEPS`` non-empty instructions."""
    steps = data["steps"]
    if not isinstance(steps, list) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise ExerciseError("steps", f"expected a list of {MIN_STEPS} to {MAX_STEPS} sentences")
    if not all(isinstance(step, str) and step.strip() for step in steps):
        raise ExerciseError("steps", "every step must be non-empty text")
    return tuple(step.strip() for step in steps)


def check_keys(
    data: Mapping[str, object], required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    """Reject unknown fields (with a suggestion) and missing required ones."""
    fields = (*required, *optional)
    for key in data:
        if key not in fields:
            raise ExerciseError(key, f"unknown field{did_you_mean(key, fields)}")
    for key in required:
        if key not in data:
            raise ExerciseError(key, "this field is required")


_UNIT = re.compile(r"[a-z]{2,12}")


def unit(data: Mapping[str, object]) -> str:
    """Read what one repetition is called (``"breath"``); ``"rep"`` when absent."""
    unit = data.get("unit", "rep")
    if not isinstance(unit, str) or not _UNIT.fullmatch(unit):
        raise ExerciseError(
            "unit", f'expected one short lowercase word such as "breath", got {unit!r}'
        )
    return unit
