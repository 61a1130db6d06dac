"""A guided micro-break: one exercise, timed, never two at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from deskmobility.core.exercises import Exercise


@dataclass(frozen=True)
class BreakSession:
    """A micro-break under way."""

    exercise: Exercise
    started: datetime

    @property
    def ends(self) -> datetime:
        """When the exercise's time is up."""
        return self.started + self.exercise.takes

    def running(self, now: datetime) -> bool:
        """Tell whether the break is still going at ``now``."""
        return self.started <= now < self.ends
