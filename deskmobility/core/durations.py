"""Durations as people write them: ``"90s"``, ``"20m"``, ``"15 min"``, ``"1h 30m"`` or seconds."""

from __future__ import annotations

import re
from datetime import timedelta

# Each unit as people write it; a unit not listed here (days, months, "ms") is refused
# rather than guessed at.
_UNITS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
}
_PART = re.compile(r"(\d+)\s*([a-z]+)")
_WHOLE = re.compile(r"\s*\d+\s*[a-z]+(?:\s*(?:,\s*|and\s+)?\d+\s*[a-z]+)*\s*")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_ORDER = "hms"
# Far beyond any interval, pause or hold the app has a use for (the config and the
# pause command set their own, tighter bounds), and far from timedelta's overflow.
MAX_DURATION = timedelta(days=3660)

EXAMPLES = '"90s", "20m", "15 min", "1h30m", "1 hour" or a whole number of seconds'


class DurationError(ValueError):
    """A duration that cannot be read; the message says what was expected."""


def parse_duration(value: object) -> timedelta:
    """Read ``"1h30m"``, ``"15 min"``, ``"1 hour 30 minutes"`` or whole seconds as a timedelta."""
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
    if any(unit not in _UNITS for _, unit in parts):
        raise DurationError(f"{value!r} is not a duration; write it like {EXAMPLES}")
    units = [_UNITS[unit] for _, unit in parts]
    if len(set(units)) != len(units) or units != sorted(units, key=_ORDER.index):
        raise DurationError(f"{value!r} repeats or reorders units; write it like {EXAMPLES}")
    try:
        seconds = sum(
            int(n) * _UNIT_SECONDS[unit] for (n, _), unit in zip(parts, units, strict=True)
        )
    except ValueError:  # int() refuses more than 4300 digits (sys.get_int_max_str_digits)
        raise DurationError(f"{value[:20]!r}... is too long to be a duration") from None
    return _span(seconds, value)


def _span(seconds: int, written: object) -> timedelta:
    if seconds > MAX_DURATION.total_seconds():
        shown = written[:20] + "..." if isinstance(written, str) and len(written) > 20 else written  # noqa: PLR2004
        raise DurationError(f"{shown!r} is too long to be a duration")
    return timedelta(seconds=seconds)


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
