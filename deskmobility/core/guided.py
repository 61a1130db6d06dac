"""Guided steps: an exercise and its dose turned into steps shown one at a time.

Each step carries its words, how long it lasts, and the dose (so any one of them, read
alone, says how much to do); the first also carries the caution, read before moving.
The exercise's ``takes`` is shared out: the first step (getting into position) gets a
short, fixed set-up time, the others share the rest evenly, in whole seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from deskmobility.core.exercises import Exercise, say_span

SET_UP = timedelta(seconds=5)


@dataclass(frozen=True)
class GuidedStep:
    """One step of a guided exercise."""

    number: int
    total: int
    text: str
    dose: str
    lasts: timedelta
    caution: str | None = None

    @property
    def heading(self) -> str:
        """``"Step 2 of 4"``."""
        return f"Step {self.number} of {self.total}"

    @property
    def body(self) -> str:
        """What a notification shows for this step: words, then dose and time, then caution."""
        lines = [self.text, f"{self.dose} · {say_span(self.lasts)}"]
        if self.caution:
            lines.append(f"Careful: {self.caution}")
        return "\n".join(lines)


def _shares(exercise: Exercise) -> list[timedelta]:
    """How long each step lasts, in whole seconds, adding up to ``exercise.takes``."""
    count = len(exercise.steps)
    total = round(exercise.takes.total_seconds())
    first = min(round(SET_UP.total_seconds()), total // count)
    rest, extra = divmod(total - first, count - 1)
    # Leftover seconds go to the last steps: the work is at the end, the set-up at the start.
    seconds = [first] + [rest + (i >= count - 1 - extra) for i in range(count - 1)]
    return [timedelta(seconds=s) for s in seconds]


def guided_steps(exercise: Exercise) -> tuple[GuidedStep, ...]:
    """The exercise as steps to show one at a time, with the dose on each."""
    dose = exercise.dosage()
    total = len(exercise.steps)
    return tuple(
        GuidedStep(
            number=number,
            total=total,
            text=text,
            dose=dose,
            lasts=lasts,
            caution=exercise.caution if number == 1 else None,
        )
        for number, (text, lasts) in enumerate(
            zip(exercise.steps, _shares(exercise), strict=True), start=1
        )
    )
