from __future__ import annotations

import itertools
import random
import tomllib
from datetime import timedelta
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskmobility.core.exercises import (
    Equipment,
    Exercise,
    ExerciseCatalog,
    ExerciseError,
    Gear,
    Position,
    choose_exercise,
    keep_apart,
    parse_exercise,
    slugify,
)
from deskmobility.core.kinds import ReminderKind

DOMAIN_EXERCISES = (
    "Thread the Needle",
    "Open Book",
    "Kneeling Thoracic Opener",
    "Prone Scorpion",
    "Cat-Cow",
    "Cobra Pose",
    "Downward Dog",
    "Scapular Pull-up",
    "Dead Hang",
    "Bird Dog",
    "Banded Pull-Apart",
    "Side Plank Reach-Through",
    "Kettlebell Pull-Through",
    "Prone Extension",
    "Dumbbell Pullover",
    "Eccentric Chin-up",
)

BUILTIN = ExerciseCatalog.builtin()
EVERYTHING = Gear(floor_space=True, equipment=frozenset(Equipment))


def entry(**changes: object) -> dict[str, Any]:
    """A valid seated exercise table, with some fields changed (None removes a field)."""
    data: dict[str, Any] = {
        "id": "my-drill",
        "name": "My Drill",
        "kinds": ["stretch"],
        "position": "seated",
        "equipment": [],
        "reps": 8,
        "hold": "3s",
        "per_side": True,
        "steps": ["Sit tall.", "Do the thing."],
        "caution": "Stop if it hurts.",
        "takes": "1m",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def desk(ex_id: str, *kinds: ReminderKind) -> Exercise:
    return Exercise(
        id=ex_id,
        name=ex_id.title(),
        kinds=frozenset(kinds),
        position=Position.SEATED,
        equipment=frozenset(),
        reps=5,
        hold=None,
        per_side=False,
        steps=("One.", "Two."),
        caution=None,
        takes=timedelta(seconds=30),
    )


# --- the built-in catalogue -------------------------------------------------


def test_builtin_catalogue_has_all_domain_exercises_and_desk_extras() -> None:
    ids = {exercise.id for exercise in BUILTIN.exercises}
    assert len(BUILTIN.exercises) == 62
    assert {slugify(name) for name in DOMAIN_EXERCISES} <= ids
    assert sum(exercise.fits_at_desk for exercise in BUILTIN.exercises) == 43
    assert len(BUILTIN.eligible(ReminderKind.HEAD, Gear())) == 9


def test_builtin_ids_are_unique_and_written_out_in_the_file() -> None:
    text = resources.files("deskmobility").joinpath("exercises.toml").read_text(encoding="utf-8")
    tables = tomllib.loads(text)["exercise"]
    assert all("id" in table for table in tables)
    ids = [exercise.id for exercise in BUILTIN.exercises]
    assert len(set(ids)) == len(ids) == len(tables)


def test_builtin_entries_have_two_to_five_steps_and_room_for_their_holds() -> None:
    for exercise in BUILTIN.exercises:
        assert 2 <= len(exercise.steps) <= 5, exercise.id
        held = (exercise.hold or timedelta()) * (exercise.reps or 1) * (1 + exercise.per_side)
        assert held <= exercise.takes <= timedelta(minutes=3), exercise.id


@pytest.mark.parametrize("kind", list(ReminderKind))
def test_every_kind_has_at_least_three_desk_exercises(kind: ReminderKind) -> None:
    at_desk = BUILTIN.eligible(kind, Gear())
    assert len(at_desk) >= 3
    assert all(exercise.fits_at_desk for exercise in at_desk)


def test_head_drills_are_the_neck_exercises() -> None:
    head = {exercise.id for exercise in BUILTIN.eligible(ReminderKind.HEAD, EVERYTHING)}
    assert head == {
        "chin-tuck",
        "ear-to-shoulder",
        "neck-rotation",
        "levator-stretch",
        "yes-nods",
        "side-glides",
        "front-neck-stretch",
        "screen-line-up",
        "eyes-lead-turns",
    }


def test_floor_hanging_bench_wall_doorway_and_equipment_work_suits_stretch_breaks_only() -> None:
    away = [exercise for exercise in BUILTIN.exercises if not exercise.fits_at_desk]
    assert len(away) == 19
    assert all(exercise.kinds == {ReminderKind.STRETCH} for exercise in away)


def test_hanging_and_extension_work_carries_a_caution() -> None:
    for ex_id in ("dead-hang", "scapular-pull-up", "eccentric-chin-up", "cobra-pose"):
        caution = BUILTIN.get(ex_id)
        assert caution is not None
        assert caution.caution


def test_builtin_entry_reads_as_written() -> None:
    pullover = BUILTIN.get("dumbbell-pullover")
    assert pullover is not None
    assert pullover.position is Position.BENCH
    assert pullover.equipment == {Equipment.DUMBBELL, Equipment.BENCH}
    assert pullover.reps == 10
    assert pullover.hold is None
    assert BUILTIN.get("no-such-exercise") is None


def test_builtin_is_loaded_once() -> None:
    assert ExerciseCatalog.builtin() is ExerciseCatalog.builtin()


# --- dosage and desk fit ----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"hold": None}, "8 reps per side"),
        ({"reps": None, "per_side": False, "hold": "20s"}, "hold 20 s"),
        ({"reps": None, "hold": "1m30s", "takes": "3m"}, "hold 1 min 30 s per side"),
        ({"reps": 10, "per_side": False}, "10 reps, 3 s holds"),
        ({"reps": 1, "hold": None, "per_side": False}, "1 rep"),
    ],
)
def test_dosage_says_reps_and_holds(changes: dict[str, object], expected: str) -> None:
    assert parse_exercise(entry(**changes)).dosage() == expected


