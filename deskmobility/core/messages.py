"""What the notifications say. Pure text; the notifier adapters only deliver it."""

from __future__ import annotations

from dataclasses import dataclass

from deskmobility.core.exercises import Exercise
from deskmobility.core.kinds import ReminderKind

CUES = {
    ReminderKind.POSTURE: "Sit tall: feet flat, hips back, shoulders easy and level.",
    ReminderKind.HEAD: "Head back over your shoulders, eyes up from the phone.",
    ReminderKind.STRETCH: "Time to stand up and move your upper back.",
}

# When several kinds fall due together, the exercise comes from the most active one.
_LEAD_ORDER = (ReminderKind.STRETCH, ReminderKind.HEAD, ReminderKind.POSTURE)


@dataclass(frozen=True)
class Message:
    """A notification to show: a title and a short body."""

    title: str
    body: str


def lead_kind(kinds: tuple[ReminderKind, ...]) -> ReminderKind:
    """The kind whose exercise a merged reminder suggests."""
    return next(kind for kind in _LEAD_ORDER if kind in kinds)


def reminder_message(kinds: tuple[ReminderKind, ...], exercise: Exercise) -> Message:
    """One notification for every kind that fell due together."""
    ordered = [kind for kind in ReminderKind if kind in kinds]
    title = " + ".join(kind.heading for kind in ordered)
    cues = " ".join(CUES[kind] for kind in ordered)
    return Message(title, f"{cues}\nTry: {exercise.name} ({exercise.dosage()})")


def micro_break_message(exercise: Exercise) -> Message:
    """The guided micro-break: the exercise, its dosage and its steps."""
    steps = "\n".join(f"{number}. {step}" for number, step in enumerate(exercise.steps, 1))
    body = f"{exercise.name}: {exercise.dosage()}\n{steps}"
    if exercise.caution:
        body += f"\nCaution: {exercise.caution}"
    return Message(f"Micro-break: {exercise.name}", body)


def micro_break_done_message(exercise: Exercise) -> Message:
    """The short note that a micro-break's time is up."""
    return Message(
        "Micro-break done", f"Nice work on the {exercise.name}. Back to it, sitting tall."
    )
