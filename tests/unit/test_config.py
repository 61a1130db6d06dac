"""Config validation: every problem names the file, the line and the key, never a traceback."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import time, timedelta
from pathlib import Path
from textwrap import dedent
from typing import TypeVar

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskmobility.adapters.files import Paths, load_config, runtime_dirs
from deskmobility.core.config import (
    ConfigError,
    Problem,
    QuietHours,
    ReminderSettings,
    Settings,
    parse_settings,
    parse_settings_bytes,
)
from deskmobility.core.exercises import Equipment, Position
from deskmobility.core.kinds import ReminderKind

SOURCE = "/home/me/.config/deskmobility/config.toml"
EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
MIN = timedelta(minutes=1)

Found = tuple[int | None, str, str]  # line, key, message


def problems(text: str) -> list[Found]:
    """The problems found in ``text`` (dedented), each as (line, key, message)."""
    with pytest.raises(ConfigError) as caught:
        parse_settings(dedent(text), SOURCE)
    assert all(problem.source == SOURCE for problem in caught.value.problems)
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def only_problem(text: str) -> Found:
    [found] = problems(text)
    return found


# --- what a good file gives --------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "  \t\n# x\n"])
def test_an_empty_file_gives_the_defaults(text: str) -> None:
    assert parse_settings(text, SOURCE) == Settings()


def test_the_defaults_are_the_documented_ones() -> None:
    defaults = Settings()
    assert defaults.reminders == {
        ReminderKind.POSTURE: ReminderSettings(enabled=True, every=30 * MIN),
        ReminderKind.HEAD: ReminderSettings(enabled=True, every=20 * MIN),
        ReminderKind.STRETCH: ReminderSettings(enabled=True, every=45 * MIN),
        ReminderKind.EYES: ReminderSettings(enabled=False, every=20 * MIN),
    }
    assert defaults.natural_break == 5 * MIN
    assert defaults.quiet_hours is None
    assert defaults.custom_exercises == ()
    assert not defaults.gear.floor_space
    assert defaults.gear.equipment == frozenset()
    assert not defaults.gear.wall
    assert not defaults.gear.doorway


def test_every_setting_is_read() -> None:
    found = parse_settings(
        dedent("""\
            [reminders.posture]
            every = "1h"
            [reminders.head]
            enabled = false
            [reminders.stretch]
            every = 2700
            [breaks]
            natural_break = "2m30s"
            [exercises]
            floor_space = true
            equipment = ["band", "pull-up-bar"]
            [quiet_hours]
            start = "18:30"
            end = 07:45:00
        """),
        SOURCE,
    )
    assert found.interval(ReminderKind.POSTURE) == 60 * MIN
    assert found.interval(ReminderKind.HEAD) is None
    assert found.reminders[ReminderKind.HEAD].every == 20 * MIN  # kept for switching back on
    assert found.interval(ReminderKind.STRETCH) == 45 * MIN
    assert found.natural_break == timedelta(minutes=2, seconds=30)
    assert found.gear.floor_space
    assert found.gear.equipment == {Equipment.BAND, Equipment.PULL_UP_BAR}
    assert found.quiet_hours == QuietHours(start=time(18, 30), end=time(7, 45))


def test_quiet_hours_can_be_switched_off_without_removing_them() -> None:
    text = '[quiet_hours]\nenabled = false\nstart = "18:00"\nend = "08:00"\n'
    assert parse_settings(text, SOURCE).quiet_hours is None


def test_a_duration_of_exactly_a_day_is_accepted() -> None:
    text = '[reminders.stretch]\nevery = "24h"\n'
    assert parse_settings(text, SOURCE).interval(ReminderKind.STRETCH) == timedelta(days=1)


# --- the example file stays in sync ------------------------------------------------


def test_the_example_config_gives_exactly_the_defaults() -> None:
    assert parse_settings_bytes(EXAMPLE.read_bytes(), str(EXAMPLE)) == Settings()


def _uncomment(text: str, header: str) -> str:
    """Uncomment the block of ``# ...`` lines that starts with ``# <header>``."""
    lines = text.split("\n")
    start = lines.index(f"# {header}")
    end = start
    while end < len(lines) and lines[end].startswith("# "):
        lines[end] = lines[end][2:]
        end += 1
    return "\n".join(lines)