def test_fits_at_desk_needs_seated_or_standing_and_no_equipment() -> None:
    assert parse_exercise(entry(position="standing")).fits_at_desk
    floor = entry(position="floor", kinds=["stretch"])
    assert not parse_exercise(floor).fits_at_desk
    banded = entry(position="standing", kinds=["stretch"], equipment=["band"])
    assert not parse_exercise(banded).fits_at_desk


# --- parse_exercise ---------------------------------------------------------


def test_parse_exercise_reads_every_field() -> None:
    exercise = parse_exercise(entry())
    assert exercise == Exercise(
        id="my-drill",
        name="My Drill",
        kinds=frozenset({ReminderKind.STRETCH}),
        position=Position.SEATED,
        equipment=frozenset(),
        reps=8,
        hold=timedelta(seconds=3),
        per_side=True,
        steps=("Sit tall.", "Do the thing."),
        caution="Stop if it hurts.",
        takes=timedelta(minutes=1),
    )


def test_parse_exercise_derives_the_id_from_the_name() -> None:
    exercise = parse_exercise(entry(id=None, name="  Physio's Wall Slide #2 "))
    assert exercise.id == "physio-s-wall-slide-2"
    assert exercise.name == "Physio's Wall Slide #2"


def test_optional_fields_have_defaults() -> None:
    exercise = parse_exercise(entry(equipment=None, per_side=None, caution=None, hold=None))
    assert exercise.equipment == frozenset()
    assert exercise.per_side is False
    assert exercise.caution is None
    assert exercise.hold is None


@pytest.mark.parametrize(
    ("changes", "key", "fragment"),
    [
        ({"name": None}, "name", "required"),
        ({"kinds": None}, "kinds", "required"),
        ({"position": None}, "position", "required"),
        ({"steps": None}, "steps", "required"),
        ({"takes": None}, "takes", "required"),
        ({"name": "  "}, "name", "non-empty"),
        ({"id": "My Drill"}, "id", "lowercase"),
        ({"kinds": []}, "kinds", "at least one"),
        ({"kinds": "posture"}, "kinds", "expected a list"),
        ({"kinds": ["stretch", "walk"]}, "kinds", "unknown value 'walk'"),
        ({"position": "lying"}, "position", "unknown value 'lying'"),
        ({"position": 3}, "position", "expected text"),
        ({"equipment": ["rope"]}, "equipment", "unknown value 'rope'"),
        ({"reps": 0}, "reps", "above zero"),
        ({"reps": "8"}, "reps", "whole number"),
        ({"reps": True}, "reps", "whole number"),
        ({"reps": None, "hold": None}, "reps", "reps, a hold time, or both"),
        ({"hold": "0s"}, "hold", "longer than zero"),
        ({"hold": "three seconds"}, "hold", "not a duration"),
        ({"takes": "5s"}, "takes", "shorter than the holds"),
        ({"takes": -5}, "takes", "longer than zero"),
        ({"per_side": "yes"}, "per_side", "true or false"),
        ({"steps": ["Only one."]}, "steps", "2 to 5"),
        ({"steps": ["1.", "2.", "3.", "4.", "5.", "6."]}, "steps", "2 to 5"),
        ({"steps": ["Fine.", ""]}, "steps", "non-empty"),
        ({"caution": 42}, "caution", "non-empty text"),
        ({"position": "floor", "kinds": ["posture"]}, "kinds", "suit only 'stretch'"),
        ({"position": "standing", "needs": ["wall"], "kinds": ["head"]}, "kinds", "suit only"),
        ({"needs": ["window"]}, "needs", "unknown value 'window'"),
        ({"unit": "Deep Breaths"}, "unit", "one short lowercase word"),
        ({"kinds": ["posture"], "hold": None}, "takes", "long for a posture check-in"),
        ({"kinds": ["posture"], "position": "standing"}, "position", "done in the chair"),
        ({"equipment": ["band"], "kinds": ["head"]}, "kinds", "suit only 'stretch'"),
    ],
)
def test_parse_exercise_names_the_bad_field(
    changes: dict[str, object], key: str, fragment: str
) -> None:
    with pytest.raises(ExerciseError) as caught:
        parse_exercise(entry(**changes))
    assert caught.value.key == key
    assert fragment in caught.value.message
    assert str(caught.value) == f"{key}: {caught.value.message}"


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("hodl", "hold"), ("step", "steps"), ("perside", "per_side"), ("caution_", "caution")],
)
def test_unknown_field_suggests_the_intended_one(typo: str, suggestion: str) -> None:
    with pytest.raises(ExerciseError) as caught:
        parse_exercise({**entry(), typo: "x"})
    assert caught.value.key == typo
    assert caught.value.message == f"unknown field; did you mean {suggestion!r}?"


