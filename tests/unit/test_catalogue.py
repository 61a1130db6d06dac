"""The built-in catalogue as content: enough of each kind for where the person is, true
place labels, the cautions that matter, and every entry within the notification budgets."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest

from deskmobility.core.budgets import (
    CUT_AT,
    REMINDER_BODY_MAX,
    STEP_MAX,
    TITLE_MAX,
    budget_problems,
    lead_merges,
)
from deskmobility.core.exercises import Exercise, ExerciseCatalog, Gear
from deskmobility.core.guided import guided_steps
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import micro_break_message, reminder_message, step_message
from deskmobility.core.places import Equipment, Need, Position, place_label

BUILTIN = ExerciseCatalog.builtin()
EVERYTHING = Gear(floor_space=True, equipment=frozenset(Equipment), wall=True, doorway=True)
ALL = BUILTIN.exercises


def by_id(ex_id: str) -> Exercise:
    exercise = BUILTIN.get(ex_id)
    assert exercise is not None, ex_id
    return exercise


# --- enough of each, at default settings --------------------------------------------


def test_posture_check_ins_have_ten_true_resets() -> None:
    resets = BUILTIN.eligible(ReminderKind.POSTURE, Gear())
    assert len(resets) >= 10
    for exercise in resets:
        assert exercise.position is Position.SEATED, exercise.id
        assert exercise.takes <= timedelta(seconds=10), exercise.id
        assert len(exercise.steps) <= 2, exercise.id  # nothing to learn
        assert exercise.kinds == {ReminderKind.POSTURE}, exercise.id


def test_head_reminders_have_eight_drills_of_their_own_in_the_chair() -> None:
    drills = BUILTIN.eligible(ReminderKind.HEAD, Gear())
    assert len(drills) >= 8
    assert all(e.kinds == {ReminderKind.HEAD} and e.position is Position.SEATED for e in drills)


def test_stretch_breaks_have_sixteen_desk_suggestions_with_a_walk_and_hand_work() -> None:
    at_desk = BUILTIN.eligible(ReminderKind.STRETCH, Gear())
    assert len(at_desk) >= 16
    assert all(exercise.fits_at_desk for exercise in at_desk)
    ids = {exercise.id for exercise in at_desk}
    assert "short-walk" in ids
    hands = {e.id for e in at_desk if re.search(r"\b(wrist|finger|palm)", " ".join(e.steps))}
    assert len(hands) >= 3, hands


def test_eye_rest_has_its_own_few_drills() -> None:
    drills = BUILTIN.eligible(ReminderKind.EYES, Gear())
    assert 3 <= len(drills) <= 6
    assert all(e.kinds == {ReminderKind.EYES} and e.fits_at_desk for e in drills)
    assert any("20" in " ".join(e.steps) for e in drills)  # the 20-20-20 focus change


def test_counts_per_kind_and_place() -> None:
    counts = Counter((kind.value, place_label(e)) for e in ALL for kind in e.kinds)
    assert counts == {
        ("posture", "chair"): 11,
        ("head", "chair"): 9,
        ("eyes", "chair"): 4,
        ("stretch", "chair"): 12,
        ("stretch", "on your feet"): 7,
        ("stretch", "wall"): 2,
        ("stretch", "doorway"): 1,
        ("stretch", "floor"): 10,
        ("stretch", "floor, kettlebell"): 1,
        ("stretch", "pull-up bar"): 3,
        ("stretch", "on your feet, band"): 1,
        ("stretch", "bench, dumbbell"): 1,
    }


# --- place needs -------------------------------------------------------------------


def test_wall_and_doorway_work_is_offered_only_when_the_config_says_they_are_there() -> None:
    default = {e.id for e in BUILTIN.eligible(ReminderKind.STRETCH, Gear())}
    assert not {"wall-angel", "wall-chest-stretch", "doorway-chest-stretch"} & default
    walled = {e.id for e in BUILTIN.eligible(ReminderKind.STRETCH, Gear(wall=True))}
    assert {"wall-angel", "wall-chest-stretch"} <= walled
    assert "doorway-chest-stretch" not in walled
    assert "doorway-chest-stretch" in {
        e.id for e in BUILTIN.eligible(ReminderKind.STRETCH, Gear(doorway=True))
    }


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.id)
def test_the_place_label_says_what_the_steps_use(exercise: Exercise) -> None:
    label = place_label(exercise)
    text = " ".join(exercise.steps).lower()
    if Need.WALL in exercise.needs:
        assert label == "wall"
        assert "wall" in text
    if Need.DOORWAY in exercise.needs:
        assert label == "doorway"
        assert "door" in text
    if "wall" in text or "door" in text:
        assert exercise.needs, "the steps use a wall or a door the label does not name"
    if exercise.position is Position.FLOOR:
        assert label.startswith("floor")
    for item in exercise.equipment:
        assert item.value.replace("-", " ") in label.replace("-", " ")
    if exercise.position is Position.SEATED:
        assert label == "chair"
        assert not re.search(r"\bstand\b|\bstand up\b|\bfloor\b.*\blie\b", text), text


def test_place_labels_read_naturally() -> None:
    assert place_label(by_id("chin-tuck")) == "chair"
    assert place_label(by_id("calf-raises")) == "on your feet"
    assert place_label(by_id("wall-angel")) == "wall"
    assert place_label(by_id("dead-hang")) == "pull-up bar"  # the bar is not named twice
    assert place_label(by_id("dumbbell-pullover")) == "bench, dumbbell"
    assert place_label(by_id("kettlebell-pull-through")) == "floor, kettlebell"


# --- safety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ex_id", "words"),
    [
        ("downward-dog", ("head", "heart", "wrist")),
        ("thread-the-needle", ("knee",)),
        ("kneeling-thoracic-opener", ("knee",)),
        ("banded-pull-apart", ("band",)),
        ("seated-thoracic-extension", ("castors",)),
        ("seated-thoracic-rotation", ("swivel",)),
        ("dead-hang", ("shoulder",)),
        ("cobra-pose", ("back",)),
    ],
)
def test_the_cautions_that_matter_are_there(ex_id: str, words: tuple[str, ...]) -> None:
    caution = (by_id(ex_id).caution or "").lower()
    for word in words:
        assert word in caution, (ex_id, word)


@pytest.mark.parametrize("exercise", [e for e in ALL if e.per_side], ids=lambda e: e.id)
def test_every_per_side_exercise_says_when_to_switch(exercise: Exercise) -> None:
    text = " ".join(exercise.steps).lower()
    assert re.search(r"switch|swap|change|other (side|way|leg|arm|hand|forearm)", text), text


def test_no_exercise_tells_the_person_to_force_a_range() -> None:
    for exercise in ALL:
        text = " ".join((*exercise.steps, exercise.caution or "")).lower()
        assert not re.search(r"\bforce (the|your)\b|\bas far as you can\b", text), exercise.id


# --- budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.id)
def test_every_entry_keeps_to_the_budgets(exercise: Exercise) -> None:
    assert budget_problems(exercise) == []
    assert len(micro_break_message(exercise).title) <= TITLE_MAX
    assert len(micro_break_message(exercise).body) <= CUT_AT
    for kinds in lead_merges(exercise):
        message = reminder_message(kinds, exercise)
        assert len(message.title) <= TITLE_MAX, message.title
        assert len(message.body) <= REMINDER_BODY_MAX, message.body
    for step in guided_steps(exercise):
        assert len(step.body) <= STEP_MAX, step.body
        assert len(step_message(exercise, step).title) <= TITLE_MAX


def test_a_micro_break_puts_the_caution_before_the_steps() -> None:
    body = micro_break_message(by_id("downward-dog")).body.splitlines()
    assert body[0] == "hold 20 s · about 35 s"
    assert body[1].startswith("Careful: Head goes below heart")
    assert body[2].startswith("1. ")


def test_the_budgets_catch_what_is_too_long() -> None:
    long = Exercise(
        id="long",
        name="A Name Far Too Long For Any Title Bar",
        kinds=frozenset({ReminderKind.STRETCH}),
        position=Position.SEATED,
        equipment=frozenset(),
        reps=5,
        hold=None,
        per_side=False,
        steps=("x" * 100, "y" * 130),
        caution="z" * 60,
        takes=timedelta(seconds=30),
    )
    keys = [key for key, _ in budget_problems(long)]
    assert keys == ["name", "caution", "steps", "steps"]  # step 1 would fit without it
    short_steps = replace(long, name="Short", steps=("Sit tall.", "Breathe."), caution="w" * 90)
    assert budget_problems(short_steps) == [
        ("caution", "step 1 shows 122 characters with its dose and the caution; keep it within 120")
    ]
