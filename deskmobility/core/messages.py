"""What the notifications say. Pure text; the notifier adapters only deliver it.

A reminder leads with one cue and one exercise; when several kinds fall due together
the others add a short "After:" line instead of cues that pull in other directions.
The stretch cue is worded from the exercise, so "stand up" never comes with a move
done in the chair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deskmobility.core.exercises import Exercise, say_span
from deskmobility.core.guided import GuidedStep
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.places import Need, Position

CUES = {
    ReminderKind.POSTURE: "Quick reset, no need to get up.",
    ReminderKind.HEAD: "Let your head float back over your shoulders.",
    ReminderKind.EYES: "Give your eyes a break from the screen.",
}

# The stretch cue says where the move happens.
_STRETCH_CUES = {
    Position.SEATED: "Time to loosen up; this one works in your chair.",
    Position.STANDING: "Time to get out of the chair and move.",
    Position.FLOOR: "Time to get up; this one goes on the floor.",
    Position.HANGING: "Time to get up and go to your pull-up bar.",
    Position.BENCH: "Time to get up; this one needs your bench.",
}
_NEED_CUES = {
    Need.WALL: "Time to get up; find a stretch of clear wall.",
    Need.DOORWAY: "Time to get up; find an open doorway.",
}

# What the other kinds of a merged reminder ask for, after the exercise.
_AFTER = {
    ReminderKind.POSTURE: "sit tall",
    ReminderKind.HEAD: "head over your shoulders",
    ReminderKind.EYES: "look far away for 20 s",
    ReminderKind.STRETCH: "stand and stretch",
}

# When several kinds fall due together, the exercise comes from the most active one.
_LEAD_ORDER = (ReminderKind.STRETCH, ReminderKind.HEAD, ReminderKind.EYES, ReminderKind.POSTURE)

DISCLAIMER = "General reminders, not medical advice: if a move hurts, stop."


@dataclass(frozen=True)
class Message:
    """A notification to show: a title and a short body."""

    title: str
    body: str


def lead_kind(kinds: tuple[ReminderKind, ...]) -> ReminderKind:
    """The kind whose exercise a merged reminder suggests."""
    return next(kind for kind in _LEAD_ORDER if kind in kinds)


def cue(kind: ReminderKind, exercise: Exercise) -> str:
    """The first line of a reminder of ``kind`` that suggests ``exercise``."""
    if kind is not ReminderKind.STRETCH:
        return CUES[kind]
    if exercise.needs:
        return _NEED_CUES[min(exercise.needs)]
    return _STRETCH_CUES[exercise.position]


def reminder_title(kinds: Iterable[ReminderKind]) -> str:
    """The title: the kind's heading alone, or "Posture + head + stretch" for several."""
    ordered = [kind for kind in ReminderKind if kind in set(kinds)]
    if len(ordered) == 1:
        return ordered[0].heading
    return " + ".join(kind.short for kind in ordered).capitalize()


def kinds_in_title(title: str) -> frozenset[ReminderKind]:
    """The kinds a reminder title names (the inverse of ``reminder_title``); empty if none."""
    by_name = {kind.heading: kind for kind in ReminderKind}
    if title in by_name:
        return frozenset({by_name[title]})
    by_short = {kind.short: kind for kind in ReminderKind}
    parts = title.lower().split(" + ")
    if len(parts) < 2 or not all(part in by_short for part in parts):  # noqa: PLR2004
        return frozenset()
    return frozenset(by_short[part] for part in parts)


def reminder_message(kinds: tuple[ReminderKind, ...], exercise: Exercise) -> Message:
    """One notification for every kind that fell due together."""
    lead = lead_kind(kinds)
    lines = [cue(lead, exercise), f"Try: {exercise.name} ({exercise.dosage()})"]
    after = [_AFTER[kind] for kind in ReminderKind if kind in kinds and kind is not lead]
    if after:
        lines.append(f"After: {'; '.join(after)}.")
    return Message(reminder_title(kinds), "\n".join(lines))


def micro_break_message(exercise: Exercise) -> Message:
    """The guided micro-break: dosage and caution first (never cut), then the steps."""
    lines = [f"{exercise.dosage()} · about {say_span(exercise.takes)}"]
    if exercise.caution:
        lines.append(f"Careful: {exercise.caution}")
    lines.extend(f"{number}. {step}" for number, step in enumerate(exercise.steps, 1))
    return Message(f"Micro-break: {exercise.name}", "\n".join(lines))


def step_message(exercise: Exercise, step: GuidedStep) -> Message:
    """One step of a guided micro-break: "Step 2 of 4: Name", then the step's own words."""
    return Message(f"{step.heading}: {exercise.name}", step.body)


def micro_break_done_message(exercise: Exercise) -> Message:
    """The short note that a micro-break's time is up."""
    return Message("Micro-break done", f"That was {exercise.name}. Settle back in, sitting tall.")


def welcome_message(*, tray: bool = True, actions: bool = True) -> Message:
    """The note shown once, at the very first start: what to expect, how to act, the disclaimer."""
    if tray:
        how = (
            "Nudges for posture, head and a stretch come by themselves; the tray icon has the rest."
        )
    elif actions:
        how = (
            "No tray on this desktop: answer each reminder on the notification itself, or run "
            "`deskmobility break`, `done`, `later` or `pause 1h`."
        )
    else:
        how = (
            "No tray here, and notifications take no answers: run `deskmobility break`, "
            "`done`, `later` or `pause 1h` instead."
        )
    return Message("deskmobility is running", f"{how}\n{DISCLAIMER}")
