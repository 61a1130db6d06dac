"""A real, private Linux desktop for end-to-end tests: X display, session bus, tray, notifications.

``Desktop.start()`` brings up, each as a child process in its own process group and each
waited for until it works (see ``startup.py``):

- ``Xvfb`` on a free display, 1024x768x24, no TCP;
- a private ``dbus-daemon`` session bus without D-Bus activation, so nothing is started
  behind the test's back (dunst stays down after ``kill_dunst()``);
- two ``dbus-monitor`` recorders of every ``org.freedesktop.Notifications.Notify`` call:
  ``notify.log`` (text, for people) and ``notify.pcap`` (wire format, parsed exactly:
  dbus-monitor's text output does not escape quotes or newlines in strings);
- ``dunst`` with ``tests/e2e/dunstrc``: fixed look, top left, every notification 60 s;
- ``trayer``, an XEmbed tray along the top edge; icons at its right end (about x=1012, y=12).

``start_sni_host()`` adds the StatusNotifierItem/AppIndicator host on demand
(``status-notifier-watcher`` + ``gtk-sni-tray-standalone``: a bar along the bottom, icons
at its right end, about x=1012, y=756). ``stop()`` ends every process it started.

Programs run on this desktop get ``env``: DISPLAY, DBUS_SESSION_BUS_ADDRESS, and HOME,
XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_DATA_HOME, XDG_CACHE_HOME, XDG_RUNTIME_DIR (0700) in a
temporary folder, so nothing touches a real user's files or session. ``spawn()`` and
``run()`` pass it for you. Use the ``desktop`` fixture (``conftest.py``) rather than
building one by hand.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from . import startup
from .dbus_capture import Notification, read_notifications
from .processes import DesktopError, ProcessGroup, wait_until

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "REQUIRED",
    "SNI_HOST",
    "Desktop",
    "DesktopError",
    "Notification",
    "missing_programs",
    "wait_until",
]

DUNSTRC = Path(__file__).with_name("dunstrc")
NOTIFICATIONS = "org.freedesktop.Notifications"
SNI_WATCHER = "org.kde.StatusNotifierWatcher"

# Programs the desktop needs, and the Debian package that ships each one.
REQUIRED = {
    "Xvfb": "xvfb",
    "xdpyinfo": "x11-utils",
    "dbus-daemon": "dbus",
    "dbus-monitor": "dbus",
    "dbus-send": "dbus",
    "dunst": "dunst",
    "trayer": "trayer",
    "xdotool": "xdotool",
    "import": "imagemagick",
}
SNI_HOST = {
    "status-notifier-watcher": "haskell-status-notifier-item-utils",
    "gtk-sni-tray-standalone": "haskell-gtk-sni-tray-utils",
}
_CORE = ("Xvfb", "dbus-daemon", "notify-log", "notify-recorder", "trayer")


def missing_programs(programs: dict[str, str]) -> str | None:
    """Say which of ``programs`` (name -> Debian package) are not on PATH, or return None."""
    missing = sorted(name for name in programs if shutil.which(name) is None)
    if not missing:
        return None
    packages = " ".join(sorted({programs[name] for name in missing}))
    return (
        f"the e2e desktop needs {', '.join(missing)} on PATH: run `bash scripts/dev.sh test`, "
        f"or `apt-get install {packages}`"
    )


class Desktop:
    """A running private desktop (see the module docstring).

    Attributes:
        env: the environment for every program run on this desktop.
        display: the X display name, such as ``":3"``.
        width, height: the screen size in pixels (1024, 768).
        log_dir: the desktop's own logs (Xvfb, dbus-daemon, dunst, trayer, notify.log/.pcap).
        artifacts: the running test's artifacts folder, else ``log_dir``.

    """

    def __init__(self, tmp: Path, log_dir: Path) -> None:
        self.tmp, self.log_dir, self.artifacts = tmp, log_dir, log_dir
        self.width, self.height = startup.WIDTH, startup.HEIGHT
        self.display = ""
        self.env: dict[str, str] = {}
        self._processes = ProcessGroup()
        self._pcap = log_dir / "notify.pcap"
        self._dunst: subprocess.Popen[bytes] | None = None
        self._sni_host = False
        self._test: str | None = None
        self._test_start = 0

    # -- lifecycle (the fixtures call these) -----------------------------------------------

    def start(self) -> None:
        """Start Xvfb, the bus, the Notify recorders, dunst and trayer; each ready on return."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.env = startup.private_env(self.tmp)
        self.env["DISPLAY"] = self.display = startup.start_xvfb(
            self._processes, self.env, self.log_dir
        )
        self.env["DBUS_SESSION_BUS_ADDRESS"] = startup.start_bus(
            self._processes, self.env, self.tmp, self.log_dir
        )
        self._pcap = startup.start_recorders(self._processes, self.env, self.log_dir)
        self.start_dunst()
        self._service(
            "trayer",
            [
                *("trayer", "--edge", "top", "--align", "right", "--widthtype", "request"),
                *("--height", "24", "--transparent", "false"),
            ],
            ready=lambda: startup.selection_owned(self.display, "_NET_SYSTEM_TRAY_S0"),
        )

    def stop(self) -> None:
        """End every process this desktop started, newest first, by process group."""
        self._processes.stop_all()

    def begin_test(self, name: str, artifacts: Path) -> None:
        """Scope notifications, spawned processes and files to one test."""
        self._processes.check_alive(_CORE)
        self._test, self.artifacts = name, artifacts
        self._test_start = len(read_notifications(self._pcap))

    def end_test(self) -> None:
        """Save final.png and notifications.json, stop the test's processes, revive dunst."""
        try:
            self.screenshot("final.png")
            notes = [asdict(note) for note in self.notifications()]
            text = json.dumps(notes, indent=2, ensure_ascii=False, default=_for_json)
            (self.artifacts / "notifications.json").write_text(text + "\n", encoding="utf-8")
        finally:
            self._processes.stop_owned_by(self._test)
            self._test, self.artifacts = None, self.log_dir
            self.start_dunst()

    # -- programs on the desktop -----------------------------------------------------------

    def spawn(
        self, argv: Sequence[str], *, name: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` on this desktop in its own process group, output in ``<name>.log``.

        ``env`` is added to ``self.env``. Started during a test, its log lands in the test's
        artifacts folder and it is stopped when the test ends; started outside a test (by a
        module-scoped fixture, say), in ``log_dir`` and stopped with the desktop.
        ``stop_process()`` ends it earlier.
        """
        label = name or Path(argv[0]).name
        return self._processes.start(
            label,
            argv,
            env={**self.env, **(env or {})},
            log=self.artifacts / f"{label}.log",
            owner=self._test,
        )

    def stop_process(self, process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
        """Signal a spawned process's group (SIGKILL after 5 s), wait, return its exit code."""
        return self._processes.stop(process, sig)

    def run(
        self, argv: Sequence[str], *, timeout: float = 30.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a short command on this desktop; its output is captured as text.

        ``check``: raise DesktopError, with the output, if it exits non-zero.
        """
        result = subprocess.run(
            list(argv),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and result.returncode != 0:
            raise DesktopError(
                f"{' '.join(argv)} exited {result.returncode}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    # -- notifications ---------------------------------------------------------------------

    def notifications(self, *, since: int | None = None) -> list[Notification]:
        """The Notify calls recorded, oldest first.

        By default those since the running test began, so tests in one module do not see
        each other's; ``since=0``: all since the desktop started; ``since=desktop.mark()``:
        those after that point.
        """
        start = self._test_start if since is None else since
        return read_notifications(self._pcap)[start:]

    def mark(self) -> int:
        """The current point in the notification stream, to pass as ``since=`` later."""
        return len(read_notifications(self._pcap))

    def wait_for_notifications(
        self,
        expected: int | Callable[[Notification], bool] = 1,
        *,
        timeout: float = 10.0,
        since: int | None = None,
    ) -> list[Notification]:
        """Wait, polling every 0.1 s for at most ``timeout`` s, for notifications; return them.

        ``expected`` is a count (wait for at least that many, return them all) or a
        predicate on one Notification (wait for a match, return every match). On timeout,
        DesktopError lists what did arrive. ``since`` is as in ``notifications()``.
        """
        found: list[Notification] = []

        def arrived() -> bool:
            nonlocal found
            found = self.notifications(since=since)
            if isinstance(expected, int):
                return len(found) >= expected
            found = [note for note in found if expected(note)]
            return bool(found)

        def diagnose() -> str:
            spawned = self._processes.describe(self._test) if self._test else ""
            return _arrived(self.notifications(since=since)) + "\n" + spawned

        wanted = f"{expected} notification(s)" if isinstance(expected, int) else "a match"
        wait_until(arrived, timeout, wanted, diagnose, 0.1)
        return found

    # -- the notification server -----------------------------------------------------------

    @property
    def dunst_running(self) -> bool:
        """Whether this desktop's dunst is alive."""
        return self._dunst is not None and self._dunst.poll() is None

    def start_dunst(self) -> None:
        """Start dunst unless it runs; return once it owns org.freedesktop.Notifications.

        Its ``dmenu`` (the program its context menu of actions runs) is a script that
        picks the line holding the label ``choose_action`` names, as a person would.
        """
        if not self.dunst_running:
            self._dunst = self._service(
                "dunst",
                ["dunst", "-config", str(self._dunstrc())],
                ready=lambda: self.name_has_owner(NOTIFICATIONS),
            )

    def choose_action(self, label: str, *, screenshot: str | None = None) -> Path | None:
        """Choose the action labelled ``label`` on the newest notification, by dunst's menu.

        With ``screenshot``, the menu is the real dmenu: photographed, then ``label`` typed
        into it and Return pressed, as a person does; returns the picture.
        """
        choice = self.tmp / "dmenu-pick.choice"
        if screenshot is None:
            choice.write_text(label, encoding="utf-8")
            self.run(["dunstctl", "context"])
            return None
        choice.unlink(missing_ok=True)  # no choice written: the script runs dmenu itself
        context = subprocess.Popen(["dunstctl", "context"], env=self.env)
        try:
            wait_until(
                lambda: bool(
                    self.run(["xdotool", "search", "--class", "dmenu"], check=False).stdout
                ),
                5.0,
                "dmenu's menu on the screen",
            )
            time.sleep(0.3)  # drawn, not just mapped
            shot = self.screenshot(screenshot)
            self.xdotool("type", "--delay", "30", label)
            self.xdotool("key", "Return")
        finally:
            context.wait(10)
        return shot

    def _dunstrc(self) -> Path:
        pick = self.tmp / "dmenu-pick"
        choice = self.tmp / "dmenu-pick.choice"
        pick.write_text(
            f'#!/bin/sh\nif [ -s "{choice}" ]; then exec grep -m1 -F -- "$(cat "{choice}")"; fi\n'
            'exec dmenu -b -l 8 -fn "DejaVu Sans-12" -p "dunst actions:"\n',
            encoding="utf-8",
        )
        pick.chmod(0o755)
        config = self.tmp / "dunstrc"
        text = DUNSTRC.read_text(encoding="utf-8")
        config.write_text(text.replace("[global]\n", f"[global]\n    dmenu = {pick}\n", 1))
        return config

    def kill_dunst(self, sig: int = signal.SIGTERM) -> None:
        """Stop dunst (``signal.SIGKILL`` for a crash); return once its bus name is gone.

        Nothing brings it back until ``start_dunst()``, or the end of the test.
        """
        if self._dunst is not None:
            self.stop_process(self._dunst, sig)
        wait_until(lambda: not self.name_has_owner(NOTIFICATIONS), 5.0, "dunst's name to go")

    def signal_dunst(self, sig: int) -> None:
        """Send dunst ``sig`` (SIGSTOP: a server that hangs; SIGCONT: it answers again)."""
        if self._dunst is None:
            raise DesktopError("dunst is not running")
        self._dunst.send_signal(sig)

    # -- screen and input ------------------------------------------------------------------

    def screenshot(self, path: Path | str | None = None) -> Path:
        """Save the whole screen as PNG (``import -window root``) and return its path.

        A relative path is taken inside the test's artifacts folder; the default is
        ``screenshot-N.png`` there.
        """
        target = self.artifacts / (path or _next_free(self.artifacts, "screenshot-{}.png"))
        target.parent.mkdir(parents=True, exist_ok=True)
        self.run(["import", "-window", "root", str(target)])
        return target

    def click(self, x: int, y: int, button: int = 1) -> None:
        """Move the pointer to (x, y) and click ``button`` (1 left, 2 middle, 3 right)."""
        self.xdotool("mousemove", "--sync", str(x), str(y), "click", str(button))

    def xdotool(self, *args: str) -> str:
        """Run ``xdotool`` with ``args`` on this display; return its stdout."""
        return self.run(["xdotool", *args], timeout=15.0).stdout

    # -- StatusNotifierItem host -----------------------------------------------------------

    def start_sni_host(self) -> None:
        """Start the SNI watcher and host bar (once, for the rest of the desktop's life).

        Returns when the host is registered with the watcher.
        """
        if self._sni_host:
            return
        problem = missing_programs(SNI_HOST)
        if problem:
            raise DesktopError(problem)
        self._service(
            "sni-watcher",
            ["status-notifier-watcher"],
            ready=lambda: self.name_has_owner(SNI_WATCHER),
        )
        self._service(
            "sni-tray",
            ["gtk-sni-tray-standalone", "--bottom", "--end", "-s", "24"],
            ready=lambda: "true" in self._watcher_property("IsStatusNotifierHostRegistered"),
        )
        self._sni_host = True

    def sni_items(self) -> list[str]:
        """The items registered with the SNI watcher, as it names them.

        An app using libayatana-appindicator (pystray's appindicator backend) shows up as
        its unique bus name, such as ``":1.23"``; wait for one with ``wait_until``.
        """
        reply = self._watcher_property("RegisteredStatusNotifierItems")
        return re.findall(r'^\s*string "(.*)"$', reply, flags=re.MULTILINE)

    # -- the session bus -------------------------------------------------------------------

    def name_has_owner(self, name: str) -> bool:
        """Whether a bus name (such as org.freedesktop.Notifications) has an owner now."""
        reply = self._bus_call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{name}",
        )
        return "boolean true" in reply

    def _watcher_property(self, prop: str) -> str:
        return self._bus_call(
            SNI_WATCHER,
            "/StatusNotifierWatcher",
            "org.freedesktop.DBus.Properties.Get",
            f"string:{SNI_WATCHER}",
            f"string:{prop}",
        )

    def _bus_call(self, dest: str, path: str, method: str, *args: str) -> str:
        argv = ["dbus-send", "--session", "--print-reply", f"--dest={dest}", path, method, *args]
        return self.run(argv, timeout=10.0, check=False).stdout

    def _service(
        self, label: str, argv: list[str], ready: Callable[[], bool]
    ) -> subprocess.Popen[bytes]:
        process = self._processes.start(
            label, argv, env=self.env, log=self.log_dir / f"{label}.log"
        )

        def up() -> bool:
            if process.poll() is not None:
                raise DesktopError(f"{label} exited {process.returncode}")
            return ready()

        wait_until(up, startup.STARTUP_TIMEOUT, f"{label} to be ready", self._processes.describe)
        return process


def _next_free(folder: Path, pattern: str) -> str:
    number = 1
    while (folder / pattern.format(number)).exists():
        number += 1
    return pattern.format(number)


def _for_json(value: object) -> str:
    return f"<{len(value)} bytes>" if isinstance(value, bytes) else repr(value)


def _arrived(notes: list[Notification]) -> str:
    lines = [f"  {note.app_name!r}: {note.summary!r} / {note.body!r}" for note in notes]
    return "arrived:\n" + ("\n".join(lines) or "  (none)")
