"""A real GNOME Shell (Mutter), headless on Wayland, on private buses: for the GNOME e2e tests.

The recipe of ``../shared/desktop-testing.md``: Debian's ``gnome-shell --headless --wayland
--no-x11 --virtual-monitor``, with a session bus of its own and a private bus standing in
for the system bus (``DBUS_SYSTEM_BUS_ADDRESS``), so the machine's real system bus is never
touched. Where ``/run/systemd/seats`` exists but logind does not run (containers), the
shell aborts at start-up trying logind, so it runs in a private mount namespace where
``/run/systemd`` is an empty tmpfs.

Input for "the person came back" goes through Mutter's own RemoteDesktop interface (a
session that moves the pointer), as gnome-remote-desktop does: real input, as Mutter's
idle monitor counts it.

Use the ``gnome`` fixture in ``conftest.py``; a missing program fails the test loudly.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from . import startup
from .processes import ProcessGroup, wait_until

GNOME_REQUIRED = {"gnome-shell": "gnome-shell", "gjs": "gjs", "unshare": "util-linux"}
IDLE_MONITOR = "org.gnome.Mutter.IdleMonitor"
REMOTE_DESKTOP = "org.gnome.Mutter.RemoteDesktop"
SHELL_START_TIMEOUT = 60.0


class GnomeShell:
    """A running headless GNOME Shell; ``env`` is for its clients (Wayland, its session bus)."""

    def __init__(self, tmp: Path, log_dir: Path) -> None:
        self.tmp, self.log_dir = tmp, log_dir
        self.env: dict[str, str] = {}
        self._processes = ProcessGroup()
        self._remote: Any = None
        self._remote_session = ""

    def start(self) -> None:
        """Start the buses and the shell; return once Mutter's idle monitor answers."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = startup.private_env(self.tmp)
        for key in ("GDK_BACKEND", "GSETTINGS_BACKEND"):
            env.pop(key, None)
        system_tmp = self.tmp / "system-bus"
        system_tmp.mkdir()
        env["DBUS_SYSTEM_BUS_ADDRESS"] = startup.start_bus(
            self._processes, env, system_tmp, self.log_dir / "system-bus"
        )
        env["DBUS_SESSION_BUS_ADDRESS"] = startup.start_bus(
            self._processes, env, self.tmp, self.log_dir, activation=True
        )
        env.update(XDG_SESSION_TYPE="wayland", XDG_CURRENT_DESKTOP="GNOME")
        shell = (
            "mount -t tmpfs none /run/systemd 2>/dev/null; exec gnome-shell --headless "
            "--wayland --no-x11 --virtual-monitor 1024x768"
        )
        self._processes.start(
            "gnome-shell", ["unshare", "-m", "sh", "-c", shell], env=env,
            log=self.log_dir / "gnome-shell.log",
        )  # fmt: skip
        self.env = {**env, "WAYLAND_DISPLAY": "wayland-0"}
        wait_until(
            lambda: self.name_has_owner(IDLE_MONITOR) and self.name_has_owner(REMOTE_DESKTOP),
            SHELL_START_TIMEOUT,
            "GNOME Shell's idle monitor and remote desktop on the session bus",
            self._processes.describe,
        )

    def stop(self) -> None:
        """End the shell and the buses."""
        if self._remote is not None:
            self._remote.close_sync(None)
        self._processes.stop_all()

    def name_has_owner(self, name: str) -> bool:
        """Whether ``name`` has an owner on the shell's session bus."""
        reply = self.gdbus("org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus.NameHasOwner", name, check=False)  # fmt: skip
        return "true" in reply

    def idle_ms(self) -> int:
        """Mutter's idle time now, in milliseconds."""
        reply = self.gdbus(IDLE_MONITOR, "/org/gnome/Mutter/IdleMonitor/Core",
                           f"{IDLE_MONITOR}.GetIdletime")  # fmt: skip
        return int(reply.strip("()\n, ").split()[-1])

    def move_pointer(self) -> None:
        """Real input: move the pointer by 10 px through a RemoteDesktop session.

        Mutter serves a session only to the connection that created it, so one connection
        of this process's own does every step.
        """
        from deskmobility.adapters._session_bus import call, connect  # noqa: PLC0415

        base, session = "/org/gnome/Mutter/RemoteDesktop", f"{REMOTE_DESKTOP}.Session"
        if self._remote is None:
            self._remote = connect(self.env["DBUS_SESSION_BUS_ADDRESS"])
            (path,) = call(self._remote, (REMOTE_DESKTOP, base, REMOTE_DESKTOP, "CreateSession"),
                           None, 10.0)  # fmt: skip
            self._remote_session = str(path)
            call(self._remote, (REMOTE_DESKTOP, path, session, "Start"), None, 10.0)
        call(self._remote, (REMOTE_DESKTOP, self._remote_session, session,
             "NotifyPointerMotionRelative"), ("dd", (10.0, 10.0)), 10.0)  # fmt: skip

    def gdbus(self, dest: str, path: str, method: str, *args: str, check: bool = True) -> str:
        """``gdbus call`` on the shell's session bus; its stdout."""
        argv = ["gdbus", "call", "--session", "--dest", dest, "--object-path", path,
                "--method", method, *args]  # fmt: skip
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=10,
                              check=False)  # fmt: skip
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")
        return done.stdout
