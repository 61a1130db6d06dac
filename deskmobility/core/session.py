"""A guided micro-break: one exercise shown a step at a time, timed, never two at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from deskmobility.core.exercises import Exercise
from deskmobility.core.guided import GuidedStep, guided_steps
from deskmobility.core.kinds import ReminderKind


@dataclass(frozen=True)
class BreakSession:
    """A micro-break under way: which step shows, and since when.

    ``for_kinds`` names the reminder it answers when the person chose "Show me" on one
    (finishing it then counts as doing that reminder); empty when started from the menu.
    """

    exercise: Exercise
    started: datetime
    steps: tuple[GuidedStep, ...]
    index: int = 0
    step_started: datetime | None = None
    for_kinds: tuple[ReminderKind, ...] = ()

    @classmethod
    def begin(
        cls, exercise: Exercise, now: datetime, for_kinds: tuple[ReminderKind, ...] = ()
    ) -> BreakSession:
        """The session at its first step."""
        return cls(exercise, now, guided_steps(exercise), 0, now, for_kinds)

    @property
    def step(self) -> GuidedStep:
        """The step on screen."""
        return self.steps[self.index]

    @property
    def step_ends(self) -> datetime:
        """When the step on screen is over."""
        return (self.step_started or self.started) + self.step.lasts

    @property
    def ends(self) -> datetime:
        """When the last step is over, if each step runs its time from now on."""
        left = sum((s.lasts for s in self.steps[self.index + 1 :]), timedelta(0))
        return self.step_ends + left

    @property
    def last_step(self) -> bool:
        """Tell whether the step on screen is the last."""
        return self.index == len(self.steps) - 1

    def running(self, now: datetime) -> bool:
        """Tell whether the break is still going at ``now``."""
        return self.started <= now < self.ends

    def next_step(self, now: datetime) -> BreakSession:
        """The session moved on to its next step, which starts ``now``."""
        return replace(self, index=self.index + 1, step_started=now)

    def shifted(self, by: timedelta) -> BreakSession:
        """The session with its times moved by ``by`` (the wall clock was set)."""
        step_started = None if self.step_started is None else self.step_started + by
        return replace(self, started=self.started + by, step_started=step_started)
