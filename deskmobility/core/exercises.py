"""The exercise catalogue: what an exercise is, reading one from TOML, and picking the next one."""

from __future__ import annotations

import difflib
import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from importlib import resources
from typing import TYPE_CHECKING, TypeVar

from deskmobility.core.durations import DurationError, parse_duration
from deskmobility.core.kinds import ReminderKind

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence

MIN_STEPS = 2
MAX_STEPS = 5


class Position(StrEnum):
    """Where the exercise is done; floor, hanging and bench need more than a desk."""

    SEATED = "seated"
    STANDING = "standing"
    FLOOR = "floor"
    HANGING = "hanging"
    BENCH = "bench"


class Equipment(StrEnum):
    """Gear an exercise may need."""

    PULL_UP_BAR = "pull-up-bar"
    BAND = "band"
    KETTLEBELL = "kettlebell"
    DUMBBELL = "dumbbell"
    BENCH = "bench"


_AT_DESK = frozenset({Position.SEATED, Position.STANDING})


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalogue, validated."""

    id: str
    name: str
    kinds: frozenset[ReminderKind]
    position: Position
    equipment: frozenset[Equipment]
    reps: int | None
    hold: timedelta | None
    per_side: bool
    steps: tuple[str, ...]
    caution: str | None
    takes: timedelta

    def dosage(self) -> str:
        """Say how much to do: ``"8 reps per side"``, ``"hold 20 s"``, ``"10 reps, 3 s holds"``."""
        side = " per side" if self.per_side else ""
        if self.reps is None:
            return f"hold {_say(self.hold or timedelta())}{side}"
        reps = f"{self.reps} rep{'' if self.reps == 1 else 's'}{side}"
        if self.hold is None:
            return reps
        return f"{reps}, {_say(self.hold)} holds"

    @property
    def fits_at_desk(self) -> bool:
        """Whether it can be done right at the desk: seated or standing, with no equipment."""
        return self.position in _AT_DESK and not self.equipment


def _say(span: timedelta) -> str:
    minutes, seconds = divmod(round(span.total_seconds()), 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


class ExerciseError(ValueError):
    """An exercise table that cannot be used; ``key`` names the offending field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


_REQUIRED = ("name", "kinds", "position", "steps", "takes")
_OPTIONAL = ("id", "equipment", "reps", "hold", "per_side", "caution")
_FIELDS = (*_REQUIRED, *_OPTIONAL)
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_E = TypeVar("_E", bound=StrEnum)


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of {', '.join(repr(o) for o in options)}"