def test_the_commented_out_examples_work_when_uncommented() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = _uncomment(_uncomment(text, "[[exercises.custom]]"), "[quiet_hours]")
    found = parse_settings(text, str(EXAMPLE))
    assert found.quiet_hours == QuietHours(start=time(18), end=time(8))
    [mine] = found.custom_exercises
    assert mine.name == "Desk Lat Stretch"
    assert mine.position is Position.STANDING
    assert len(mine.steps) == 4


def test_the_example_config_names_every_reminder_kind_and_piece_of_equipment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for kind in ReminderKind:
        assert f"[reminders.{kind.value}]" in text
    for item in Equipment:
        assert f'"{item.value}"' in text


# --- syntax errors -----------------------------------------------------------------


def test_a_toml_syntax_error_names_its_line_and_column() -> None:
    line, key, message = only_problem("""\
        [reminders.head]
        enabled = true
        every = 20m
    """)
    assert (line, key) == (3, "")
    assert message.startswith("TOML syntax error at column 11:")


def test_an_unclosed_table_header_is_a_syntax_error_on_its_line() -> None:
    assert only_problem('# mine\n[reminders.head\nevery = "20m"\n')[0] == 2


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[breaks]\nnatural_break = "5m"\n[reminders.head]\nevery =', 4),
        ('[exercises]\nequipment = ["band",\n  "bench",\n', 3),
        ('[breaks]\nnatural_break = """5m\n\n', 2),
    ],
)
def test_a_file_that_ends_too_soon_points_at_its_last_line(text: str, line: int) -> None:
    found_line, key, message = only_problem(text)
    assert (found_line, key) == (line, "")
    assert message.startswith("TOML syntax error")
    assert "end of the file" in message


def test_a_syntax_error_is_reported_alone_and_first_as_toml_stops_there() -> None:
    found = problems('[reminders.head]\nevery = "20x"\n[breaks]\nnatural_break = = 1\n')
    assert [(line, key) for line, key, _ in found] == [(4, "")]


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "1" * 5000,  # int() refuses numbers over 4300 digits: a plain ValueError
        "a = " + "[" * 5000 + "]" * 5000,  # tomllib recurses once per level
    ],
)
def test_toml_the_parser_cannot_hold_is_a_config_error(text: str) -> None:
    [(_, key, message)] = problems(text)
    assert key == ""
    assert message.startswith("cannot be read as TOML")


# --- wrong types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (
            '[reminders.head]\nenabled = "yes"',
            "reminders.head.enabled",
            "expected true or false, got the text 'yes'",
        ),
        (
            "[exercises]\nfloor_space = 1",
            "exercises.floor_space",
            "expected true or false, got the number 1",
        ),
        (
            ('[quiet_hours]\nstart = "18:00"\nend = "08:00"\nenabled = []'),
            "quiet_hours.enabled",
            "expected true or false, got an array",
        ),
        ("reminders = 5", "reminders", "expected a table ([reminders]), got the number 5"),
        (
            '[reminders]\nhead = "20m"',
            "reminders.head",
            "expected a table ([reminders.head]), got the text '20m'",
        ),
        ("breaks = true", "breaks", "expected a table ([breaks]), got the boolean true"),
        (
            '[exercises]\nequipment = "band"',
            "exercises.equipment",
            "expected an array such as [\"band\"], got the text 'band'",
        ),
        (
            "[reminders.stretch]\nevery = true",
            "reminders.stretch.every",
            "expected a duration such as",
        ),
        ("[reminders.stretch]\nevery = 1.5", "reminders.stretch.every", "got 1.5"),
        ("[reminders.stretch]\nevery = [20]", "reminders.stretch.every", "got [20]"),
    ],
)
def test_a_value_of_the_wrong_type_names_its_line_key_and_what_was_expected(
    text: str, key: str, message: str
) -> None:
    line, found_key, found_message = only_problem("# my settings\n" + text + "\n")
    assert (line, found_key) == (text.count("\n") + 2, key)
    assert message in found_message


