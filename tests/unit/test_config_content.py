"""Config keys for content: where the person sits (wall, doorway), eye rest, and custom
exercises held to the same budgets and rules as the built-in ones (file:line:key)."""

from __future__ import annotations

from datetime import timedelta
from textwrap import dedent

import pytest

from deskmobility.core.config import ConfigError, parse_settings
from deskmobility.core.exercises import Equipment
from deskmobility.core.kinds import ReminderKind

SOURCE = "/home/me/.config/deskmobility/config.toml"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(dedent(text), SOURCE)
    return [str(problem) for problem in caught.value.problems]


def test_an_old_config_with_floor_space_and_equipment_still_loads() -> None:
    found = parse_settings('[exercises]\nfloor_space = true\nequipment = ["band"]\n', SOURCE)
    assert found.gear.floor_space
    assert found.gear.equipment == {Equipment.BAND}
    assert not found.gear.wall
    assert not found.gear.doorway


def test_wall_and_doorway_say_what_the_room_has() -> None:
    found = parse_settings("[exercises]\nwall_space = true\ndoorway = true\n", SOURCE)
    assert found.gear.wall
    assert found.gear.doorway


def test_a_wall_written_wrong_is_named_with_its_line() -> None:
    assert problems('[exercises]\nfloor_space = true\nwall_space = "yes"\n') == [
        f"{SOURCE}:3: exercises.wall_space: expected true or false, got the text 'yes'"
    ]
    assert problems("[exercises]\ndoorways = true\n") == [
        f'{SOURCE}:2: exercises.doorways: unknown key; did you mean "doorway"?'
    ]


def test_eye_rest_is_switched_on_in_its_own_table() -> None:
    found = parse_settings('[reminders.eyes]\nenabled = true\nevery = "25m"\n', SOURCE)
    assert found.interval(ReminderKind.EYES) == timedelta(minutes=25)
    assert parse_settings("", SOURCE).interval(ReminderKind.EYES) is None


CUSTOM = """\
[[exercises.custom]]
name = "Towel Stretch"
kinds = ["stretch"]
position = "seated"
reps = 5
takes = "40s"
steps = ["Hold a towel behind your back.", "Draw it up with the top hand."]
"""


def test_a_custom_exercise_within_the_budgets_is_read() -> None:
    [mine] = parse_settings(CUSTOM, SOURCE).custom_exercises
    assert mine.name == "Towel Stretch"


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "fragment"),
    [
        (
            'name = "Towel Stretch"',
            'name = "My Physiotherapist\'s Towel Stretch"',
            2,
            "name",
            "long for a notification title; use at most 27",
        ),
        (
            '"Draw it up with the top hand."',
            '"' + "Draw it up with the top hand, " * 5 + '"',
            7,
            "steps",
            "step 2 shows 163 characters with its dose; keep it within 120",
        ),
        (
            "reps = 5",
            'reps = 5\ncaution = "' + "Careful now. " * 8 + '"',
            6,
            "caution",
            "step 1 shows 156 characters with its dose and the caution",
        ),
        (
            'kinds = ["stretch"]',
            'kinds = ["posture"]',
            6,
            "takes",
            "'40s' is long for a posture check-in",
        ),
        (
            'kinds = ["stretch"]',
            'kinds = ["head"]\nneeds = ["wall"]',
            3,
            "kinds",
            "wall, doorway and equipment exercises suit only 'stretch'",
        ),
    ],
)
def test_a_custom_exercise_over_budget_is_a_config_error_at_its_key(
    old: str, new: str, line: int, key: str, fragment: str
) -> None:
    text = CUSTOM.replace(old, new, 1)
    found = problems(text)
    assert len(found) == 1, found
    [problem] = found
    assert problem.startswith(f"{SOURCE}:{line}: exercises.custom[0].{key}: "), problem
    assert fragment in problem