def slugify(name: str) -> str:
    """Make an exercise id from its name: ``"Thread the Needle"`` -> ``"thread-the-needle"``."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


def _text(data: Mapping[str, object], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ExerciseError(key, f"expected non-empty text, got {value!r}")
    return value.strip()


def _enum(enum: type[_E], key: str, value: object) -> _E:
    if not isinstance(value, str):
        raise ExerciseError(key, f"expected text, got {value!r}")
    try:
        return enum(value)
    except ValueError:
        options = [member.value for member in enum]
        raise ExerciseError(
            key, f"unknown value {value!r}{_did_you_mean(value, options)}"
        ) from None


def _enum_set(enum: type[_E], data: Mapping[str, object], key: str) -> frozenset[_E]:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise ExerciseError(key, f"expected a list, got {values!r}")
    return frozenset(_enum(enum, key, value) for value in values)


def _duration(data: Mapping[str, object], key: str) -> timedelta | None:
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


def _reps(data: Mapping[str, object]) -> int | None:
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


def _steps(data: Mapping[str, object]) -> tuple[str, ...]:
    steps = data["steps"]
    if not isinstance(steps, list) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise ExerciseError("steps", f"expected a list of {MIN_STEPS} to {MAX_STEPS} sentences")
    if not all(isinstance(step, str) and step.strip() for step in steps):
        raise ExerciseError("steps", "every step must be non-empty text")
    return tuple(step.strip() for step in steps)


def _check_keys(data: Mapping[str, object]) -> None:
    for key in data:
        if key not in _FIELDS:
            raise ExerciseError(key, f"unknown field{_did_you_mean(key, _FIELDS)}")
    for key in _REQUIRED:
        if key not in data:
            raise ExerciseError(key, "this field is required")


def parse_exercise(data: Mapping[str, object]) -> Exercise:
    """Validate one ``[[exercise]]`` table; ``id`` defaults to the slugified name."""
    _check_keys(data)
    name = _text(data, "name")
    ex_id = _text(data, "id") if "id" in data else slugify(name)
    if not _SLUG.fullmatch(ex_id):
        raise ExerciseError("id", f"use lowercase letters, digits and dashes, got {ex_id!r}")
    kinds = _enum_set(ReminderKind, data, "kinds")
    if not kinds:
        raise ExerciseError("kinds", "name at least one of 'posture', 'head', 'stretch'")
    per_side = data.get("per_side", False)
    if not isinstance(per_side, bool):
        raise ExerciseError("per_side", f"expected true or false, got {per_side!r}")
    reps, hold = _reps(data), _duration(data, "hold")
    if reps is None and hold is None:
        raise ExerciseError("reps", "give reps, a hold time, or both")
    takes = _duration(data, "takes") or timedelta()
    held = (hold or timedelta()) * (reps or 1) * (2 if per_side else 1)
    if takes < held:
        raise ExerciseError("takes", f"{data['takes']!r} is shorter than the holds it contains")
    exercise = Exercise(
        id=ex_id,
        name=name,
        kinds=kinds,
        position=_enum(Position, "position", data["position"]),
        equipment=_enum_set(Equipment, data, "equipment"),
        reps=reps,
        hold=hold,
        per_side=per_side,
        steps=_steps(data),
        caution=_text(data, "caution") if "caution" in data else None,
        takes=takes,
    )
    if not exercise.fits_at_desk and kinds != {ReminderKind.STRETCH}:
        raise ExerciseError(
            "kinds",
            "floor, hanging, bench and equipment exercises suit only 'stretch': "
            "posture and head reminders happen at the desk",
        )
    return exercise


@dataclass(frozen=True)
class Gear:
    """What the user has beyond a desk and a chair (from their config)."""

    floor_space: bool = False
    equipment: frozenset[Equipment] = frozenset()

    def allows(self, exercise: Exercise) -> bool:
        """Whether the user has the room and the gear for this exercise."""
        needs = {
            Position.FLOOR: self.floor_space,
            Position.BENCH: Equipment.BENCH in self.equipment,
            Position.HANGING: Equipment.PULL_UP_BAR in self.equipment,
        }
        return needs.get(exercise.position, True) and exercise.equipment <= self.equipment


@dataclass(frozen=True)
class ExerciseCatalog:
    """An ordered set of exercises with unique ids."""

    exercises: tuple[Exercise, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for exercise in self.exercises:
            if exercise.id in seen:
                raise ExerciseError("id", f"{exercise.id!r} is used by more than one exercise")
            seen.add(exercise.id)

    @classmethod
    def builtin(cls) -> ExerciseCatalog:
        """Load the catalogue shipped with the package (once; later calls reuse it)."""
        return _builtin()

    @classmethod
    def from_toml_text(cls, text: str) -> ExerciseCatalog:
        """Read a file of ``[[exercise]]`` tables; errors say which entry is wrong."""
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ExerciseError("exercise", f"not valid TOML: {exc}") from None
        for key in document:
            if key != "exercise":
                raise ExerciseError(key, f"unknown table{_did_you_mean(key, ['exercise'])}")
        tables = document.get("exercise", [])
        if not isinstance(tables, list):
            raise ExerciseError("exercise", "write each exercise as an [[exercise]] table")
        exercises = []
        for number, table in enumerate(tables, start=1):
            where = f"[[exercise]] #{number}"
            if not isinstance(table, dict):
                raise ExerciseError("exercise", f"{where} is not a table")
            if isinstance(table.get("name"), str):
                where += f" ({table['name']!r})"
            try:
                exercises.append(parse_exercise(table))
            except ExerciseError as exc:
                raise ExerciseError(exc.key, f"{exc.message} (in {where})") from None
        return cls(tuple(exercises))

    def with_extra(self, extra: Sequence[Exercise]) -> ExerciseCatalog:
        """Add the user's own exercises; one with a built-in id replaces it in place."""
        mine = {exercise.id: exercise for exercise in extra}
        if len(mine) != len(extra):
            ids = [exercise.id for exercise in extra]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise ExerciseError("id", f"{', '.join(twice)} used by more than one exercise")
        kept = tuple(mine.pop(e.id, e) for e in self.exercises)
        return ExerciseCatalog(kept + tuple(e for e in extra if e.id in mine))

    def eligible(self, kind: ReminderKind, gear: Gear) -> tuple[Exercise, ...]:
        """List the exercises a reminder of this kind may suggest, given the user's gear."""
        return tuple(e for e in self.exercises if kind in e.kinds and gear.allows(e))

    def get(self, exercise_id: str) -> Exercise | None:
        """Return the exercise with this id, or None."""
        return next((e for e in self.exercises if e.id == exercise_id), None)


@functools.cache
def _builtin() -> ExerciseCatalog:
    text = resources.files("deskmobility").joinpath("exercises.toml").read_text(encoding="utf-8")
    return ExerciseCatalog.from_toml_text(text)


def choose_exercise(
    catalog: ExerciseCatalog,
    kind: ReminderKind,
    gear: Gear,
    recent: Sequence[str],
    rng: random.Random,
) -> Exercise:
    """Pick the next exercise to suggest, cycling through the eligible ones without repeats.

    ``recent`` holds ids already suggested, most recent last. Each eligible exercise
    comes once before any comes again; when a round is complete, the next one starts
    with anything but the exercise just shown. If the catalogue has nothing for this
    kind and gear, the built-in desk exercises of the kind are used instead.
    """
    pool = catalog.eligible(kind, gear) or ExerciseCatalog.builtin().eligible(kind, Gear())
    ids = {exercise.id for exercise in pool}
    shown = [exercise_id for exercise_id in recent if exercise_id in ids]
    this_round: set[str] = set()
    for exercise_id in shown:
        this_round.add(exercise_id)
        if this_round == ids:
            this_round = set()
    candidates = [e for e in pool if e.id not in this_round]
    if len(candidates) > 1 and shown:
        candidates = [e for e in candidates if e.id != shown[-1]]
    return rng.choice(candidates)
