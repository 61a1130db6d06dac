"""The real app (``run --no-tray``) and the command line in child processes, with hostile
surroundings: no XDG_RUNTIME_DIR and a /tmp fallback taken by someone else, a runtime
path too long for a socket, a runtime folder nobody can write, a FIFO as the config, a
config with thousands of errors, and history and logs left readable by others.

Each child is killed by pid in teardown. No desktop: the app runs without a tray, with
no session bus (notifications then fail, which is logged and does not matter here).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskmobility.adapters.files import private_folder

STARTED_WITHIN = 30.0


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskmobility", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env=env,
    )


class RunningApp:
    """``deskmobility run --no-tray`` in a child process, answering ``status`` once up."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, python: tuple[str, ...] = ()):
        self.env = env
        self.proc = subprocess.Popen(
            [sys.executable, *python, "-m", "deskmobility", "run", "--no-tray", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def wait_up(self) -> subprocess.CompletedProcess[str]:
        deadline = time.monotonic() + STARTED_WITHIN
        while time.monotonic() < deadline:
            status = cli("status", "--json", env=self.env)
            if status.returncode == 0:
                return status
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"the app never answered: {self.kill()}")

    def quit(self) -> tuple[int, str]:
        assert cli("quit", env=self.env).returncode == 0
        code = self.proc.wait(timeout=15)
        return code, self.proc.communicate()[1]

    def kill(self) -> str:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.communicate(timeout=10)[1]


@pytest.fixture
def apps() -> Iterator[list[RunningApp]]:
    started: list[RunningApp] = []
    yield started
    for app in started:
        app.kill()


def home_env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)  # conftest points HOME and the XDG folders into tmp_path
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(name, None)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def state_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "deskmobility"


# -- issue 13, item 11: where the control socket goes ------------------------------------


def test_without_xdg_runtime_dir_and_a_squatted_tmp_fallback_every_command_works(
    tmp_path: Path, apps: list[RunningApp]
) -> None:
    # platformdirs' fallback is <tmp>/runtime-<uid>; another user made it first (here: a
    # link, which platformdirs refuses just as it refuses another user's folder).
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp / f"runtime-{os.getuid()}").symlink_to(tmp_path)
    env = home_env(XDG_RUNTIME_DIR=None, TMPDIR=str(tmp))

    for args, code in ((["check-config"], 0), (["stats"], 1), (["status"], 3)):
        done = cli(*args, env=env)
        assert (done.returncode, "Traceback" in done.stderr) == (code, False), done.stderr
    app = RunningApp(env=env)
    apps.append(app)
    app.wait_up()

    assert (state_dir() / "run" / "control.sock").exists()
    assert cli("pause", "10 min", env=env).stdout.startswith("Paused until")
    assert app.quit()[0] == 0


def test_a_runtime_path_too_long_for_a_socket_still_works(
    tmp_path: Path, apps: list[RunningApp]
) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    deep.mkdir(parents=True, mode=0o700)
    env = home_env(XDG_RUNTIME_DIR=str(deep))
    assert len(os.fsencode(deep / "deskmobility" / "control.sock")) > 108

    app = RunningApp(env=env)
    apps.append(app)
    app.wait_up()

    assert (deep / "deskmobility" / "control.sock").exists()
    assert app.quit()[0] == 0


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    if os.geteuid() == 0:  # root writes anywhere chmod allows; chattr +i stops even root
        subprocess.run(["chattr", "+i", str(runtime)], check=True)
        try:
            yield runtime
        finally:
            subprocess.run(["chattr", "-i", str(runtime)], check=True)
    else:
        runtime.chmod(0o500)
        try:
            yield runtime
        finally:
            runtime.chmod(0o700)


def test_a_runtime_folder_that_cannot_be_written_falls_back_and_says_why(
    unwritable: Path, apps: list[RunningApp]
) -> None:
    env = home_env(XDG_RUNTIME_DIR=str(unwritable))
    app = RunningApp(env=env)
    apps.append(app)
    app.wait_up()
    assert cli("break", env=env).returncode == 0

    code, log = app.quit()
    assert code == 0
    folder = unwritable / "deskmobility"
    assert f"passed over: {folder}: cannot use {folder}" in log
    assert "Traceback" not in log


# -- issue 13, item 4: a FIFO as the config, with the app running ---------------------


def test_run_with_a_fifo_as_the_config_starts_on_defaults_and_says_why(
    tmp_path: Path, apps: list[RunningApp]
) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    app = RunningApp("--config", str(fifo), env=home_env())
    apps.append(app)
    status = app.wait_up()

    assert "is a named pipe (FIFO), not a regular file" in status.stdout
    assert app.quit()[0] == 0


# -- issue 13, item 6: status with thousands of config errors ---------------------------


