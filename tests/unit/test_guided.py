from __future__ import annotations

from datetime import timedelta

import pytest

from deskmobility.core.budgets import STEP_MAX
from deskmobility.core.exercises import Exercise, ExerciseCatalog
from deskmobility.core.guided import SET_UP, GuidedStep, guided_steps

BUILTIN = ExerciseCatalog.builtin()


def by_id(ex_id: str) -> Exercise:
    exercise = BUILTIN.get(ex_id)
    assert exercise is not None
    return exercise


def test_steps_carry_their_number_words_dose_and_time() -> None:
    steps = guided_steps(by_id("kneeling-thoracic-opener"))
    assert [step.heading for step in steps] == ["Step 1 of 3", "Step 2 of 3", "Step 3 of 3"]
    assert [step.text for step in steps] == list(by_id("kneeling-thoracic-opener").steps)
    assert {step.dose for step in steps} == {"8 reps per side"}
    assert [step.lasts for step in steps] == [SET_UP, timedelta(seconds=35), timedelta(seconds=35)]
    assert steps[0].body == (
        "Kneel, sitting back on your heels.\n"
        "8 reps per side · 5 s\n"
        "Careful: Cushion the knees; skip it if kneeling hurts."
    )
    assert steps[2].body == (
        "Elbow dips to the far knee, then up high. Then switch.\n8 reps per side · 35 s"
    )


def test_only_the_first_step_carries_the_caution() -> None:
    steps = guided_steps(by_id("downward-dog"))
    assert steps[0].caution == by_id("downward-dog").caution
    assert all(step.caution is None for step in steps[1:])
    assert all("Careful" not in step.body for step in steps[1:])


def test_a_ten_second_reset_splits_evenly() -> None:
    steps = guided_steps(by_id("shoulder-drop"))
    assert [step.lasts for step in steps] == [timedelta(seconds=5)] * 2


def test_leftover_seconds_go_to_the_last_steps() -> None:
    # 40 s over three steps: 5 s to set up, then 17 and 18.
    steps = guided_steps(by_id("wrist-flexor-stretch"))
    assert [step.lasts.total_seconds() for step in steps] == [5, 17, 18]


@pytest.mark.parametrize("exercise", BUILTIN.exercises, ids=lambda e: e.id)
def test_every_builtin_exercise_guides_within_the_budget(exercise: Exercise) -> None:
    steps = guided_steps(exercise)
    assert len(steps) == len(exercise.steps)
    assert sum((step.lasts for step in steps), timedelta()) == exercise.takes
    assert all(step.lasts > timedelta() for step in steps)
    assert all(step.dose == exercise.dosage() for step in steps)
    for step in steps:
        assert len(step.body) <= STEP_MAX, step.body
        assert step.body.startswith(step.text)


def test_a_step_without_caution_has_two_lines() -> None:
    step = GuidedStep(2, 3, "Breathe.", "3 breaths", timedelta(seconds=20))
    assert step.heading == "Step 2 of 3"
    assert step.body == "Breathe.\n3 breaths · 20 s"
