"""The command line, run in-process: exit codes and what people read."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from deskmobility import __version__
from deskmobility.adapters.files import HISTORY_NAME, Paths
from deskmobility.adapters.store import HistoryEvent, Store
from deskmobility.cli import main


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"deskmobility {__version__}"


def test_version_among_other_options_goes_through_argparse(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--no-tray", "--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"deskmobility {__version__}"


def test_check_config_ok(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[reminders.head]\nevery = "15m"\n[reminders.posture]\nenabled = false\n')
    assert main(["check-config", str(config)]) == 0
    assert "OK (posture off, head every 15m, stretch every 45m)" in capsys.readouterr().out


def test_check_config_reports_every_problem_with_file_line_and_key(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[reminders.head]\nevery = "15 mon"\n[remindres.posture]\n')
    assert main(["check-config", str(config)]) == 1
    err = capsys.readouterr().err
    assert f"{config}:2: reminders.head.every: '15 mon' is not a duration" in err
    assert f'{config}:3: remindres: unknown key; did you mean "reminders"?' in err
    assert "2 problems found." in err
    assert "Traceback" not in err


def test_check_config_without_a_file_uses_defaults(capsys) -> None:
    assert main(["check-config"]) == 0
    assert "no config file; the built-in defaults apply" in capsys.readouterr().out


def test_check_config_of_a_missing_named_file_fails(tmp_path: Path, capsys) -> None:
    assert main(["check-config", str(tmp_path / "nope.toml")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_exercises_json_lists_names_and_includes_custom_ones(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        "[[exercises.custom]]\n"
        'name = "Physio Wall Slide"\nkinds = ["stretch"]\nposition = "standing"\n'
        'reps = 8\ntakes = "1m"\nsteps = ["Back to the wall.", "Slide the arms up and down."]\n'
    )
    assert main(["exercises", "--json", "--config", str(config)]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {row["name"] for row in rows}
    assert "Thread the Needle" in names
    assert "Physio Wall Slide" in names


def test_checklist_prints_the_six_items(capsys) -> None:
    assert main(["checklist"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "[ ]" in line]
    assert len(lines) == 6


def test_stats_without_history_says_so(capsys) -> None:
    assert main(["stats"]) == 1
    assert "No history yet" in capsys.readouterr().err


def test_stats_rejects_a_bad_day_count(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--days", "zero"])
    assert exited.value.code == 2
    assert "expected a whole number of days" in capsys.readouterr().err


def test_stats_json_and_chart_from_recorded_history(tmp_path: Path, capsys) -> None:
    store, _ = Store.open(Paths.for_user().data_dir / HISTORY_NAME)
    now = datetime.now().astimezone()
    store.record(HistoryEvent(now, "micro_break_finished", "stretch", "cat-cow", None))
    store.close()
    chart = tmp_path / "chart.png"
    assert main(["stats", "--days", "3", "--json", "--chart", str(chart)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["days"][-1]["micro_breaks"] == 1
    assert data["streak"] == 1
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_a_dangling_link_in_place_of_the_config_is_reported(tmp_path: Path, capsys) -> None:
    link = tmp_path / "config.toml"
    link.symlink_to(tmp_path / "gone.toml")
    assert main(["check-config", str(link)]) == 1
    assert "which does not exist" in capsys.readouterr().err
