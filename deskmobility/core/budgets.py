"""How much text fits where it lands, and which exercises keep to it.

A notification is read at a glance, and servers cut what doesn't fit: Windows stops at
255 characters, GNOME's banner title at about 40. Every built-in exercise keeps to
these budgets (a test holds the whole catalogue to them), and so must the person's
own exercises (the config check reports the key to shorten).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

from deskmobility.core.exercises import Exercise
from deskmobility.core.guided import guided_steps
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import (
    lead_kind,
    micro_break_message,
    reminder_message,
    step_message,
)

TITLE_MAX = 40
REMINDER_BODY_MAX = 180
STEP_MAX = 120
CUT_AT = 255


def lead_merges(exercise: Exercise) -> Iterator[tuple[ReminderKind, ...]]:
    """Every set of kinds falling due together whose reminder would suggest ``exercise``."""
    for size in range(1, len(ReminderKind) + 1):
        for kinds in itertools.combinations(ReminderKind, size):
            if lead_kind(kinds) in exercise.kinds:
                yield kinds


def budget_problems(exercise: Exercise) -> list[tuple[str, str]]:
    """What is too long about this exercise, as (field, message) pairs; empty when it fits."""
    found: list[tuple[str, str]] = []
    steps = guided_steps(exercise)
    titles = [micro_break_message(exercise).title]
    titles += [step_message(exercise, step).title for step in steps]
    title = max(titles, key=len)
    if len(title) > TITLE_MAX:
        most = TITLE_MAX - (len(title) - len(exercise.name))
        said = f"{len(exercise.name)} characters is long for a notification title"
        found.append(("name", f"{said}; use at most {most}"))
    longest = max((reminder_message(k, exercise).body for k in lead_merges(exercise)), key=len)
    if len(longest) > REMINDER_BODY_MAX:
        said = f"the reminder suggesting it runs to {len(longest)} characters"
        found.append(("name", f"{said}; a shorter name keeps it within {REMINDER_BODY_MAX}"))
    for step in steps:
        if len(step.body) > STEP_MAX:
            # The caution is to blame when the step would fit without it.
            fits_bare = len(replace(step, caution=None).body) <= STEP_MAX
            key = "caution" if step.caution and fits_bare else "steps"
            shown = f"{len(step.body)} characters with its dose"
            shown += " and the caution" if step.caution else ""
            found.append((key, f"step {step.number} shows {shown}; keep it within {STEP_MAX}"))
    body = micro_break_message(exercise).body
    if len(body) > CUT_AT:
        said = f"the micro-break shows {len(body)} characters and some systems cut at {CUT_AT}"
        found.append(("steps", f"{said}; shorten the steps or the caution"))
    return found
