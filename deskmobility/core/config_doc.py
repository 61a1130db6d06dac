"""Settings back into the config file's shape, for ``deskmobility config show``.

The document reads back (``parse_settings``) as the same settings: every value the app
uses is written out, the defaults included, so a person sees what is in force.
"""

from __future__ import annotations

from deskmobility.core.config import Settings
from deskmobility.core.durations import format_duration
from deskmobility.core.exercises import Exercise

Document = dict[str, object]


def settings_document(settings: Settings) -> Document:
    """The TOML document (as dicts and lists) that gives ``settings``."""
    doc: Document = {
        "reminders": {
            kind.value: {"enabled": reminder.enabled, "every": format_duration(reminder.every)}
            for kind, reminder in settings.reminders.items()
        },
        "breaks": {
            "natural_break": format_duration(settings.natural_break),
            "hold_during_do_not_disturb": settings.hold_during_do_not_disturb,
            "hold_during_fullscreen": settings.hold_during_fullscreen,
            "snooze": format_duration(settings.snooze),
            "snooze_limit": settings.snooze_limit,
        },
    }
    exercises: Document = {
        "floor_space": settings.gear.floor_space,
        "wall_space": settings.gear.wall,
        "doorway": settings.gear.doorway,
        "equipment": sorted(item.value for item in settings.gear.equipment),
    }
    if settings.custom_exercises:
        exercises["custom"] = [_exercise(exercise) for exercise in settings.custom_exercises]
    doc["exercises"] = exercises
    quiet = settings.quiet_hours
    if quiet is not None:
        doc["quiet_hours"] = {"enabled": True, "start": quiet.start, "end": quiet.end}
    return doc


def _exercise(exercise: Exercise) -> Document:
    table: Document = {
        "id": exercise.id,
        "name": exercise.name,
        "kinds": sorted(kind.value for kind in exercise.kinds),
        "position": exercise.position.value,
    }
    if exercise.equipment:
        table["equipment"] = sorted(item.value for item in exercise.equipment)
    if exercise.needs:
        table["needs"] = sorted(need.value for need in exercise.needs)
    if exercise.reps is not None:
        table["reps"] = exercise.reps
        table["unit"] = exercise.unit
    if exercise.hold is not None:
        table["hold"] = format_duration(exercise.hold)
    table["per_side"] = exercise.per_side
    table["takes"] = format_duration(exercise.takes)
    table["steps"] = list(exercise.steps)
    if exercise.caution is not None:
        table["caution"] = exercise.caution
    return table
