from __future__ import annotations

import itertools

import pytest

from deskmobility.core.budgets import CUT_AT, REMINDER_BODY_MAX, TITLE_MAX
from deskmobility.core.exercises import Equipment, Exercise, ExerciseCatalog, Gear
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import (
    CUES,
    DISCLAIMER,
    cue,
    kinds_in_title,
    lead_kind,
    micro_break_done_message,
    reminder_message,
    reminder_title,
    welcome_message,
)
from deskmobility.core.places import Position

BUILTIN = ExerciseCatalog.builtin()
EVERYTHING = Gear(floor_space=True, equipment=frozenset(Equipment), wall=True, doorway=True)
POSTURE, HEAD, STRETCH, EYES = ReminderKind
STAND_UP = ("get up", "out of the chair", "stand")


def by_id(ex_id: str) -> Exercise:
    exercise = BUILTIN.get(ex_id)
    assert exercise is not None
    return exercise


@pytest.mark.parametrize("exercise", BUILTIN.eligible(STRETCH, EVERYTHING), ids=lambda e: e.id)
def test_the_stretch_cue_agrees_with_where_the_exercise_is_done(exercise: Exercise) -> None:
    said = cue(STRETCH, exercise).lower()
    if exercise.position is Position.SEATED:
        assert not any(words in said for words in STAND_UP), said
        assert "chair" in said
    else:
        assert any(words in said for words in STAND_UP), said


def test_the_cue_names_a_wall_or_doorway_when_the_exercise_needs_one() -> None:
    assert "wall" in cue(STRETCH, by_id("wall-angel"))
    assert "doorway" in cue(STRETCH, by_id("doorway-chest-stretch"))
    assert "floor" in cue(STRETCH, by_id("cat-cow"))


def test_a_single_reminder_is_a_cue_and_one_exercise() -> None:
    message = reminder_message((HEAD,), by_id("chin-tuck"))
    assert message.title == "Head position"
    assert message.body == (
        "Let your head float back over your shoulders.\nTry: Chin Tuck (5 reps, 3 s holds)"
    )


def test_the_head_cue_is_about_the_screen_not_a_phone() -> None:
    assert "phone" not in CUES[HEAD]


def test_merged_reminders_lead_with_one_cue_and_list_the_rest_after() -> None:
    message = reminder_message((POSTURE, HEAD, STRETCH), by_id("calf-raises"))
    assert message.title == "Posture + head + stretch"
    assert message.body.splitlines() == [
        "Time to get out of the chair and move.",
        "Try: Calf Raises (12 reps)",
        "After: sit tall; head over your shoulders.",
    ]


def test_lead_kind_prefers_the_most_active() -> None:
    assert lead_kind((POSTURE, HEAD, STRETCH, EYES)) is STRETCH
    assert lead_kind((POSTURE, EYES)) is EYES
    assert lead_kind((POSTURE, HEAD)) is HEAD


def test_every_merge_of_every_exercise_fits_the_budgets() -> None:
    longest = 0
    for size in range(1, 5):
        for kinds in itertools.combinations(ReminderKind, size):
            for exercise in BUILTIN.eligible(lead_kind(kinds), EVERYTHING):
                message = reminder_message(kinds, exercise)
                assert len(message.title) <= TITLE_MAX
                longest = max(longest, len(message.body))
    assert longest <= REMINDER_BODY_MAX


@pytest.mark.parametrize(
    "kinds",
    [kinds for size in range(1, 5) for kinds in itertools.combinations(ReminderKind, size)],
)
def test_a_title_reads_back_as_its_kinds(kinds: tuple[ReminderKind, ...]) -> None:
    assert kinds_in_title(reminder_title(kinds)) == frozenset(kinds)


@pytest.mark.parametrize(
    "title", ["Micro-break done", "Config not applied", "Posture", "Head + nothing", ""]
)
def test_other_titles_name_no_kinds(title: str) -> None:
    assert kinds_in_title(title) == frozenset()


def test_the_done_note_names_the_exercise() -> None:
    done = micro_break_done_message(by_id("open-book"))
    assert done.title == "Micro-break done"
    assert "Open Book" in done.body


@pytest.mark.parametrize(("tray", "actions"), [(True, True), (False, True), (False, False)])
def test_the_welcome_says_how_to_act_here_and_that_it_is_not_medical_advice(
    tray: bool, actions: bool
) -> None:
    welcome = welcome_message(tray=tray, actions=actions)
    assert "not medical advice" in welcome.body
    assert welcome.body.endswith(DISCLAIMER)
    assert len(welcome.title) <= TITLE_MAX
    assert len(welcome.body) <= CUT_AT
    assert ("No tray" in welcome.body) is not tray
    assert ("`deskmobility break`" in welcome.body) is not tray