# --- durations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"20x"', "'20x' is not a duration; write it like"),
        ('""', "'' is not a duration"),
        ('"1m1h"', "'1m1h' repeats or reorders units"),
        ('"0s"', "must be longer than zero"),
        ("0", "must be longer than zero"),
        ("-300", "must be longer than zero"),
        ('"25h"', "'25h' is longer than a day; use at most 24h"),
        ('"24h1s"', "is longer than a day"),
        ("86401", "86401 is longer than a day"),
        ("9223372036854775807", "is too long to be a duration"),
    ],
)
@pytest.mark.parametrize(
    ("table", "key"),
    [("reminders.stretch", "every"), ("breaks", "natural_break"), ("reminders.head", "every")],
)
def test_a_bad_duration_names_its_line_key_and_the_expected_form(
    value: str, message: str, table: str, key: str
) -> None:
    text = f"# mine\n\n[{table}]\nenabled = true\n{key} = {value}\n"
    if table == "breaks":
        text = text.replace("enabled = true\n", "")
    line, found_key, found_message = only_problem(text)
    assert (line, found_key) == (text.count("\n"), f"{table}.{key}")
    assert message in found_message


# --- unknown tables and keys -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "key", "hint"),
    [
        ('[reminder.head]\nevery = "20m"', 1, "reminder", 'did you mean "reminders"?'),
        ('[reminders.heads]\nevery = "20m"', 1, "reminders.heads", 'did you mean "head"?'),
        ('[reminders]\nheads.every = "20m"', 2, "reminders.heads", 'did you mean "head"?'),
        ('[reminders.head]\nevry = "20m"', 2, "reminders.head.evry", 'did you mean "every"?'),
        ('[breaks]\nnatural = "5m"', 2, "breaks.natural", 'did you mean "natural_break"?'),
        (
            '[quiet_hours]\nstart = "18:00"\nend = "8:00"\nstrat = 1',
            4,
            "quiet_hours.strat",
            '"start"',
        ),
        ("[exercises]\nequipments = []", 2, "exercises.equipments", 'did you mean "equipment"?'),
        (
            "[zzz]\nx = 1",
            1,
            "zzz",
            "expected one of: reminders, exercises, quiet_hours, breaks",
        ),
        ("[reminders.zzz]", 1, "reminders.zzz", "expected one of: posture, head, stretch"),
    ],
)
def test_an_unknown_table_or_key_is_named_with_a_suggestion(
    text: str, line: int, key: str, hint: str
) -> None:
    found_line, found_key, message = only_problem(text + "\n")
    assert (found_line, found_key) == (line, key)
    assert message.startswith("unknown key; ")
    assert hint in message


def test_unknown_equipment_is_named_with_a_suggestion_or_the_choices() -> None:
    found = problems('[exercises]\nfloor_space = true\nequipment = ["bands", "band", "rope"]\n')
    assert found == [
        (3, "exercises.equipment", "unknown equipment 'bands'; did you mean \"band\"?"),
        (
            3,
            "exercises.equipment",
            (
                "unknown equipment 'rope'; expected any of: "
                "pull-up-bar, band, kettlebell, dumbbell, bench"
            ),
        ),
    ]


# --- quiet hours -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "got"),
    [
        ('"25:00"', "the text '25:00'"),
        ('"18:60"', "the text '18:60'"),
        ('"6pm"', "the text '6pm'"),
        ("1800", "the number 1800"),
        ("1979-05-27", "date"),
    ],
)
def test_a_bad_quiet_hours_time_names_its_line_and_an_example(start: str, got: str) -> None:
    text = f'[quiet_hours]\nstart = {start}\nend = "08:00"\n'
    line, key, message = only_problem(text)
    assert (line, key) == (2, "quiet_hours.start")
    assert message == f'expected a time of day such as "18:30", got {got}'


