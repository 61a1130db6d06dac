"""``deskmobility exercises``: the catalogue as a table, as JSON, or one exercise in full."""

# ruff: noqa: T201  (a command's output is printed)

from __future__ import annotations

import json
import sys
from pathlib import Path

from deskmobility.core.exercises import Exercise, ExerciseCatalog, say_span, slugify
from deskmobility.core.guided import guided_steps
from deskmobility.core.places import place_label


def run_exercises(as_json: bool, config: Path | None, show: str | None = None) -> int:
    """List the catalogue (with the config's own exercises), or show one; return the status."""
    catalog = _catalog(config)
    if catalog is None:
        return 1
    if show is not None:
        return _show(catalog, show)
    if as_json:
        print(json.dumps([_row(ex) for ex in catalog.exercises], indent=2, ensure_ascii=False))
        return 0
    print(table(catalog.exercises))
    return 0


def _catalog(config: Path | None) -> ExerciseCatalog | None:
    from deskmobility.adapters.files import load_config  # noqa: PLC0415
    from deskmobility.core.config import ConfigError  # noqa: PLC0415

    catalog = ExerciseCatalog.builtin()
    if config is None:
        return catalog
    try:
        settings = load_config(config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return None
    return catalog if settings is None else catalog.with_extra(settings.custom_exercises)


def _kinds(exercise: Exercise) -> str:
    return ", ".join(sorted(kind.value for kind in exercise.kinds))


def table(exercises: tuple[Exercise, ...]) -> str:
    """One line per exercise: name, reminder kinds, dose, what its place needs.

    Each column is as wide as its longest entry, so no name pushes the others out of line.
    """
    rows = [("NAME", "FOR", "DOSE", "PLACE")]
    rows += [(ex.name, _kinds(ex), ex.dosage(), place_label(ex)) for ex in exercises]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + f"  {row[3]}"
        for row in rows
    )


def describe(exercise: Exercise) -> str:
    """One exercise in full: what it is for, where, the dose, the caution, the timed steps."""
    lines = [
        f"{exercise.name} ({exercise.id})",
        f"For: {_kinds(exercise)} reminders",
        f"Place: {place_label(exercise)}",
        f"Dose: {exercise.dosage()}, about {say_span(exercise.takes)} in all",
    ]
    if exercise.caution:
        lines.append(f"Careful: {exercise.caution}")
    lines.append("Steps:")
    lines.extend(
        f"  {step.number}. {step.text} ({step.lasts.total_seconds():.0f} s)"
        for step in guided_steps(exercise)
    )
    return "\n".join(lines)


def find(catalog: ExerciseCatalog, wanted: str) -> Exercise | None:
    """The exercise with this id, or this name in any case and spacing."""
    key = slugify(wanted)
    return catalog.get(wanted) or next(
        (e for e in catalog.exercises if slugify(e.name) == key), None
    )


def _show(catalog: ExerciseCatalog, wanted: str) -> int:
    exercise = find(catalog, wanted)
    if exercise is None:
        import difflib  # noqa: PLC0415

        options = [e.id for e in catalog.exercises]
        close = difflib.get_close_matches(slugify(wanted), options, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        print(f"no exercise {wanted!r}{hint} (deskmobility exercises lists them)", file=sys.stderr)
        return 1
    print(describe(exercise))
    return 0


def _row(exercise: Exercise) -> dict[str, object]:
    return {
        "id": exercise.id,
        "name": exercise.name,
        "kinds": sorted(kind.value for kind in exercise.kinds),
        "position": exercise.position.value,
        "needs": sorted(need.value for need in exercise.needs),
        "equipment": sorted(item.value for item in exercise.equipment),
        "place": place_label(exercise),
        "dosage": exercise.dosage(),
        "at_desk": exercise.fits_at_desk,
        "steps": list(exercise.steps),
        "caution": exercise.caution,
    }
