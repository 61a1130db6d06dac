"""Where an exercise is done and what that place needs; what the person has (their gear)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


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


class Need(StrEnum):
    """A part of the room an exercise needs, beyond the desk and chair."""

    WALL = "wall"
    DOORWAY = "doorway"


AT_DESK = frozenset({Position.SEATED, Position.STANDING})

_POSITION_LABELS = {
    Position.SEATED: "chair",
    Position.STANDING: "on your feet",
    Position.FLOOR: "floor",
    Position.HANGING: "pull-up bar",
    Position.BENCH: "bench",
}


class Placed(Protocol):
    """What an exercise says about its place (``Exercise`` has these)."""

    @property
    def position(self) -> Position:
        """Where it is done."""

    @property
    def equipment(self) -> frozenset[Equipment]:
        """The gear it uses."""

    @property
    def needs(self) -> frozenset[Need]:
        """The parts of the room it uses."""


def place_label(exercise: Placed) -> str:
    """Say in a few words what the place needs: ``"chair"``, ``"wall"``, ``"floor, kettlebell"``.

    A wall or a doorway replaces "on your feet" (standing is implied); gear already
    named by the position (the bar one hangs from, the bench one lies on) is not repeated.
    """
    implied = {Position.HANGING: Equipment.PULL_UP_BAR, Position.BENCH: Equipment.BENCH}
    if exercise.needs:
        parts = sorted(need.value for need in exercise.needs)
    else:
        parts = [_POSITION_LABELS[exercise.position]]
    gear = exercise.equipment - {implied.get(exercise.position)}
    parts.extend(sorted(item.value.replace("-", " ") for item in gear))
    return ", ".join(parts)


@dataclass(frozen=True)
class Gear:
    """What the person has beyond a desk and a chair (from their config)."""

    floor_space: bool = False
    equipment: frozenset[Equipment] = frozenset()
    wall: bool = False
    doorway: bool = False

    def allows(self, exercise: Placed) -> bool:
        """Whether the person has the room and the gear for this exercise."""
        positions = {
            Position.FLOOR: self.floor_space,
            Position.BENCH: Equipment.BENCH in self.equipment,
            Position.HANGING: Equipment.PULL_UP_BAR in self.equipment,
        }
        room = {Need.WALL: self.wall, Need.DOORWAY: self.doorway}
        return (
            positions.get(exercise.position, True)
            and all(room[need] for need in exercise.needs)
            and exercise.equipment <= self.equipment
        )