def test_a_missing_quiet_hours_end_points_at_the_table() -> None:
    assert only_problem('\n[quiet_hours]\nstart = "18:00"\n') == (
        2,
        "quiet_hours.end",
        'expected a time of day such as "18:30", got nothing',
    )


def test_quiet_hours_that_start_when_they_end_are_refused() -> None:
    line, key, message = only_problem('[quiet_hours]\nstart = "8:00"\nend = 08:00:00\n')
    assert (line, key) == (3, "quiet_hours.end")
    assert "the same time" in message


@pytest.mark.parametrize(("written", "read"), [('"7:05"', time(7, 5)), ('" 23:59 "', time(23, 59))])
def test_quiet_hours_times_may_be_loosely_written(written: str, read: time) -> None:
    text = f'[quiet_hours]\nstart = {written}\nend = "00:00"\n'
    assert parse_settings(text, SOURCE).quiet_hours == QuietHours(start=read, end=time(0))


# --- custom exercises --------------------------------------------------------------

CUSTOM = """\
[exercises]
floor_space = false

[[exercises.custom]]
name = "Wall angels"
kinds = ["stretch"]
position = "standing"
reps = 8
takes = "1m"
steps = [
  "Stand with your back against a wall.",
  "Slide the arms up and down.",
]

[[exercises.custom]]
name = "Chin tucks"
kinds = ["head"]
position = "seated"
reps = 10
hold = "3s"
takes = "1m"
steps = ["Sit tall.", "Draw the chin straight back."]
"""


def test_custom_exercises_are_read_in_order() -> None:
    found = parse_settings(CUSTOM, SOURCE)
    assert [e.id for e in found.custom_exercises] == ["wall-angels", "chin-tucks"]
    assert found.custom_exercises[1].hold == timedelta(seconds=3)


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "message"),
    [
        ("reps = 10", "reps = 0", 19, "reps", "expected a whole number above zero"),
        ('hold = "3s"', 'hold = "3x"', 20, "hold", "'3x' is not a duration"),
        ('position = "seated"', 'position = "seatd"', 18, "position", "did you mean 'seated'?"),
        ('kinds = ["head"]', 'kinds = ["heads"]', 17, "kinds", "did you mean 'head'?"),
        ('takes = "1m"\nsteps = ["Sit', 'takes = "2s"\nsteps = ["Sit', 21, "takes", "shorter"),
        ("reps = 10", "reps = 10\nrepz = 3", 20, "repz", "unknown field; did you mean 'reps'?"),
        ('name = "Chin tucks"\n', "", 15, "name", "this field is required"),
    ],
)
def test_a_bad_field_in_the_second_custom_exercise_points_at_its_own_line(
    old: str, new: str, line: int, key: str, message: str
) -> None:
    second = CUSTOM.index("[[exercises.custom]]", CUSTOM.index("[[exercises.custom]]") + 1)
    text = CUSTOM[:second] + CUSTOM[second:].replace(old, new, 1)
    found_line, found_key, found_message = only_problem(text)
    assert (found_line, found_key) == (line, f"exercises.custom[1].{key}")
    assert message in found_message


def test_custom_exercises_as_a_single_table_are_explained() -> None:
    text = '[exercises.custom]\nname = "Wall angels"\n'
    assert only_problem(text) == (1, "exercises.custom", "expected [[exercises.custom]] tables")


def test_custom_exercises_that_are_not_tables_are_named_by_index() -> None:
    found = problems('[exercises]\ncustom = [\n  1,\n  "two",\n]\n')
    assert found == [
        (2, "exercises.custom[0]", "expected a table, got the number 1"),
        (2, "exercises.custom[1]", "expected a table, got the text 'two'"),
    ]


def test_a_custom_exercise_with_absurd_reps_is_a_config_error() -> None:
    text = CUSTOM.replace("reps = 10", "reps = 9223372036854775807")
    assert only_problem(text)[1] == "exercises.custom[1].reps"


# --- hostile input that used to pass (issue 13) ------------------------------------


