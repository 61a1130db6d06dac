"""``deskmobility exercises`` and ``exercises show``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskmobility.cli import main
from deskmobility.core.exercises import ExerciseCatalog

PHYSIO = (
    "[[exercises.custom]]\n"
    'name = "Physio Neck Glide Number 2"\nkinds = ["head"]\nposition = "seated"\n'
    'reps = 8\ntakes = "40s"\nsteps = ["Sit tall.", "Glide the head back and hold."]\n'
)


def test_the_list_labels_each_entry_with_what_its_place_needs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["exercises"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "FOR", "DOSE", "PLACE"]
    rows = {line.split("  ")[0]: line for line in lines[1:]}
    assert len(rows) == len(ExerciseCatalog.builtin().exercises)
    assert rows["Wall Angel"].endswith("  wall")
    assert rows["Doorway Chest Opener"].endswith("  doorway")
    assert rows["Chin Tuck"].endswith("  chair")
    assert rows["Band Pull-Apart"].endswith("  on your feet, band")
    assert rows["Dumbbell Pullover"].endswith("  bench, dumbbell")


def test_long_names_keep_the_columns_in_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(PHYSIO)
    assert main(["exercises", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("Physio Neck Glide Number 2  ") for line in lines)
    dose_column = lines[0].index("DOSE")
    place_column = lines[0].index("PLACE")
    for line in lines[1:]:
        assert line[dose_column - 2 : dose_column] == "  ", line
        assert line[dose_column - 1] == " "
        assert line[place_column - 2 : place_column] == "  ", line


def test_show_prints_one_exercise_in_full_by_id_or_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercises", "show", "downward-dog"]) == 0
    by_id = capsys.readouterr().out
    assert main(["exercises", "show", "Downward  DOG"]) == 0
    assert capsys.readouterr().out == by_id
    assert by_id.splitlines() == [
        "Downward Dog (downward-dog)",
        "For: stretch reminders",
        "Place: floor",
        "Dose: hold 20 s, about 35 s in all",
        "Careful: Head goes below heart: skip with high blood pressure; spare sore wrists.",
        "Steps:",
        "  1. Start on all fours. (5 s)",
        "  2. Tuck your toes and lift your seat toward the ceiling, legs long. (15 s)",
        "  3. Breathe steadily, then kneel again to come out. (15 s)",
    ]


def test_show_finds_the_configs_own_exercises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(PHYSIO)
    assert main(["exercises", "show", "physio-neck-glide-number-2", "--config", str(config)]) == 0
    assert "Physio Neck Glide Number 2" in capsys.readouterr().out


def test_show_an_unknown_exercise_suggests_one_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["exercises", "show", "wall-angle"]) == 1
    assert "no exercise 'wall-angle'; did you mean wall-angel" in capsys.readouterr().err


def test_the_json_says_what_each_place_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercises", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["wall-angel"]["needs"] == ["wall"]
    assert rows["wall-angel"]["place"] == "wall"
    assert rows["wall-angel"]["at_desk"] is False
    assert rows["short-walk"]["dosage"] == "2 minutes"
