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
        target="Forearms level with the floor when your hands are on the keyboard",
    ),
    ChecklistItem(
        id="screen-height",
        label="Screen height",
        target="Top edge of the screen level with your eyes or a little lower",
    ),
    ChecklistItem(
        id="elbow-angle",
        label="Elbow angle",
        target="Elbows bent to roughly a right angle, or opened slightly wider",
    ),
    ChecklistItem(
        id="chair",
        label="Chair",
        target="Seat that holds up your lower back while both feet rest flat on the floor",
    ),
    ChecklistItem(
        id="back-support",
        label="Back support",
        target="Firm support filling the inward curve of your lower back",
    ),
    ChecklistItem(
        id="footrest",
        label="Footrest",
        target="Something under your feet if they don't sit flat and easy on the floor",
    ),
)