def _custom(name: str, extra: str = "") -> str:
    return (
        dedent(
            f"""\
        [[exercises.custom]]
        name = "{name}"
        kinds = ["stretch"]
        position = "seated"
        reps = 5
        takes = "1m"
        steps = ["Sit tall.", "Breathe out."]
        """
        )
        + extra
    )


@pytest.mark.parametrize(
    ("second", "key"),
    [
        ("My stretch!", "exercises.custom[1].name"),  # slugs to the same id
        ("My Stretch", "exercises.custom[1].name"),  # the same name twice
    ],
)
def test_custom_exercises_whose_ids_collide_are_a_config_error_on_the_second(
    second: str, key: str
) -> None:
    line, found_key, message = only_problem(_custom("My Stretch") + "\n" + _custom(second))
    assert (line, found_key) == (10, key)
    assert "'my-stretch', already used by exercises.custom[0] (line 1)" in message
    assert '"id" of its own' in message


def test_custom_exercises_with_the_same_explicit_id_point_at_the_id() -> None:
    text = _custom("One", 'id = "mine"\n') + "\n" + _custom("Two", 'id = "mine"\n')
    line, key, message = only_problem(text)
    assert (line, key) == (17, "exercises.custom[1].id")
    assert "already used by exercises.custom[0]" in message


def test_custom_exercises_with_different_ids_and_one_replacing_a_built_in_are_fine() -> None:
    text = _custom("Mine") + "\n" + _custom("Thread the needle")
    found = parse_settings(text, SOURCE)
    assert [e.id for e in found.custom_exercises] == ["mine", "thread-the-needle"]


@pytest.mark.parametrize(
    ("text", "line", "key", "code"),
    [
        ('[[exercises.custom]]\nname = "a\\u0000b"\n', 2, "exercises.custom[0].name", "U+0000"),
        ('[reminders.head]\nevery = "20m\\u001b"\n', 2, "reminders.head.every", "U+001B"),
        ('[quiet_hours]\nstart = "18:00\\u007f"\n', 2, "quiet_hours.start", "U+007F"),
        ('[quiet_hours]\nstart = "18:00\\u0085"\n', 2, "quiet_hours.start", "U+0085"),
    ],
)
def test_a_control_character_in_text_names_its_line_and_key(
    text: str, line: int, key: str, code: str
) -> None:
    found = problems(text)
    assert (line, key, f"contains the control character {code}; remove it") in found


def test_a_nul_in_exercise_steps_or_a_key_never_reaches_a_message() -> None:
    text = _custom("Ok").replace('"Breathe out."', '"Breathe\\u0000 out."')
    text += '[breaks]\n"x\\u0000y" = 1\n'
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, SOURCE)
    assert "\x00" not in str(caught.value)
    keys = [problem.key for problem in caught.value.problems]
    assert "exercises.custom[0].steps[1]" in keys
    assert "breaks.x\\u0000y" in keys


def test_tab_and_line_ends_in_text_are_fine() -> None:
    text = _custom("Ok").replace('"Breathe out."', '"""Breathe\tout,\r\nslowly."""')
    assert parse_settings(text, SOURCE).custom_exercises[0].steps[1] == "Breathe\tout,\nslowly."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("takes", '"9999999999h"', "'9999999999h' is too long to be a duration"),
        ("takes", '"100000h"', "'100000h' is too long to be a duration"),
        ("takes", '"24h"', "'24h' is too long for a break; use at most 30m"),
        ("takes", '"31m"', "too long for a break"),
    ],
)
def test_every_exercise_duration_has_an_upper_bound(field: str, value: str, message: str) -> None:
    text = _custom("Long").replace('takes = "1m"', f"{field} = {value}")
    line, key, found = only_problem(text)
    assert (line, key) == (6, f"exercises.custom[0].{field}")
    assert message in found


def test_a_hold_beyond_the_bound_is_refused_not_overflowed() -> None:
    # hold x reps x 2 sides overflowed timedelta (a traceback) before durations had a bound.
    text = _custom("Long").replace("reps = 5", 'reps = 100\nper_side = true\nhold = "23999999976h"')
    assert only_problem(text)[1] in ("exercises.custom[0].hold", "exercises.custom[0].takes")


