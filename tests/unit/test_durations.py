from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskmobility.core import durations
from deskmobility.core.durations import (
    DurationError,
    format_duration,
    humanize,
    parse_duration,
)

S = timedelta(seconds=1)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("90s", 90 * S),
        ("20m", 20 * MIN),
        ("2h", 2 * H),
        ("1h30m", H + 30 * MIN),
        ("1h30m15s", H + 30 * MIN + 15 * S),
        ("1h15s", H + 15 * S),
        ("0s", timedelta(0)),
        ("007m", 7 * MIN),
    ],
)
def test_text_with_units_reads_as_that_span(written: str, expected: timedelta) -> None:
    assert parse_duration(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("  20m ", 20 * MIN),
        ("20M", 20 * MIN),
        ("1H30M", H + 30 * MIN),
        ("1h 30m", H + 30 * MIN),
        ("20 m", 20 * MIN),
        ("\t1h\n", H),
    ],
)
def test_whitespace_and_case_do_not_matter(written: str, expected: timedelta) -> None:
    assert parse_duration(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("15 min", 15 * MIN),
        ("15 mins", 15 * MIN),
        ("15 minutes", 15 * MIN),
        ("1 minute", MIN),
        ("1 hour", H),
        ("2 hours", 2 * H),
        ("2 hrs", 2 * H),
        ("1h 30m", H + 30 * MIN),
        ("1 hour 30 minutes", H + 30 * MIN),
        ("1 hour and 30 minutes", H + 30 * MIN),
        ("1 hour, 30 min", H + 30 * MIN),
        ("90 sec", 90 * S),
        ("90 secs", 90 * S),
        ("45 seconds", 45 * S),
        ("1 Hour 5 Sec", H + 5 * S),
    ],
)
def test_durations_as_people_write_them_are_read(written: str, expected: timedelta) -> None:
    # Issue 9, defect 5.
    assert parse_duration(written) == expected


@pytest.mark.parametrize("written", ["30 minutes 1 hour", "1 min 1 minute", "1h 2 hours"])
def test_spelled_out_units_out_of_order_or_repeated_are_refused(written: str) -> None:
    with pytest.raises(DurationError, match="repeats or reorders units"):
        parse_duration(written)


@pytest.mark.parametrize("value", ["87841h", 3660 * 86400 + 1, "999999999999 seconds"])
def test_durations_beyond_ten_years_are_too_long(value: object) -> None:
    with pytest.raises(DurationError, match="too long"):
        parse_duration(value)
    assert parse_duration("87840h") == durations.MAX_DURATION


@pytest.mark.parametrize(("seconds", "expected"), [(0, timedelta(0)), (90, 90 * S), (3600, H)])
def test_a_whole_number_is_seconds(seconds: int, expected: timedelta) -> None:
    assert parse_duration(seconds) == expected


@pytest.mark.parametrize(
    "written",
    [
        *("", "   ", "30x", "20", "1h30", "m", "1.5h", "-5m", "+5m", "1d", "h20"),
        # ambiguous or not a unit of ours: minutes or months? milliseconds? a bare number?
        *("15 mo", "15 ms", "15 months", "1 hour 30", "15 min.", "15minutess", "in 15 min"),
        *("1 hour, and 30 minutes", "1 hour and", "an hour", "1,5 h"),
    ],
)
def test_text_that_is_not_a_duration_is_refused_with_examples(written: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(written)
    message = str(caught.value)
    assert repr(written) in message
    assert '"1h30m"' in message


@pytest.mark.parametrize("written", ["1m1h", "30s2m", "1h1h", "5m10m", "1h2m3h"])
def test_units_out_of_order_or_repeated_are_refused(written: str) -> None:
    with pytest.raises(DurationError, match="repeats or reorders units"):
        parse_duration(written)


@pytest.mark.parametrize("value", [True, False, 1.5, 20.0, [20], {"m": 20}, None])
def test_values_that_are_not_text_or_whole_numbers_are_refused(value: object) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(value)
    message = str(caught.value)
    assert message.startswith("expected a duration such as")
    assert message.endswith(f"got {value!r}")


@pytest.mark.parametrize("value", [10**18, 2**63 - 1, "9999999999999h", "1" * 5000 + "s"])
def test_absurdly_long_durations_are_refused_not_crashed_on(value: object) -> None:
    # timedelta tops out near 2.7 million years, and int() refuses over 4300 digits.
    with pytest.raises(DurationError, match="too long"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("span", "written"),
    [
        (90 * S, "1m30s"),
        (20 * MIN, "20m"),
        (2 * H, "2h"),
        (H + 30 * MIN, "1h30m"),
        (H + 5 * S, "1h5s"),
        (timedelta(days=1), "24h"),
        (timedelta(days=2, minutes=1), "48h1m"),
        (timedelta(seconds=90.9), "1m30s"),  # whole seconds only: the fraction is dropped
    ],
)
def test_format_duration_writes_the_config_form(span: timedelta, written: str) -> None:
    assert format_duration(span) == written


@pytest.mark.parametrize("span", [timedelta(0), timedelta(seconds=0.5), -MIN])
def test_format_duration_says_zero_for_nothing_or_less(span: timedelta) -> None:
    assert format_duration(span) == "0s"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=3660 * 86400).map(lambda n: timedelta(seconds=n)))
def test_formatted_durations_read_back_as_the_same_span(span: timedelta) -> None:
    assert parse_duration(format_duration(span)) == span


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 999).map(lambda n: f"{n}h") | st.just(""),
    st.integers(0, 999).map(lambda n: f"{n}m") | st.just(""),
    st.integers(0, 999).map(lambda n: f"{n}s") | st.just(""),
)
def test_every_in_order_spelling_parses_to_its_sum(hours: str, minutes: str, seconds: str) -> None:
    written = hours + minutes + seconds
    if not written:
        return
    expected = sum(
        (
            int(part[:-1]) * unit
            for part, unit in ((hours, H), (minutes, MIN), (seconds, S))
            if part
        ),
        timedelta(0),
    )
    assert parse_duration(written) == expected
    assert parse_duration(f" {written.upper()} ") == expected


@pytest.mark.parametrize(
    ("span", "said"),
    [
        (timedelta(0), "0 s"),
        (-5 * S, "0 s"),
        (40 * S, "40 s"),
        (timedelta(seconds=59.4), "59 s"),
        (60 * S, "1 min"),
        (61 * S, "2 min"),  # under an hour, a countdown rounds up: "2 min" left, not "1 min"
        (12 * MIN, "12 min"),
        (59 * MIN + 1 * S, "1 h"),
        (H, "1 h"),
        (H + 5 * MIN, "1 h 5 min"),
        (H + 5 * MIN + 59 * S, "1 h 5 min"),  # from an hour on, whole minutes
        (2 * H, "2 h"),
        (timedelta(days=1, minutes=1), "24 h 1 min"),
    ],
)
def test_humanize_says_a_span_as_a_menu_shows_it(span: timedelta, said: str) -> None:
    assert humanize(span) == said


def _as_seconds(said: str) -> int:
    numbers = [int(word) for word in said.split() if word.isdigit()]
    units = [word for word in said.split() if not word.isdigit()]
    scale = {"h": 3600, "min": 60, "s": 1}
    return sum(n * scale[u] for n, u in zip(numbers, units, strict=True))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 200_000), st.integers(0, 200_000))
def test_humanize_never_says_a_longer_span_is_shorter(a: int, b: int) -> None:
    short, long = sorted((a, b))
    assert _as_seconds(humanize(timedelta(seconds=short))) <= _as_seconds(
        humanize(timedelta(seconds=long))
    )
