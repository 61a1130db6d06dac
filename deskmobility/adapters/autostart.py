"""Start deskmobility at login: an XDG autostart entry, a macOS LaunchAgent, or the Run key.

``select_autostart(platform, env)`` is the one dispatch point; the platform, the
environment and (on Windows) the registry module are parameters so tests can stand in.
Nothing here starts or stops a running app: the entry takes effect at the next login.

On Linux the same entry also goes into the app grid (``$XDG_DATA_HOME/applications``),
with the icon installed in the user's hicolor theme and three desktop actions (start a
micro-break, pause for an hour, resume): on a desktop with no tray, such as stock GNOME,
that is how a person reaches the app without a terminal.
"""

from __future__ import annotations

import importlib
import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from deskmobility.adapters.files import asset_path, atomic_write

APP = "deskmobility"
LAUNCH_AGENT_LABEL = "io.github.deskmobility"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
# Task Manager's "Startup apps" switch: a binary value whose first byte is odd when disabled.
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
_DESKTOP_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class AutostartStatus:
    """Whether deskmobility starts at login, where that is set, and what it runs."""

    enabled: bool
    location: str
    command: str | None = None
    note: str | None = None

    @classmethod
    def on(cls, location: str, command: str | None) -> AutostartStatus:
        """Starts at login, running ``command``."""
        return cls(enabled=True, location=location, command=command)

    @classmethod
    def off(
        cls, location: str, command: str | None = None, note: str | None = None
    ) -> AutostartStatus:
        """Does not start at login (``note`` says why, when an entry exists)."""
        return cls(enabled=False, location=location, command=command, note=note)


class Autostart(Protocol):
    """One platform's login-item mechanism."""

    location: str

    def status(self) -> AutostartStatus:
        """What is set now."""
        ...

    def enable(self, command: Sequence[str]) -> AutostartStatus:
        """Run ``command`` at login (replacing any earlier entry)."""
        ...

    def disable(self) -> bool:
        """Remove the entry; False when there was none."""
        ...


class _Registry(Protocol):
    """The part of the ``winreg`` module used here."""

    HKEY_CURRENT_USER: int
    KEY_READ: int
    KEY_SET_VALUE: int
    REG_SZ: int

    def OpenKey(  # noqa: N802  # winreg's names
        self, key: int, sub_key: str, reserved: int, access: int
    ) -> AbstractContextManager[object]: ...
    def CreateKeyEx(  # noqa: N802
        self, key: int, sub_key: str, reserved: int, access: int
    ) -> AbstractContextManager[object]: ...
    def QueryValueEx(self, key: object, name: str) -> tuple[object, int]: ...  # noqa: N802
    def SetValueEx(self, key: object, name: str, reserved: int, kind: int, value: str) -> None: ...  # noqa: N802
    def DeleteValue(self, key: object, name: str) -> None: ...  # noqa: N802


def select_autostart(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    registry: _Registry | None = None,
) -> Autostart:
    """The login-item mechanism for ``platform``."""
    home = Path(env.get("HOME") or Path.home())

    def xdg(variable: str, default: str) -> Path:
        value = env.get(variable, "")
        return Path(value) if Path(value).is_absolute() else home / default

    if platform == "win32":
        return RunKeyAutostart(registry or cast("_Registry", importlib.import_module("winreg")))
    if platform == "darwin":
        return LaunchAgentAutostart(
            home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
        )
    data_home = xdg("XDG_DATA_HOME", ".local/share")
    return XdgAutostart(
        xdg("XDG_CONFIG_HOME", ".config") / "autostart" / f"{APP}.desktop",
        app_grid=data_home / "applications" / f"{APP}.desktop",
        icon_theme=data_home / "icons" / "hicolor",
    )


