from __future__ import annotations

import dataclasses

import pytest

from deskmobility.core.checklist import CHECKLIST, ChecklistItem


def test_checklist_has_the_six_items_in_order() -> None:
    assert [item.id for item in CHECKLIST] == [
        "desk-height",
        "screen-height",
        "elbow-angle",
        "chair",
        "back-support",
        "footrest",
    ]
    assert [item.label for item in CHECKLIST] == [
        "Desk height",
        "Screen height",
        "Elbow angle",
        "Chair",
        "Back support",
        "Footrest",
    ]


def test_labels_fit_a_menu_and_targets_say_the_goal() -> None:
    for item in CHECKLIST:
        assert 0 < len(item.label) <= 20, item.id
        assert 20 <= len(item.target) <= 90, item.id
        assert item.target[0].isupper()
        assert not item.target.endswith(".")


def test_targets_carry_the_key_facts() -> None:
    targets = {item.id: item.target.lower() for item in CHECKLIST}
    assert "forearms" in targets["desk-height"]
    assert "eyes" in targets["screen-height"]
    assert "right angle" in targets["elbow-angle"]
    assert "lower back" in targets["chair"]
    assert "feet" in targets["chair"]
    assert "lower back" in targets["back-support"]
    assert "feet" in targets["footrest"]


def test_items_are_frozen() -> None:
    item = ChecklistItem(id="x", label="X", target="Something")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.label = "Y"  # type: ignore[misc]  # assigning to a frozen field is the point