def test_unknown_values_suggest_the_intended_one() -> None:
    with pytest.raises(ExerciseError, match=r"did you mean 'pull-up-bar'\?"):
        parse_exercise(entry(kinds=["stretch"], equipment=["pullup-bar"]))
    with pytest.raises(ExerciseError, match=r"did you mean 'stretch'\?"):
        parse_exercise(entry(kinds=["strech"]))


# --- from_toml_text ---------------------------------------------------------

GOOD = """
[[exercise]]
name = "Wall Slide"
kinds = ["stretch"]
position = "standing"
reps = 10
steps = ["Back to the wall.", "Slide the arms up and down."]
takes = "45s"
"""


def test_from_toml_text_reads_tables() -> None:
    catalog = ExerciseCatalog.from_toml_text(GOOD)
    assert [exercise.id for exercise in catalog.exercises] == ["wall-slide"]


def test_from_toml_text_says_which_entry_is_bad() -> None:
    bad = GOOD + GOOD.replace("Wall Slide", "Doorway Hang").replace('"45s"', '"soon"')
    with pytest.raises(ExerciseError) as caught:
        ExerciseCatalog.from_toml_text(bad)
    assert caught.value.key == "takes"
    assert caught.value.message.endswith("(in [[exercise]] #2 ('Doorway Hang'))")


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("[[exercise]\nname = 1", "exercise", "not valid TOML"),
        ("[[exercises]]\nname = 'x'", "exercises", "did you mean 'exercise'?"),
        ("exercise = 3", "exercise", "[[exercise]] table"),
        ("exercise = [1]", "exercise", "#1 is not a table"),
        (GOOD + GOOD, "id", "'wall-slide' is used by more than one"),
    ],
)
def test_from_toml_text_rejects_bad_files(text: str, key: str, fragment: str) -> None:
    with pytest.raises(ExerciseError) as caught:
        ExerciseCatalog.from_toml_text(text)
    assert caught.value.key == key
    assert fragment in caught.value.message


# --- with_extra ---------------------------------------------------------------


def test_with_extra_replaces_builtin_by_id_and_appends_new_ones() -> None:
    own_tuck = desk("chin-tuck", ReminderKind.HEAD)
    new = desk("physio-drill", ReminderKind.POSTURE)
    catalog = BUILTIN.with_extra([new, own_tuck])
    assert len(catalog.exercises) == len(BUILTIN.exercises) + 1
    assert catalog.get("chin-tuck") is own_tuck
    place = [e.id for e in BUILTIN.exercises].index("chin-tuck")
    assert catalog.exercises[place] is own_tuck  # keeps the built-in's place
    assert catalog.exercises[-1] is new
    assert BUILTIN.get("chin-tuck") is not own_tuck  # the original is untouched


def test_with_extra_rejects_the_same_id_twice() -> None:
    with pytest.raises(ExerciseError, match="physio-drill used by more than one"):
        BUILTIN.with_extra([desk("physio-drill"), desk("physio-drill")])


