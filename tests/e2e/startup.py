"""Bringing up the base of the e2e desktop: environment, Xvfb, session bus, Notify recorders.

Each ``start_*`` function starts one program through a ``ProcessGroup`` and returns only
once it is usable, so nothing after it has to guess or sleep.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import TYPE_CHECKING

from Xlib import X, display  # python-xlib: a dependency of pystray on Linux

from .dbus_capture import read_messages
from .processes import read_line, wait_until

if TYPE_CHECKING:
    from pathlib import Path

    from .processes import ProcessGroup

WIDTH, HEIGHT = 1024, 768
STARTUP_TIMEOUT = 20.0
NOTIFY_RULE = "type=method_call,interface=org.freedesktop.Notifications,member=Notify"

# Variables of the developer's own session that must not leak into the private desktop.
_DROPPED_ENV = re.compile(
    r"DISPLAY|WAYLAND_DISPLAY|XAUTHORITY|DBUS_SESSION_BUS_\w+|SESSION_MANAGER|DESKTOP_SESSION"
    r"|XDG_\w+|GDK_\w+|GTK_\w+|PYSTRAY_BACKEND|DESKMOBILITY_\w+"
)

# A session bus WITHOUT <servicedir>s: Debian's session.conf would D-Bus-activate dunst
# (org.knopwob.dunst.service) as soon as anything calls Notify after a test killed it,
# and at-spi / dconf for every GTK app, all outside the harness's control.
_BUS_CONFIG = """<busconfig>
  <type>session</type>
  <listen>unix:dir={runtime}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def private_env(tmp: Path) -> dict[str, str]:
    """This process's environment, minus the user's session, with HOME and XDG dirs in ``tmp``.

    DISPLAY and DBUS_SESSION_BUS_ADDRESS are added by ``start_xvfb`` and ``start_bus``.
    """
    env = {key: value for key, value in os.environ.items() if not _DROPPED_ENV.fullmatch(key)}
    home, runtime = tmp / "home", tmp / "run"
    dirs = {
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    runtime.mkdir(exist_ok=True)
    runtime.chmod(0o700)  # the XDG spec requires it; mkdir's mode is subject to the umask
    env.update({name: str(path) for name, path in dirs.items()})
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        LC_ALL="C.UTF-8",
        GDK_BACKEND="x11",
        NO_AT_BRIDGE="1",  # GTK: no accessibility bus (nothing would answer)
        GSETTINGS_BACKEND="memory",  # GTK: no dconf service
        GIO_USE_VFS="local",  # GIO: no gvfs daemons
    )
    return env


def start_xvfb(processes: ProcessGroup, env: dict[str, str], log_dir: Path) -> str:
    """Start Xvfb on a display it picks itself; return ``":N"`` once it accepts clients.

    ``-displayfd`` makes Xvfb take the first free number and write it to a pipe when it
    is listening, so two test runs at once cannot race for the same display.
    """
    read_end, write_end = os.pipe()
    try:
        processes.start(
            "Xvfb",
            [
                *("Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{WIDTH}x{HEIGHT}x24"),
                *("-nolisten", "tcp", "-noreset", "-dpi", "96"),
            ],
            env=env,
            log=log_dir / "Xvfb.log",
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    name = ":" + read_line(read_end, STARTUP_TIMEOUT, "Xvfb's display number", processes.describe)
    probe_env = {**env, "DISPLAY": name}

    def accepts_clients() -> bool:
        probe = subprocess.run(
            ["xdpyinfo"], env=probe_env, capture_output=True, timeout=10, check=False
        )
        return probe.returncode == 0

    wait_until(accepts_clients, STARTUP_TIMEOUT, f"Xvfb on {name}", processes.describe)
    return name


def start_bus(
    processes: ProcessGroup,
    env: dict[str, str],
    tmp: Path,
    log_dir: Path,
    *,
    activation: bool = False,
) -> str:
    """Start a private session bus; return its address.

    No D-Bus activation (see above) unless ``activation``: a GNOME Shell session needs it,
    as its notification server is a helper the bus starts on first use.
    """
    config = tmp / "session-bus.conf"
    text = _BUS_CONFIG.format(runtime=env["XDG_RUNTIME_DIR"])
    if activation:
        text = text.replace(
            "<type>session</type>", "<type>session</type>\n  <standard_session_servicedirs/>"
        )
    config.write_text(text, encoding="utf-8")
    read_end, write_end = os.pipe()
    try:
        processes.start(
            "dbus-daemon",
            [
                *("dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile"),
                f"--print-address={write_end}",
            ],
            env=env,
            log=log_dir / "dbus-daemon.log",
            pass_fds=(write_end,),
        )
    finally:
        os.close(write_end)
    return read_line(read_end, STARTUP_TIMEOUT, "dbus-daemon's address", processes.describe)


def start_recorders(processes: ProcessGroup, env: dict[str, str], log_dir: Path) -> Path:
    """Record every Notify call twice: ``notify.log`` (text) and ``notify.pcap`` (exact).

    Returns the pcap path once both monitors are live.
    """
    text, pcap = log_dir / "notify.log", log_dir / "notify.pcap"
    processes.start(
        "notify-log",
        ["dbus-monitor", "--session", NOTIFY_RULE],
        env=env,
        log=log_dir / "notify-log.stderr",
        stdout=text,
    )
    processes.start(
        "notify-recorder",
        ["dbus-monitor", "--session", "--pcap", NOTIFY_RULE],
        env=env,
        log=log_dir / "notify-recorder.stderr",
        stdout=pcap,
    )
    # A monitor is live once it has seen the NameLost of its own connection.
    wait_until(
        lambda: "member=NameLost" in text.read_text(encoding="utf-8"),
        STARTUP_TIMEOUT,
        "dbus-monitor (text) to start",
        processes.describe,
    )
    wait_until(
        lambda: any(message.member == "NameLost" for message in read_messages(pcap)),
        STARTUP_TIMEOUT,
        "dbus-monitor (pcap) to start",
        processes.describe,
    )
    return pcap


def selection_owned(display_name: str, selection: str) -> bool:
    """Whether an X selection (``_NET_SYSTEM_TRAY_S0``: the tray) has an owner."""
    connection = display.Display(display_name)
    try:
        owner = connection.get_selection_owner(connection.intern_atom(selection))
        return bool(owner != X.NONE)
    finally:
        connection.close()
