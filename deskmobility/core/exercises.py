"""The exercise catalogue: what an exercise is, reading one from TOML, and picking the next one."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING

from deskmobility.core import _fields as fields
from deskmobility.core._fields import ExerciseError
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.places import AT_DESK, Equipment, Gear, Need, Position

__all__ = [
    "POSTURE_RESET_MAX",
    "Equipment",
    "Exercise",
    "ExerciseCatalog",
    "ExerciseError",
    "Gear",
    "Need",
    "Position",
    "choose_exercise",
    "keep_apart",
    "parse_exercise",
    "say_span",
    "slugify",
]

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence


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
    needs: frozenset[Need] = frozenset()
    unit: str = "rep"

    def dosage(self) -> str:
        """Say how much to do: ``"8 reps per side"``, ``"hold 20 s"``, ``"3 breaths"``."""
        side = " per side" if self.per_side else ""
        if self.reps is None:
            return f"hold {say_span(self.hold or timedelta())}{side}"
        reps = f"{self.reps} {self.unit}{'' if self.reps == 1 else 's'}{side}"
        if self.hold is None:
            return reps
        return f"{reps}, {say_span(self.hold)} holds"

    @property
    def fits_at_desk(self) -> bool:
        """Whether it can be done right at the desk: seated or standing, nothing else needed."""
        return self.position in AT_DESK and not self.equipment and not self.needs


def say_span(span: timedelta) -> str:
    """Say a short span the way a person reads it: ``"20 s"``, ``"1 min 30 s"``."""
    minutes, seconds = divmod(round(span.total_seconds()), 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


_REQUIRED = ("name", "kinds", "position", "steps", "takes")
_OPTIONAL = ("id", "equipment", "needs", "reps", "hold", "per_side", "unit", "caution")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(name: str) -> str:
    """Make an exercise id from its name: ``"Thread the Needle"`` -> ``"thread-the-needle"``."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


def parse_exercise(data: Mapping[str, object]) -> Exercise:
    """Validate one ``[[exercise]]`` table; ``id`` defaults to the slugified name."""
    fields.check_keys(data, _REQUIRED, _OPTIONAL)
    name = fields.text(data, "name")
    ex_id = fields.text(data, "id") if "id" in data else slugify(name)
    if not _SLUG.fullmatch(ex_id):
        raise ExerciseError("id", f"use lowercase letters, digits and dashes, got {ex_id!r}")
    kinds = fields.enum_set(ReminderKind, data, "kinds")
    if not kinds:
        names = ", ".join(repr(kind.value) for kind in ReminderKind)
        raise ExerciseError("kinds", f"name at least one of {names}")
    per_side = data.get("per_side", False)
    if not isinstance(per_side, bool):
        raise ExerciseError("per_side", f"expected true or false, got {per_side!r}")
    reps, hold = fields.reps(data), fields.duration(data, "hold")
    if reps is None and hold is None:
        raise ExerciseError("reps", "give reps, a hold time, or both")
    takes = fields.duration(data, "takes") or timedelta()
    held = (hold or timedelta()) * (reps or 1) * (2 if per_side else 1)
    if takes < held:
        raise ExerciseError("takes", f"{data['takes']!r} is shorter than the holds it contains")
    exercise = Exercise(
        id=ex_id,
        name=name,
        kinds=kinds,
        position=fields.one_of(Position, "position", data["position"]),
        equipment=fields.enum_set(Equipment, data, "equipment"),
        reps=reps,
        hold=hold,
        per_side=per_side,
        steps=fields.steps(data),
        caution=fields.text(data, "caution") if "caution" in data else None,
        takes=takes,
        needs=fields.enum_set(Need, data, "needs"),
        unit=fields.unit(data),
    )
    _check_fits_kinds(exercise, data)
    return exercise


# A posture check-in is a reset done without getting up; anything longer is a stretch.
POSTURE_RESET_MAX = timedelta(seconds=15)


def _check_fits_kinds(exercise: Exercise, data: Mapping[str, object]) -> None:
    kinds = exercise.kinds
    if not exercise.fits_at_desk and kinds != {ReminderKind.STRETCH}:
        raise ExerciseError(
            "kinds",
            "floor, hanging, bench, wall, doorway and equipment exercises suit only "
            "'stretch': the other reminders happen at the desk",
        )
    if ReminderKind.POSTURE in kinds and exercise.position is not Position.SEATED:
        raise ExerciseError(
            "position",
            'a posture check-in is a reset done in the chair: use "seated", '
            "or suggest it for 'stretch' breaks instead",
        )
    if ReminderKind.POSTURE in kinds and exercise.takes > POSTURE_RESET_MAX:
        raise ExerciseError(
            "takes",
            f"{data['takes']!r} is long for a posture check-in, a reset of about ten "
            f"seconds: use at most {say_span(POSTURE_RESET_MAX)}, or suggest it for "
            "'stretch' breaks instead",
        )


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
                raise ExerciseError(key, f"unknown table{fields.did_you_mean(key, ['exercise'])}")
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


def keep_apart(pool_size: int) -> int:
    """How many of the latest suggestions a pick of a pool this size stays clear of.

    All but two (a quarter of a big pool): with nine head drills every 20 minutes, no
    drill comes back within two hours, and chance still has a say in each pick.
    """
    return max(0, min(1, pool_size - 1), pool_size - max(2, pool_size // 4))


def choose_exercise(
    catalog: ExerciseCatalog,
    kind: ReminderKind,
    gear: Gear,
    recent: Sequence[str],
    rng: random.Random,
) -> Exercise:
    """Pick the next exercise to suggest: every one in turn, repeats kept far apart.

    ``recent`` holds ids already suggested, most recent last. Each eligible exercise
    comes once before any comes again (a round), and none comes while it is among the
    last ``keep_apart(len(pool))`` suggested, across rounds too. If the catalogue has
    nothing for this kind and gear, the built-in desk exercises of the kind are used.
    """
    pool = catalog.eligible(kind, gear) or ExerciseCatalog.builtin().eligible(kind, Gear())
    ids = {exercise.id for exercise in pool}
    shown = [exercise_id for exercise_id in recent if exercise_id in ids]
    this_round: set[str] = set()
    for exercise_id in shown:
        this_round.add(exercise_id)
        if this_round == ids:
            this_round = set()
    latest: set[str] = set()
    for exercise_id in reversed(shown):
        if len(latest) >= keep_apart(len(pool)):
            break
        latest.add(exercise_id)
    # Never empty: ``latest`` holds fewer ids than the pool, and of those not yet shown
    # this round it can hold only ids from the round before, of which there are fewer.
    return rng.choice([e for e in pool if e.id not in this_round and e.id not in latest])