# --- Gear ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ex_id", "gear", "allowed"),
    [
        ("chin-tuck", Gear(), True),
        ("cat-cow", Gear(), False),
        ("cat-cow", Gear(floor_space=True), True),
        ("dead-hang", Gear(floor_space=True), False),
        ("dead-hang", Gear(equipment=frozenset({Equipment.PULL_UP_BAR})), True),
        ("banded-pull-apart", Gear(), False),
        ("banded-pull-apart", Gear(equipment=frozenset({Equipment.BAND})), True),
        ("kettlebell-pull-through", Gear(equipment=frozenset({Equipment.KETTLEBELL})), False),
        (
            "kettlebell-pull-through",
            Gear(floor_space=True, equipment=frozenset({Equipment.KETTLEBELL})),
            True,
        ),
        ("dumbbell-pullover", Gear(equipment=frozenset({Equipment.DUMBBELL})), False),
        (
            "dumbbell-pullover",
            Gear(equipment=frozenset({Equipment.DUMBBELL, Equipment.BENCH})),
            True,
        ),
    ],
)
def test_gear_allows_only_what_the_user_has(ex_id: str, gear: Gear, allowed: bool) -> None:
    exercise = BUILTIN.get(ex_id)
    assert exercise is not None
    assert gear.allows(exercise) is allowed


def test_bench_position_needs_a_bench_even_without_listed_equipment() -> None:
    bench_only = parse_exercise(entry(position="bench", kinds=["stretch"], equipment=[]))
    assert not Gear(floor_space=True).allows(bench_only)
    assert Gear(equipment=frozenset({Equipment.BENCH})).allows(bench_only)


def test_stretch_breaks_add_what_the_gear_allows_to_the_desk_moves() -> None:
    desk_ids = {e.id for e in BUILTIN.eligible(ReminderKind.STRETCH, Gear())}
    with_floor = {e.id for e in BUILTIN.eligible(ReminderKind.STRETCH, Gear(floor_space=True))}
    assert len(desk_ids) == 19
    assert with_floor - desk_ids == {
        "thread-the-needle",
        "open-book",
        "kneeling-thoracic-opener",
        "prone-scorpion",
        "cat-cow",
        "cobra-pose",
        "downward-dog",
        "bird-dog",
        "side-plank-reach-through",
        "prone-extension",
    }
    assert len(BUILTIN.eligible(ReminderKind.STRETCH, EVERYTHING)) == 35
    with_walls = Gear(wall=True, doorway=True)
    assert {e.id for e in BUILTIN.eligible(ReminderKind.STRETCH, with_walls)} - desk_ids == {
        "wall-angel",
        "wall-chest-stretch",
        "doorway-chest-stretch",
    }


def test_gear_does_not_add_floor_work_to_posture_or_head_reminders() -> None:
    for kind in (ReminderKind.POSTURE, ReminderKind.HEAD):
        assert BUILTIN.eligible(kind, EVERYTHING) == BUILTIN.eligible(kind, Gear())


# --- choose_exercise ------------------------------------------------------------


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 -- a reproducible shuffle, not cryptography


def walk(kind: ReminderKind, gear: Gear, count: int, seed: int = 7) -> list[str]:
    rng = seeded(seed)
    shown: list[str] = []
    for _ in range(count):
        shown.append(choose_exercise(BUILTIN, kind, gear, shown, rng).id)
    return shown


@pytest.mark.parametrize("kind", list(ReminderKind))
def test_choose_walks_the_whole_pool_before_repeating(kind: ReminderKind) -> None:
    pool = {exercise.id for exercise in BUILTIN.eligible(kind, Gear())}
    size = len(pool)
    shown = walk(kind, Gear(), 3 * size)
    for start in range(0, 3 * size, size):
        assert set(shown[start : start + size]) == pool
    assert all(a != b for a, b in itertools.pairwise(shown))


def test_choose_with_a_seeded_rng_is_deterministic() -> None:
    first = walk(ReminderKind.STRETCH, EVERYTHING, 40, seed=3)
    assert walk(ReminderKind.STRETCH, EVERYTHING, 40, seed=3) == first
    assert walk(ReminderKind.STRETCH, EVERYTHING, 40, seed=4) != first


def test_choose_skips_everything_already_shown_this_round() -> None:
    head = [e.id for e in BUILTIN.eligible(ReminderKind.HEAD, Gear())]
    recent = ["cat-cow", *head[:-1], "calf-raises"]  # other kinds' ids are ignored
    for seed in range(10):
        rng = seeded(seed)
        assert choose_exercise(BUILTIN, ReminderKind.HEAD, Gear(), recent, rng).id == head[-1]


