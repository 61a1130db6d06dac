"""The ergonomic workspace checklist: six things worth setting up once and checking now and then."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    """One checklist item: a short menu ``label`` and the ``target`` to aim for."""

    id: str
    label: str
    target: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        id="desk-height",
        label="Desk height",
        target="Forearms horizontal, hands resting on the keys",
    ),
    ChecklistItem(
        id="screen-height",
        label="Screen height",
        target="Eyes level with the screen's top edge, or a little above it",
    ),
    ChecklistItem(
        id="elbow-angle",
        label="Elbow angle",
        target="Elbows open to a right angle or a touch wider",
    ),
    ChecklistItem(
        id="chair",
        label="Chair",
        target="Backrest snug against your lower back, soles of both feet down",
    ),
    ChecklistItem(
        id="back-support",
        label="Back support",
        target="Something firm filling the hollow of your lower back: a lumbar pad or cushion",
    ),
    ChecklistItem(
        id="footrest",
        label="Footrest",
        target="Feet dangling or on tiptoe? Rest them on a footrest or a box",
    ),
)
