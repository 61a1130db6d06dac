"""The wheel carries the catalogue, the assets and the example config, and runs on its own."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("deskmobility-*.whl")
    return built


def test_wheel_contains_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "deskmobility/exercises.toml" in names
    assert "deskmobility/config.example.toml" in names
    assert "deskmobility/assets/deskmobility-64.png" in names
    assert "deskmobility/assets/deskmobility-paused-22.png" in names


def test_installed_wheel_lists_exercises(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # --no-deps: listing exercises needs only the standard library, and this keeps the
    # test offline-fast; the full dependency set is installed by the README's commands.
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [env_dir / "bin" / "deskmobility", "exercises", "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the data must come from the installed wheel
    )
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"Thread the Needle", "Open Book", "Cat-Cow", "Dead Hang"} <= names
    assert len(names) >= 24
