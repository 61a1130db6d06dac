"""Durations as people write them in the config: ``"90s"``, ``"20m"``, ``"1h30m"`` or seconds."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([hms])")
_WHOLE = re.compile(r"\s*(?:\d+\s*[hms]\s*)+")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_ORDER = "hms"

EXAMPLES = '"90s", "20m", "1h30m", "2h" or a whole number of seconds'


class DurationError(ValueError):
    """A duration that cannot be read; the message says what was expected."""


def parse_duration(value: object) -> timedelta:
    """Read ``"1h30m"``-style text or an integer number of seconds as a timedelta."""
    if isinstance(value, bool):  # bool is an int subclass; true/false is never a duration
        raise DurationError(f"expected a duration such as {EXAMPLES}, got {value!r}")
    if isinstance(value, int):
        return _span(value, value)
    if not isinstance(value, str):
        raise DurationError(f"expected a duration such as {EXAMPLES}, got {value!r}")
    text = value.strip().lower()
    if not text or not _WHOLE.fullmatch(text):
        raise DurationError(f"{value!r} is not a duration; write it like {EXAMPLES}")
    parts = _PART.findall(text)
    units = [unit for _, unit in parts]
    if len(set(units)) != len(units) or units != sorted(units, key=_ORDER.index):
        raise DurationError(f"{value!r} repeats or reorders units; write it like {EXAMPLES}")
    try:
        seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in parts)
    except ValueError:  # int() refuses more than 4300 digits (sys.get_int_max_str_digits)
        raise DurationError(f"{value[:20]!r}... is too long to be a duration") from None
    return _span(seconds, value)


def _span(seconds: int, written: object) -> timedelta:
    try:
        return timedelta(seconds=seconds)
    except OverflowError:  # timedelta ends at 999999999 days
        raise DurationError(f"{written!r} is too long to be a duration") from None


def format_duration(span: timedelta) -> str:
    """Write a timedelta the way the config reads it, e.g. ``1h30m`` (whole seconds)."""
    seconds = int(span.total_seconds())
    if seconds <= 0:
        return "0s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


def humanize(span: timedelta) -> str:
    """Say a span the way a menu does: ``"12 min"``, ``"1 h 5 min"``, ``"40 s"``."""
    seconds = max(0, round(span.total_seconds()))
    if seconds < 60:  # noqa: PLR2004
        return f"{seconds} s"
    minutes = -(-seconds // 60) if seconds < 3600 else seconds // 60  # noqa: PLR2004
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