def test_an_exercise_of_exactly_the_bound_is_accepted() -> None:
    text = _custom("Long").replace('takes = "1m"', 'takes = "30 minutes"')
    assert parse_settings(text, SOURCE).custom_exercises[0].takes == timedelta(minutes=30)


def test_thousands_of_problems_are_reported_as_the_first_twenty_and_a_count() -> None:
    text = "[breaks]\n" + "".join(f"unknown_{n} = 1\n" for n in range(20_000))
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, SOURCE)
    lines = str(caught.value).split("\n")
    assert len(caught.value.problems) == 20_000
    assert len(lines) == 21
    assert lines[-1] == "... and 19980 more problems"
    assert len(str(caught.value)) < 4000


def test_a_very_long_unknown_key_is_shortened_in_the_message() -> None:
    line, key, _ = only_problem("[breaks]\n" + "k" * 10_000 + " = 1\n")
    assert line == 2
    assert key == "breaks." + "k" * 57 + "..."


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        *(('"15 min"', 15), ('"15 mins"', 15), ('"15 minutes"', 15), ('"1 hour"', 60)),
        *(('"1h 30m"', 90), ('"90 sec"', 1.5)),
    ],
)
def test_durations_as_people_write_them_are_accepted_in_the_config(
    written: str, minutes: float
) -> None:
    found = parse_settings(f"[reminders.head]\nevery = {written}\n", SOURCE)
    assert found.interval(ReminderKind.HEAD) == timedelta(minutes=minutes)


@pytest.mark.parametrize("written", ['"15"', '"15 mo"', '"1.5h"', '"1 hour 30"'])
def test_ambiguous_durations_are_still_refused_with_file_line_and_key(written: str) -> None:
    line, key, message = only_problem(f"[reminders.head]\nevery = {written}\n")
    assert (line, key) == (2, "reminders.head.every")
    assert "is not a duration" in message


# --- several problems, one report --------------------------------------------------


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = """\
        [breaks]
        natural_break = "5 monkeys"

        [quiet_hours]
        start = "6pm"
        end = "08:00"

        [reminders.head]
        every = "0s"
        enabld = true

        [exercises]
        equipment = ["rope"]
    """
    assert [(line, key) for line, key, _ in problems(text)] == [
        (2, "breaks.natural_break"),
        (5, "quiet_hours.start"),
        (9, "reminders.head.every"),
        (10, "reminders.head.enabld"),
        (13, "exercises.equipment"),
    ]


def test_the_error_message_lists_one_problem_a_line_as_file_line_key_message() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings("[breaks]\nnatural_break = 0\n[zzz]\n", SOURCE)
    assert str(caught.value).split("\n") == [
        f"{SOURCE}:2: breaks.natural_break: must be longer than zero",
        f"{SOURCE}:3: zzz: unknown key; expected one of: reminders, exercises, quiet_hours, breaks",
    ]


def test_a_problem_without_a_line_or_key_still_names_the_file() -> None:
    assert str(Problem(SOURCE, None, "", "is a folder")) == f"{SOURCE}: is a folder"
    assert str(Problem(SOURCE, 3, "", "bad")) == f"{SOURCE}:3: bad"


# --- bytes: encodings --------------------------------------------------------------


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte() -> None:
    data = b'[reminders.head]\nevery = "20m"\n# caf\xe9 break\n'
    [problem] = _byte_problems(data)
    assert (problem.source, problem.line, problem.key) == (SOURCE, 3, "")
    assert problem.message == "the file is not UTF-8 text (byte 0xe9); save it as UTF-8"


def test_a_utf16_file_is_not_utf8_from_its_first_line() -> None:
    data = "\ufeff[breaks]\n".encode("utf-16")
    [problem] = _byte_problems(data)
    assert problem.line == 1
    assert "not UTF-8" in problem.message