def test_status_answers_with_twenty_thousand_config_errors(
    tmp_path: Path, apps: list[RunningApp]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[breaks]\n" + "".join(f"unknown_{n} = 1\n" for n in range(20_000)))
    env = home_env()
    app = RunningApp("--config", str(config), env=env)
    apps.append(app)
    app.wait_up()

    human = cli("status", env=env)
    assert human.returncode == 0, human.stderr
    assert "... and 19980 more problems" in human.stdout
    assert app.quit()[0] == 0


# -- issue 13, item 12: history, state and logs are the user's alone --------------------


def test_history_state_and_logs_are_private_and_wider_ones_are_tightened(
    tmp_path: Path, apps: list[RunningApp]
) -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "deskmobility"
    state = state_dir()
    for folder in (data, state, state / "log"):
        folder.mkdir(parents=True, mode=0o755)
        folder.chmod(0o755)
    old_log = state / "log" / "deskmobility.log.1"
    old_copy = state / "last-good-config.toml"
    for file in (old_log, old_copy):
        file.write_text("# from an older version\n")
        file.chmod(0o644)
    config = tmp_path / "config.toml"
    config.write_text('[reminders.head]\nevery = "15m"\n')
    config.chmod(0o644)
    env = home_env()
    app = RunningApp("--config", str(config), env=env)
    apps.append(app)
    app.wait_up()
    assert cli("break", env=env).returncode == 0
    assert app.quit()[0] == 0

    made = [data, state, state / "log"]
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode)) for f in made} == dict.fromkeys(
        map(str, made), "0o700"
    )
    files = [p for folder in made for p in folder.iterdir() if p.is_file()]
    assert {data / "history.sqlite3", state / "log" / "deskmobility.log", old_log} <= set(files)
    assert {str(f): oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == dict.fromkeys(
        map(str, files), "0o600"
    )
    assert stat.S_IMODE(config.stat().st_mode) == 0o644  # the user's own file is theirs


# -- issue 9, defect 3: the checklist from the command line, with the app running -------


def test_checklist_changes_go_through_the_running_app_and_reach_the_store(
    apps: list[RunningApp],
) -> None:
    env = home_env()
    app = RunningApp(env=env)
    apps.append(app)
    app.wait_up()

    assert cli("checklist", "tick", "chair", env=env).returncode == 0
    assert cli("checklist", "tick", "footrest", env=env).returncode == 0
    assert cli("checklist", "untick", "footrest", env=env).returncode == 0
    shown = cli("checklist", env=env).stdout
    assert app.quit()[0] == 0
    after = cli("checklist", env=env).stdout  # no app now: read from the store

    assert "[x] chair" in shown
    assert "[ ] footrest" in shown
    assert "(1 of 6 set up)" in shown
    assert after == shown


# -- issue 12: nothing on the running app's path that only a verb or Windows needs ------

ONLY_FOR_VERBS_OR_WINDOWS = {
    "hmac",
    "hashlib",
    "secrets",
    "getpass",
    "tomli_w",
    "deskmobility.adapters._control_keyed",
    "deskmobility.cli_store",
    "deskmobility.control_cli",
    "deskmobility.adapters.autostart",
    "deskmobility.adapters.chart",
    "deskmobility.core.config_doc",
}


def test_the_running_app_imports_nothing_only_a_verb_or_windows_needs(
    apps: list[RunningApp],
) -> None:
    env = home_env()
    app = RunningApp(env=env, python=("-X", "importtime"))
    apps.append(app)
    app.wait_up()
    _, log = app.quit()

    imported = {
        line.split("|")[2].strip() for line in log.splitlines() if line.startswith("import time:")
    }
    assert "deskmobility.adapters._control_unix" in imported
    assert imported & ONLY_FOR_VERBS_OR_WINDOWS == set()


def test_the_control_channel_alone_imports_no_multiprocessing_or_hashing(tmp_path: Path) -> None:
    script = """
import sys
from pathlib import Path
from deskmobility.adapters.control import ControlServer, send_command

class Echo:
    def handle(self, request):
        return {"ok": True, "message": "fine"}

server = ControlServer.claim(Path(sys.argv[1]))
server.start(Echo())
assert send_command(Path(sys.argv[1]), {"command": "status"})["message"] == "fine"
server.close()
print(" ".join(sorted(sys.modules)))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "rt")],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    loaded = set(done.stdout.split())
    assert loaded & {"multiprocessing", "multiprocessing.connection", "hmac", "hashlib"} == set()
    assert "secrets" not in loaded


def test_making_a_folder_private_tightens_what_is_in_it_and_follows_no_link(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "state"
    (folder / "log").mkdir(parents=True)
    for path in (folder, folder / "log"):
        path.chmod(0o755)
    for path in (folder / "history.sqlite3", folder / "log" / "deskmobility.log.2"):
        path.write_text("x")
        path.chmod(0o644)
    elsewhere = tmp_path / "shared.txt"
    elsewhere.write_text("not ours to change")
    elsewhere.chmod(0o644)
    (folder / "link").symlink_to(elsewhere)

    private_folder(folder)

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert (mode(folder), mode(folder / "log")) == (0o700, 0o700)
    assert mode(folder / "history.sqlite3") == 0o600
    assert mode(folder / "log" / "deskmobility.log.2") == 0o600
    assert mode(elsewhere) == 0o644