def launch_command(
    platform: str = sys.platform,
    argv0: str | None = None,
    executable: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """How to start this deskmobility: its console script, else ``python -m deskmobility``.

    On Windows the console script would open a console window at every login, so
    ``pythonw.exe -m deskmobility`` is preferred when it sits next to the interpreter.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = executable or sys.executable
    if platform == "win32":
        windowless = Path(executable).with_name("pythonw.exe")
        if windowless.is_file():
            return [str(windowless), "-m", APP]
    if Path(argv0).stem == APP and Path(argv0).is_file():
        return [os.path.abspath(argv0)]  # noqa: PTH100  # keep a pipx symlink, do not resolve it
    found = which(APP)
    if found:
        return [os.path.abspath(found)]  # noqa: PTH100
    return [executable, "-m", APP]


class XdgAutostart:
    """``$XDG_CONFIG_HOME/autostart/deskmobility.desktop`` (freedesktop Desktop Entry).

    ``enable`` also puts the entry in the app grid (``app_grid``) and the icon in the
    user's ``icon_theme``; ``disable`` removes the login entry only.
    """

    def __init__(self, path: Path, app_grid: Path, icon_theme: Path) -> None:
        self.path = path
        self.location = str(path)
        self.app_grid = app_grid
        self.icon_theme = icon_theme

    def status(self) -> AutostartStatus:
        """On unless the entry is missing, Hidden, or switched off in the desktop's settings."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return AutostartStatus.off(self.location)
        except (OSError, UnicodeDecodeError) as error:
            return AutostartStatus.off(self.location, None, f"cannot be read: {error}")
        fields = desktop_groups(text).get("Desktop Entry", {})
        if fields.get("Hidden", "").strip() == "true":
            return AutostartStatus.off(self.location, fields.get("Exec"), "marked Hidden")
        if fields.get("X-GNOME-Autostart-enabled", "").strip() == "false":
            note = "switched off in the desktop's startup settings"
            return AutostartStatus.off(self.location, fields.get("Exec"), note)
        return AutostartStatus.on(self.location, fields.get("Exec"))

    def enable(self, command: Sequence[str]) -> AutostartStatus:
        """Install the icon, then write both entries atomically."""
        for size in ICON_SIZES:
            icon = self.icon_theme / f"{size}x{size}" / "apps" / f"{APP}.png"
            atomic_write(icon, asset_path(f"{APP}-{size}.png").read_bytes())
        entry = desktop_entry(command, APP).encode()
        atomic_write(self.app_grid, entry)
        atomic_write(self.path, entry)
        return self.status()

    def disable(self) -> bool:
        """Delete the entry."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


ICON_SIZES = (16, 22, 24, 32, 48, 128, 256)
# The app grid's right-click menu (and the dock's): what a person without a tray needs most.
DESKTOP_ACTIONS = (
    ("micro-break", "Start micro-break", ("break",)),
    ("pause-hour", "Pause 1 hour", ("pause", "1h")),
    ("resume", "Resume", ("resume",)),
)


def desktop_entry(command: Sequence[str], icon: str | Path) -> str:
    """The ``.desktop`` text that runs ``command`` (at login, or from the app grid).

    ``icon`` is an icon name from the theme, or a file. Each desktop action runs
    ``command`` with a control verb, which the running app carries out.
    """
    run = " ".join(_exec_quote(arg) for arg in command)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={APP}",
        "Comment=Posture, head-position and stretch-break reminders",
        f"Exec={run}",
        f"Icon={_string_escape(str(icon))}",
        "Terminal=false",
        "Categories=Utility;",
        f"Actions={''.join(f'{key};' for key, _, _ in DESKTOP_ACTIONS)}",
        "X-GNOME-Autostart-enabled=true",
    ]
    for key, name, verb in DESKTOP_ACTIONS:
        action = " ".join([run, *(_exec_quote(arg) for arg in verb)])
        lines += ["", f"[Desktop Action {key}]", f"Name={name}", f"Exec={action}"]
    return "\n".join(lines) + "\n"


def desktop_groups(text: str) -> dict[str, dict[str, str]]:
    """The groups of a ``.desktop`` file, each a mapping of its keys (comments skipped)."""
    groups: dict[str, dict[str, str]] = {}
    group: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("[") and line.endswith("]"):
            group = groups.setdefault(line[1:-1], {})
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            group[key.strip()] = value.strip()
    return groups


def _exec_quote(arg: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec says (then escape it as a string)."""
    if "\n" in arg or "\r" in arg:
        raise ValueError(f"cannot put a line break in an autostart command: {arg!r}")
    arg = arg.replace("%", "%%")
    if set(arg) & _DESKTOP_RESERVED:
        arg = '"' + "".join(f"\\{c}" if c in '"`$\\' else c for c in arg) + '"'
    return _string_escape(arg)


def _string_escape(value: str) -> str:
    return value.replace("\\", "\\\\")


class LaunchAgentAutostart:
    """``~/Library/LaunchAgents/io.github.deskmobility.plist`` with RunAtLoad."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)

    def status(self) -> AutostartStatus:
        """On when the agent exists, runs at load and is not Disabled."""
        try:
            agent = plistlib.loads(self.path.read_bytes())
        except FileNotFoundError:
            return AutostartStatus.off(self.location)
        except (OSError, plistlib.InvalidFileException) as error:
            return AutostartStatus.off(self.location, None, f"cannot be read: {error}")
        arguments = agent.get("ProgramArguments") if isinstance(agent, dict) else None
        command = shlex.join(map(str, arguments)) if isinstance(arguments, list) else None
        if agent.get("RunAtLoad") is not True or agent.get("Disabled") is True:
            return AutostartStatus.off(self.location, command, "not set to run at load")
        return AutostartStatus.on(self.location, command)

    def enable(self, command: Sequence[str]) -> AutostartStatus:
        """Write the agent atomically; launchd reads it at the next login."""
        agent = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        atomic_write(self.path, plistlib.dumps(agent))
        return self.status()

    def disable(self) -> bool:
        """Delete the agent."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


class RunKeyAutostart:
    r"""A ``deskmobility`` value under ``HKCU\Software\Microsoft\Windows\CurrentVersion\Run``."""

    def __init__(self, registry: _Registry) -> None:
        self._reg = registry
        self.location = rf"HKEY_CURRENT_USER\{RUN_KEY}\{APP}"

    def status(self) -> AutostartStatus:
        """On when the value exists and Task Manager has not switched it off."""
        command = self._query(RUN_KEY)
        if command is None:
            return AutostartStatus.off(self.location)
        approved = self._query(APPROVED_KEY)
        if isinstance(approved, bytes) and approved[:1] and approved[0] & 1:
            note = "switched off in Task Manager's Startup apps"
            return AutostartStatus.off(self.location, str(command), note)
        return AutostartStatus.on(self.location, str(command))

    def enable(self, command: Sequence[str]) -> AutostartStatus:
        """Set the Run value (and clear a Task Manager "disabled" mark, as asked)."""
        reg = self._reg
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, APP, 0, reg.REG_SZ, subprocess.list2cmdline(command))
        self._delete(APPROVED_KEY)
        return self.status()

    def disable(self) -> bool:
        """Delete the Run value."""
        return self._delete(RUN_KEY)

    def _query(self, sub_key: str) -> object | None:
        reg = self._reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, sub_key, 0, reg.KEY_READ) as key:
                return reg.QueryValueEx(key, APP)[0]
        except FileNotFoundError:
            return None

    def _delete(self, sub_key: str) -> bool:
        reg = self._reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, sub_key, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, APP)
        except FileNotFoundError:
            return False
        return True