def test_an_editors_utf8_byte_order_mark_is_accepted() -> None:
    data = b'\xef\xbb\xbf[reminders.head]\nevery = "10m"\n'
    found = parse_settings_bytes(data, SOURCE)
    assert found.interval(ReminderKind.HEAD) == 10 * MIN


def test_line_numbers_are_unchanged_by_a_byte_order_mark_or_windows_line_ends() -> None:
    data = b'\xef\xbb\xbf# mine\r\n\r\n[reminders.head]\r\nevery = "10x"\r\n'
    [problem] = _byte_problems(data)
    assert (problem.line, problem.key) == (4, "reminders.head.every")


def _byte_problems(data: bytes) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        parse_settings_bytes(data, SOURCE)
    return caught.value.problems


# --- reading the file (adapters/files.py) ------------------------------------------


def test_tests_never_see_the_real_users_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    # conftest.py points HOME and the XDG folders into a temporary folder for every test.
    home = Path(os.environ["HOME"])
    assert tmp_path_factory.getbasetemp() in home.parents
    paths = Paths.for_user()
    for folder in (paths.config_file, paths.state_dir, paths.data_dir, paths.runtime_dir):
        assert home in folder.parents


def test_runtime_folders_are_xdg_then_the_state_folder_never_tmp(tmp_path: Path) -> None:
    state = tmp_path / "state"
    linux = "linux"
    assert runtime_dirs(state, {"XDG_RUNTIME_DIR": "/run/user/7"}, linux) == (
        Path("/run/user/7/deskmobility"),
        state / "run",
    )
    assert runtime_dirs(state, {}, linux) == (state / "run",)
    assert runtime_dirs(state, {"XDG_RUNTIME_DIR": "relative/dir"}, linux) == (state / "run",)
    assert runtime_dirs(state, {"XDG_RUNTIME_DIR": ""}, linux) == (state / "run",)


def test_no_config_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "config.toml") is None


def test_a_config_file_is_read_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[reminders.head]\nevery = "10m"\n', encoding="utf-8")
    found = load_config(path)
    assert found is not None
    assert found.interval(ReminderKind.HEAD) == 10 * MIN


def test_a_bad_config_file_is_reported_with_its_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\n[reminders.head]\nevery = "10 mim"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}:3: reminders.head.every: ")


def test_a_folder_where_the_config_should_be_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: is a folder, not a config file"


