"""Autostart entries: real files for Linux and macOS, a stand-in registry for Windows.

The platform is a parameter of ``select_autostart``: the macOS and Windows tests run on
any OS and are mocks of those platforms (the macOS one writes a real plist under a
temporary HOME; the Windows one uses ``FakeWinreg`` instead of ``winreg``).
"""

from __future__ import annotations

import argparse
import plistlib
import stat
import subprocess
from pathlib import Path
from typing import Self

import pytest

from deskmobility.adapters.autostart import (
    APPROVED_KEY,
    RUN_KEY,
    LaunchAgentAutostart,
    RunKeyAutostart,
    XdgAutostart,
    desktop_entry,
    desktop_groups,
    launch_command,
    select_autostart,
)
from deskmobility.control_cli import add_control_commands, run_control_command


def desktop_fields(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[Desktop Entry]\n")
    return desktop_groups(text)["Desktop Entry"]


# -- Linux: XDG autostart -----------------------------------------------------------------


def test_linux_entry_is_written_read_and_removed(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    autostart = select_autostart("linux", env)
    entry = tmp_path / "cfg" / "autostart" / "deskmobility.desktop"
    assert isinstance(autostart, XdgAutostart)
    assert autostart.status().enabled is False

    state = autostart.enable(["/opt/desk mobility/bin/deskmobility"])

    fields = desktop_fields(entry)
    assert fields["Type"] == "Application"
    assert fields["Exec"] == '"/opt/desk mobility/bin/deskmobility"'
    assert fields["Icon"] == "deskmobility"
    icons = tmp_path / "home" / ".local" / "share" / "icons" / "hicolor"
    assert (icons / "128x128" / "apps" / "deskmobility.png").is_file()
    assert (state.enabled, state.location) == (True, str(entry))
    assert state.command == fields["Exec"]
    assert not list(entry.parent.glob(".*tmp"))  # atomic write left no temporary behind
    assert autostart.disable() is True
    assert not entry.exists()
    assert autostart.disable() is False


def test_linux_without_xdg_config_home_uses_home_config(tmp_path: Path) -> None:
    for env in ({"HOME": str(tmp_path)}, {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "rel"}):
        autostart = select_autostart("linux", env)
        assert autostart.location == str(tmp_path / ".config/autostart/deskmobility.desktop")


def test_linux_entry_switched_off_by_the_desktop_reads_as_off(tmp_path: Path) -> None:
    autostart = select_autostart("linux", {"HOME": str(tmp_path)})
    autostart.enable(["/usr/bin/deskmobility"])
    path = Path(autostart.location)
    path.write_text(path.read_text().replace("Autostart-enabled=true", "Autostart-enabled=false"))

    state = autostart.status()

    assert state.enabled is False
    assert state.note == "switched off in the desktop's startup settings"
    assert state.command == "/usr/bin/deskmobility"


def test_exec_line_quotes_as_the_desktop_entry_spec_says() -> None:
    command = ["/usr/bin/python3", "-m", "deskmobility", 'a "b" $HOME 100% `x`', "C:\\dir"]

    exec_line = desktop_fields_from_text(desktop_entry(command, Path("/icons/dm.png")))["Exec"]

    # String escaping doubles each backslash after quoting has added its own.
    assert exec_line == (
        '/usr/bin/python3 -m deskmobility "a \\\\"b\\\\" \\\\$HOME 100%% \\\\`x\\\\`" '
        '"C:\\\\\\\\dir"'
    )
    with pytest.raises(ValueError, match="line break"):
        desktop_entry(["/bin/x\nInjected=1"], Path("/icons/dm.png"))


def desktop_fields_from_text(text: str) -> dict[str, str]:
    return desktop_groups(text)["Desktop Entry"]


def test_the_app_grid_entry_has_the_three_desktop_actions_and_validates(tmp_path: Path) -> None:
    """The entry a person without a tray starts breaks from; checked with the spec's own
    validator (desktop-file-validate, from desktop-file-utils)."""
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    autostart = select_autostart("linux", env)
    autostart.enable(["/usr/bin/deskmobility"])
    app_grid = tmp_path / "data" / "applications" / "deskmobility.desktop"
    groups = desktop_groups(app_grid.read_text(encoding="utf-8"))
    assert groups["Desktop Entry"]["Actions"] == "micro-break;pause-hour;resume;"
    assert {name: g["Exec"] for name, g in groups.items() if name != "Desktop Entry"} == {
        "Desktop Action micro-break": "/usr/bin/deskmobility break",
        "Desktop Action pause-hour": "/usr/bin/deskmobility pause 1h",
        "Desktop Action resume": "/usr/bin/deskmobility resume",
    }
    assert groups["Desktop Action micro-break"]["Name"] == "Start micro-break"
    for entry in (app_grid, Path(autostart.location)):
        checked = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout == "", checked.stdout  # no warnings either
    assert autostart.disable() is True
    assert app_grid.is_file()  # the app grid keeps it: that is how people start the app


# -- macOS: a LaunchAgent (platform injected: a mock of macOS) ----------------------------


def test_macos_launch_agent_is_a_plist_that_runs_at_load(tmp_path: Path) -> None:
    autostart = select_autostart("darwin", {"HOME": str(tmp_path)})
    plist = tmp_path / "Library/LaunchAgents/io.github.deskmobility.plist"
    assert isinstance(autostart, LaunchAgentAutostart)
    assert autostart.status().enabled is False

    state = autostart.enable(["/Users/me/.local/bin/deskmobility"])

    agent = plistlib.loads(plist.read_bytes())
    assert agent["Label"] == "io.github.deskmobility"
    assert agent["ProgramArguments"] == ["/Users/me/.local/bin/deskmobility"]
    assert agent["RunAtLoad"] is True
    assert not stat.S_IMODE(plist.stat().st_mode) & 0o022  # launchd refuses writable agents
    assert (state.enabled, state.location) == (True, str(plist))
    assert state.command == "/Users/me/.local/bin/deskmobility"
    assert autostart.disable() is True
    assert autostart.status().enabled is False


def test_macos_unreadable_agent_is_reported_not_raised(tmp_path: Path) -> None:
    autostart = select_autostart("darwin", {"HOME": str(tmp_path)})
    Path(autostart.location).parent.mkdir(parents=True)
    Path(autostart.location).write_bytes(b"not a plist")

    state = autostart.status()

    assert state.enabled is False
    assert state.note is not None
    assert state.note.startswith("cannot be read")


# -- Windows: the Run key (a mock of Windows: FakeWinreg stands in for winreg) ------------


class FakeKey:
    def __init__(self, values: dict[str, tuple[object, int]]) -> None:
        self.values = values

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeWinreg:
    """Mocks the part of ``winreg`` the Run key needs: keys are dicts of named values."""

    HKEY_CURRENT_USER = 0x80000001
    KEY_READ = 0x20019
    KEY_SET_VALUE = 0x0002
    REG_SZ = 1
    REG_BINARY = 3

    def __init__(self) -> None:
        self.keys: dict[tuple[int, str], dict[str, tuple[object, int]]] = {}

    def OpenKey(self, key: int, sub_key: str, reserved: int, access: int) -> FakeKey:  # noqa: N802
        if (key, sub_key) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return FakeKey(self.keys[key, sub_key])

    def CreateKeyEx(self, key: int, sub_key: str, reserved: int, access: int) -> FakeKey:  # noqa: N802
        return FakeKey(self.keys.setdefault((key, sub_key), {}))

    # The port takes any key object (winreg's are HKEYs), so these take ``object`` too and
    # check that it is one of the keys OpenKey/CreateKeyEx handed out.
    def QueryValueEx(self, key: object, name: str) -> tuple[object, int]:  # noqa: N802
        values = _values(key)
        if name not in values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return values[name]

    def SetValueEx(self, key: object, name: str, reserved: int, kind: int, value: str) -> None:  # noqa: N802
        _values(key)[name] = (value, kind)

    def DeleteValue(self, key: object, name: str) -> None:  # noqa: N802
        values = _values(key)
        if name not in values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del values[name]


def _values(key: object) -> dict[str, tuple[object, int]]:
    assert isinstance(key, FakeKey), f"not a key this registry opened: {key!r}"
    return key.values


HKCU = FakeWinreg.HKEY_CURRENT_USER


def test_windows_run_value_is_set_read_and_deleted() -> None:
    registry = FakeWinreg()
    autostart = select_autostart("win32", {}, registry=registry)
    assert isinstance(autostart, RunKeyAutostart)
    assert autostart.status().enabled is False

    command = [r"C:\Program Files\Python\pythonw.exe", "-m", "deskmobility"]
    state = autostart.enable(command)

    expected = r'"C:\Program Files\Python\pythonw.exe" -m deskmobility'
    assert registry.keys[HKCU, RUN_KEY]["deskmobility"] == (expected, FakeWinreg.REG_SZ)
    assert (state.enabled, state.command) == (True, expected)
    assert state.location.endswith(r"CurrentVersion\Run\deskmobility")
    assert autostart.disable() is True
    assert autostart.status().enabled is False
    assert autostart.disable() is False


def test_windows_entry_switched_off_in_task_manager_reads_off_until_enabled_again() -> None:
    registry = FakeWinreg()
    autostart = select_autostart("win32", {}, registry=registry)
    autostart.enable(["C:\\dm\\deskmobility.exe"])
    registry.keys[HKCU, APPROVED_KEY] = {
        "deskmobility": (b"\x03" + bytes(11), FakeWinreg.REG_BINARY)
    }

    state = autostart.status()
    assert state.enabled is False
    assert state.note == "switched off in Task Manager's Startup apps"

    assert autostart.enable(["C:\\dm\\deskmobility.exe"]).enabled is True
    assert "deskmobility" not in registry.keys[HKCU, APPROVED_KEY]


# -- what the entry runs -------------------------------------------------------------------


def test_launch_command_prefers_the_console_script(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "deskmobility"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    main = tmp_path / "deskmobility" / "__main__.py"

    def nowhere(name: str) -> None:
        return None

    assert launch_command("linux", str(script), "/py/bin/python3", nowhere) == [str(script)]
    assert launch_command("linux", str(main), "/py/bin/python3", lambda _: str(script)) == [
        str(script)
    ]
    assert launch_command("linux", str(main), "/py/bin/python3", nowhere) == [
        "/py/bin/python3",
        "-m",
        "deskmobility",
    ]


def test_launch_command_on_windows_avoids_a_console_window(tmp_path: Path) -> None:
    """A mock of Windows: only the file layout of a Windows Python install is imitated."""
    (tmp_path / "python.exe").write_bytes(b"")
    (tmp_path / "pythonw.exe").write_bytes(b"")

    command = launch_command("win32", "deskmobility.exe", str(tmp_path / "python.exe"))

    assert command == [str(tmp_path / "pythonw.exe"), "-m", "deskmobility"]


# -- the command line, on this machine's real platform ------------------------------------


def test_cli_autostart_on_status_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    parser = argparse.ArgumentParser()
    add_control_commands(parser.add_subparsers(dest="command"))

    def run(action: str) -> str:
        assert run_control_command(parser.parse_args(["autostart", action])) == 0
        return capsys.readouterr().out

    location = select_autostart().location
    assert run("status") == f"Autostart off (no entry at {location})\n"
    assert run("on").startswith(f"Autostart on: {location}\n  runs ")
    assert Path(location).is_file()
    assert run("status").startswith(f"Autostart on: {location}")
    assert run("off") == f"Autostart off: removed {location}\n"
    assert run("off") == "Autostart was off\n"
    assert not Path(location).exists()
