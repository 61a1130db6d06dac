"""The command line, run in-process: exit codes and what people read."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from deskmobility import __version__
from deskmobility.adapters import files
from deskmobility.adapters.files import HISTORY_NAME, Paths, load_config
from deskmobility.adapters.store import HistoryEvent, Store
from deskmobility.cli import main
from deskmobility.core.config import Settings, parse_settings
from deskmobility.core.history import HistoryKind


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"deskmobility {__version__}"


def test_version_among_other_options_goes_through_argparse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--no-tray", "--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"deskmobility {__version__}"


def test_check_config_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[reminders.head]\nevery = "15m"\n[reminders.posture]\nenabled = false\n')
    assert main(["check-config", str(config)]) == 0
    assert (
        "OK (posture off, head every 15m, stretch every 45m, eyes off)" in capsys.readouterr().out
    )


def test_check_config_reports_every_problem_with_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[reminders.head]\nevery = "15 mon"\n[remindres.posture]\n')
    assert main(["check-config", str(config)]) == 1
    err = capsys.readouterr().err
    assert f"{config}:2: reminders.head.every: '15 mon' is not a duration" in err
    assert f'{config}:3: remindres: unknown key; did you mean "reminders"?' in err
    assert "2 problems found." in err
    assert "Traceback" not in err


def test_check_config_without_a_file_uses_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    assert "no config file; the built-in defaults apply" in capsys.readouterr().out


def test_check_config_of_a_missing_named_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(tmp_path / "nope.toml")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_exercises_json_lists_names_and_includes_custom_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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


def test_checklist_prints_the_six_items(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "[ ]" in line]
    assert len(lines) == 6
    assert not (Paths.for_user().data_dir / HISTORY_NAME).exists()  # looking creates nothing


def _ticked(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if "[x]" in line]


def test_checklist_shows_the_ticks_set_in_the_tray(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 9, defect 3: the tray keeps its ticks in the store; the CLI printed none.
    store, _ = Store.open(Paths.for_user().data_dir / HISTORY_NAME)
    store.set_checklist_item("chair", True)
    store.set_checklist_item("footrest", True)
    store.close()
    assert main(["checklist"]) == 0
    out = capsys.readouterr().out
    assert _ticked(out) == ["chair", "footrest"]
    assert "(2 of 6 set up)" in out


def test_checklist_tick_untick_and_reset_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["checklist", "tick", "desk-height"]) == 0
    assert main(["checklist", "tick", "chair"]) == 0
    assert main(["checklist", "untick", "desk-height"]) == 0
    assert _ticked(capsys.readouterr().out.split("Ergonomic")[-1]) == ["chair"]
    store, _ = Store.open(Paths.for_user().data_dir / HISTORY_NAME)
    assert store.checklist() == {"chair"}  # what the tray reads
    store.close()
    assert main(["checklist", "reset"]) == 0
    assert _ticked(capsys.readouterr().out) == []


def test_checklist_tick_of_an_unknown_item_is_a_usage_error_naming_the_items(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["checklist", "tick", "chiar"])
    assert exited.value.code == 2
    assert "no item 'chiar'; choose from desk-height" in capsys.readouterr().err


def test_stats_without_history_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 1
    assert "No history yet" in capsys.readouterr().err


def test_stats_rejects_a_bad_day_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--days", "zero"])
    assert exited.value.code == 2
    assert "expected a whole number of days" in capsys.readouterr().err


def _record_a_break() -> None:
    store, _ = Store.open(Paths.for_user().data_dir / HISTORY_NAME)
    now = datetime.now().astimezone()
    store.record(HistoryEvent(now, HistoryKind.MICRO_BREAK_FINISHED, "stretch", "cat-cow", None))
    store.close()


def test_stats_say_per_kind_what_was_shown_and_what_came_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, _ = Store.open(Paths.for_user().data_dir / HISTORY_NAME)
    now = datetime.now().astimezone()
    for kind in ("reminder", "done", "reminder", "later", "reminder", "expired"):
        store.record(HistoryEvent(now, HistoryKind(kind), "head", "chin-nod", None))
    store.close()
    chart = tmp_path / "kinds.png"
    assert main(["stats", "--json", "--chart", str(chart)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reminders"] == {
        "head": {"shown": 3, "done": 1, "later": 1, "dismissed": 0, "expired": 1, "acted_on": 2}
    }
    assert main(["stats"]) == 0
    assert "  head     1 of 3 done, 1 later, 0 dismissed, 1 timed out" in capsys.readouterr().out
    with Image.open(chart) as image:
        assert image.height > 420  # the per-kind strip under the days


def test_stats_json_and_chart_from_recorded_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record_a_break()
    chart = tmp_path / "chart.png"
    assert main(["stats", "--days", "3", "--json", "--chart", str(chart)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["days"][-1]["micro_breaks"] == 1
    assert data["streak"] == 1
    assert chart.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("name", "magic"),
    [
        ("x.jpg", b"\xff\xd8\xff"),
        ("x.JPEG", b"\xff\xd8\xff"),
        ("x.webp", b"RIFF"),
        ("x.gif", b"GIF8"),
    ],
)
def test_stats_chart_is_written_in_the_format_its_suffix_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, magic: bytes
) -> None:
    _record_a_break()
    chart = tmp_path / name
    assert main(["stats", "--chart", str(chart)]) == 0
    assert chart.read_bytes().startswith(magic)
    assert f"Chart written to {chart}" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["x.svg", "x.txt", "chart"])
def test_stats_chart_with_a_suffix_of_no_image_format_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    _record_a_break()
    assert main(["stats", "--chart", str(tmp_path / name)]) == 1
    assert "does not name an image format this can write" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_stats_chart_into_a_missing_folder_is_refused_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _record_a_break()
    chart = tmp_path / "nonexistent" / "dir" / "x.png"
    assert main(["stats", "--chart", str(chart)]) == 1
    assert f"the folder {chart.parent} does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()


# -- config files that are not files (issue 13, item 4) ---------------------------------


def test_check_config_of_a_fifo_says_so_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    assert main(["check-config", str(fifo)]) == 1
    assert f"{fifo}: is a named pipe (FIFO), not a regular file" in capsys.readouterr().err


def test_check_config_of_a_device_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", "/dev/zero"]) == 1
    assert "/dev/zero: is a character device, not a regular file" in capsys.readouterr().err


def test_check_config_of_a_huge_file_is_refused_by_its_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "config.toml"
    big.write_bytes(b"#" * (files.MAX_CONFIG_BYTES + 1))
    assert main(["check-config", str(big)]) == 1
    assert "a config file can be at most 1,048,576 bytes" in capsys.readouterr().err


# -- exercises whose ids collide (issue 13, item 1) ------------------------------------

COLLIDING = "".join(
    "[[exercises.custom]]\n"
    f'name = "{name}"\nkinds = ["stretch"]\nposition = "standing"\n'
    'reps = 8\ntakes = "1m"\nsteps = ["Back to the wall.", "Slide the arms up and down."]\n'
    for name in ("My Stretch", "My stretch!")
)


@pytest.mark.parametrize("argv", [["check-config", "{}"], ["exercises", "--config", "{}"]])
def test_colliding_exercise_ids_are_refused_by_check_config_and_exercises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(COLLIDING)
    assert main([arg.format(config) for arg in argv]) == 1
    err = capsys.readouterr().err
    assert f"{config}:9: exercises.custom[1].name: gives the id 'my-stretch'" in err
    assert "Traceback" not in err


# -- config show (issue 9) ----------------------------------------------------------


def test_config_show_prints_toml_that_check_config_accepts_as_the_same_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    written = (
        '[reminders.head]\nevery = "15 min"\n[reminders.posture]\nenabled = false\n'
        '[reminders.eyes]\nenabled = true\nevery = "25m"\n'
        '[quiet_hours]\nstart = "18:30"\nend = "07:00"\n'
        "[exercises]\nfloor_space = true\nwall_space = true\ndoorway = true\n"
        'equipment = ["band"]\n'
        "[[exercises.custom]]\n"
        'name = "Doorway stretch"\nkinds = ["stretch"]\nposition = "standing"\n'
        'needs = ["doorway"]\nreps = 4\nunit = "breath"\nhold = "10s"\ntakes = "1m"\n'
        'caution = "Stop if it pinches."\n'
        'steps = ["Stand in the doorway.", "Lean through gently."]\n'
        '[breaks]\nnatural_break = "7m"\nhold_during_fullscreen = false\n'
    )
    config.write_text(written)
    before = config.stat()
    assert main(["check-config", str(config)]) == 0
    assert main(["config", "show", "--config", str(config)]) == 0
    shown = capsys.readouterr().out.split("\n", 1)[1]
    assert config.read_text() == written
    assert config.stat().st_mtime_ns == before.st_mtime_ns
    assert 'every = "15m"' in shown
    assert 'every = "45m"' in shown  # a default, filled in

    copy = tmp_path / "shown.toml"
    copy.write_text(shown)
    assert main(["check-config", str(copy)]) == 0
    assert load_config(copy) == load_config(config)


def test_config_show_of_a_broken_file_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(COLLIDING)
    assert main(["config", "show", "--config", str(config)]) == 1
    assert "exercises.custom[1].name" in capsys.readouterr().err


def test_config_show_without_a_file_prints_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "built-in defaults" in out
    assert parse_settings(out, "shown") == Settings()


def test_a_dangling_link_in_place_of_the_config_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "config.toml"
    link.symlink_to(tmp_path / "gone.toml")
    assert main(["check-config", str(link)]) == 1
    assert "which does not exist" in capsys.readouterr().err