def test_choose_starts_a_new_round_with_those_shown_longest_ago() -> None:
    head = [e.id for e in BUILTIN.eligible(ReminderKind.HEAD, Gear())]
    assert keep_apart(len(head)) == len(head) - 2
    picks = {
        choose_exercise(BUILTIN, ReminderKind.HEAD, Gear(), head, seeded(seed)).id
        for seed in range(60)
    }
    assert picks == set(head[:2])


@pytest.mark.parametrize(
    ("size", "apart"), [(1, 0), (2, 1), (3, 1), (4, 2), (8, 6), (9, 7), (16, 12), (20, 15)]
)
def test_keep_apart_leaves_two_or_a_quarter_of_the_pool_to_chance(size: int, apart: int) -> None:
    assert keep_apart(size) == apart


@settings(database=None)
@given(size=st.integers(1, 25), seed=st.integers(0, 2**32), picks=st.integers(1, 80))
def test_repeats_are_kept_apart_across_rounds(size: int, seed: int, picks: int) -> None:
    catalog = ExerciseCatalog(tuple(desk(f"drill-{n}", ReminderKind.HEAD) for n in range(size)))
    rng = seeded(seed)
    shown: list[str] = []
    for _ in range(picks):
        shown.append(choose_exercise(catalog, ReminderKind.HEAD, Gear(), shown, rng).id)
    for start in range(0, picks, size):  # every round shows each drill once
        chunk = shown[start : start + size]
        assert len(set(chunk)) == len(chunk)
    last_seen: dict[str, int] = {}
    for index, ex_id in enumerate(shown):
        if ex_id in last_seen:
            assert index - last_seen[ex_id] > keep_apart(size)
        last_seen[ex_id] = index


def test_head_reminders_suggest_only_head_drills() -> None:
    head = {e.id for e in BUILTIN.exercises if ReminderKind.HEAD in e.kinds}
    assert set(walk(ReminderKind.HEAD, EVERYTHING, 30)) == head


def test_floor_work_only_with_floor_space() -> None:
    by_id = {exercise.id: exercise for exercise in BUILTIN.exercises}
    at_desk = walk(ReminderKind.STRETCH, Gear(), 60)
    assert all(by_id[ex_id].fits_at_desk for ex_id in at_desk)
    roomy = walk(ReminderKind.STRETCH, Gear(floor_space=True), 23)
    positions = {by_id[ex_id].position for ex_id in roomy}
    assert positions == {Position.SEATED, Position.STANDING, Position.FLOOR}


def test_equipment_only_when_owned() -> None:
    band = Gear(equipment=frozenset({Equipment.BAND}))
    shown = walk(ReminderKind.STRETCH, band, 14)
    assert "banded-pull-apart" in shown
    assert not {"dead-hang", "kettlebell-pull-through", "dumbbell-pullover"} & set(shown)


def test_single_exercise_pool_repeats_it() -> None:
    catalog = ExerciseCatalog((desk("only-one", ReminderKind.POSTURE),))
    rng = seeded(1)
    for _ in range(3):
        assert choose_exercise(catalog, ReminderKind.POSTURE, Gear(), ["only-one"], rng).id == (
            "only-one"
        )


def test_empty_pool_falls_back_to_builtin_desk_exercises() -> None:
    catalog = ExerciseCatalog((desk("only-posture", ReminderKind.POSTURE),))
    picked = choose_exercise(catalog, ReminderKind.HEAD, EVERYTHING, [], seeded(0))
    assert picked in BUILTIN.eligible(ReminderKind.HEAD, Gear())


@settings(database=None)
@given(
    kind=st.sampled_from(list(ReminderKind)),
    floor=st.booleans(),
    owned=st.frozensets(st.sampled_from(list(Equipment))),
    recent=st.lists(st.sampled_from([e.id for e in BUILTIN.exercises]), max_size=40),
    seed=st.integers(0, 2**32),
)
def test_choose_always_suggests_something_allowed_and_new(
    kind: ReminderKind, floor: bool, owned: frozenset[Equipment], recent: list[str], seed: int
) -> None:
    gear = Gear(floor_space=floor, equipment=owned)
    picked = choose_exercise(BUILTIN, kind, gear, recent, seeded(seed))
    pool = BUILTIN.eligible(kind, gear)
    assert picked in pool
    last = [ex_id for ex_id in recent if BUILTIN.get(ex_id) in pool]
    if last:
        assert picked.id != last[-1]