@pytest.mark.parametrize("how", ["below a file", "a link loop"])
def test_a_path_that_cannot_be_opened_is_reported_with_the_reason(tmp_path: Path, how: str) -> None:
    if how == "below a file":
        (tmp_path / "deskmobility").write_text("not a folder", encoding="utf-8")
        path = tmp_path / "deskmobility" / "config.toml"
        reason = "Not a directory"
    else:
        path = tmp_path / "config.toml"
        path.symlink_to(tmp_path / "other.toml")
        (tmp_path / "other.toml").symlink_to(path)
        reason = "Too many levels of symbolic links"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot be read: {reason}"


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder any user can enter (pytest's tmp folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="deskmobility-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Run the block as 'nobody' when the tests run as root, who can read any file.

    The real user id stays root, so the effective one can be switched back.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        yield
        return
    try:
        os.seteuid(65534)
    except PermissionError:
        pytest.skip("root without CAP_SETUID: chmod 000 cannot make a file unreadable here")
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.skipif(os.name != "posix", reason="chmod 000 makes a file unreadable only on POSIX")
def test_an_unreadable_config_file_is_reported_with_its_path(shared_folder: Path) -> None:
    path = shared_folder / "config.toml"
    path.write_text('[reminders.head]\nevery = "10m"\n', encoding="utf-8")
    path.chmod(0)
    with unprivileged(), pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: cannot be read: permission denied"


# --- anything at all in the file ---------------------------------------------------

NAME = "config.toml"
_C = TypeVar("_C", str, bytes)


def _settings_or_config_error(parse: Callable[[_C, str], Settings], content: _C) -> None:
    """Parsing gives Settings or a ConfigError all about this file; anything else fails."""
    try:
        found = parse(content, NAME)
    except ConfigError as error:
        found_problems, message = error.problems, str(error)
    else:
        assert isinstance(found, Settings)
        return
    assert found_problems
    assert all(problem.source == NAME for problem in found_problems)
    assert message.startswith(NAME)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gives_settings_or_a_config_error(text: str) -> None:
    _settings_or_config_error(parse_settings, text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary() | st.text().map(lambda text: b"\xef\xbb\xbf" + text.encode()))
def test_any_bytes_give_settings_or_a_config_error(data: bytes) -> None:
    _settings_or_config_error(parse_settings_bytes, data)


_KEYS = st.sampled_from(
    [
        "reminders", "posture", "head", "stretch", "enabled", "every", "breaks",
        "natural_break", "exercises", "floor_space", "equipment", "custom", "quiet_hours",
        "start", "end", "name", "kinds", "position", "reps", "hold", "takes", "steps",
        "per_side", "caution", "id", "band", "other",
    ]
)  # fmt: skip
_SCALARS = (
    st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(["20m", "0s", "25h", "1m1h", "18:00", "8:00", "band", "seated", "head"])
    | st.text(max_size=8)
    | st.times()
    | st.dates()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_any_config_shaped_document_gives_settings_or_errors_with_lines(
    document: dict[str, object],
) -> None:
    """Valid TOML made of the config's own words: deep enough to reach every check."""
    text = tomli_w.dumps(document)
    try:
        parse_settings(text, NAME)
    except ConfigError as error:
        found_problems = error.problems
    else:
        return
    assert all(problem.source == NAME for problem in found_problems)
    lines = [problem.line for problem in found_problems]
    assert None not in lines, text
    assert lines == sorted(line or 0 for line in lines)


_FRAGMENTS = st.sampled_from(
    [
        "[reminders.head]", "[reminders]", "[reminders.stretch]", "[breaks]", "[exercises]",
        "[quiet_hours]", "[[exercises.custom]]", "[exercises.custom]", "[zzz]",
        'every = "20m"', "every = 0", 'every = "1m1h"', "enabled = true", "enabled = 1",
        "head.every = 5", 'natural_break = "25h"', 'start = "18:00"', 'end = "8:00"',
        "start = 25", "floor_space = false", 'equipment = ["band", "rope"]', "equipment = [",
        '"bench",', "]", 'name = "Wall angels"', 'kinds = ["posture"]', 'position = "seated"',
        "reps = 8", "reps = 0", 'takes = "1m"', 'steps = ["One.", "Two."]', "steps = [",
        '"One.",', 'caution = """', 'Careful # [ """', '"""', "x = '''", "'''",
        '# a comment with """ and [', "", "custom = [1]", '"quoted.key" = 1',
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS | st.text(max_size=10), max_size=15))
def test_any_jumble_of_config_lines_gives_settings_or_errors_with_lines(lines: list[str]) -> None:
    """Hand-written shapes (multi-line values, comments, repeats): TOML or not, never a crash."""
    text = "\n".join(lines)
    try:
        parse_settings(text, NAME)
    except ConfigError as error:
        found_problems = error.problems
    else:
        return
    assert all(problem.source == NAME for problem in found_problems)
    assert None not in [problem.line for problem in found_problems], text


def test_snooze_and_its_limit_are_read_and_checked() -> None:
    settings = parse_settings('[breaks]\nsnooze = "15 min"\nsnooze_limit = 2\n', "c.toml")
    assert (settings.snooze, settings.snooze_limit) == (timedelta(minutes=15), 2)
    assert (Settings().snooze, Settings().snooze_limit) == (timedelta(minutes=10), 3)
    with pytest.raises(ConfigError) as raised:
        parse_settings('[breaks]\nsnooze = "30h"\nsnooze_limit = -1\n', "c.toml")
    problems = str(raised.value)
    assert "c.toml:2: breaks.snooze: '30h' is longer than a day" in problems
    assert "c.toml:3: breaks.snooze_limit: expected 0 to 20, got -1" in problems
