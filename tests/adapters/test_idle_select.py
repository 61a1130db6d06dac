"""select_idle_monitor: precedence, per-platform order, probing, and the reasons it gives.

Most tests replace the backend factory with ``FakeBackends`` so that they test the choice
alone, on any machine. The last few run the real backends against an environment that
offers nothing (a bus address and a display that do not exist), so they probe for real.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from deskmobility.adapters import idle
from deskmobility.adapters.idle import (
    ENV_VAR,
    IdleMonitor,
    UnavailableIdleMonitor,
    select_idle_monitor,
    select_idle_watch,
)
from deskmobility.adapters.idle.poll import PollingIdleWatch


class FakeMonitor:
    REPORTS_IDLE = True

    def __init__(self, name: str, problem: str | None) -> None:
        self.name = name
        self.problem = problem
        self.closed = False

    def idle_for(self) -> timedelta | None:
        return timedelta(seconds=42)

    def probe(self) -> str | None:
        return self.problem

    def close(self) -> None:
        self.closed = True


class FakeBackends:
    """Stands in for ``idle._build_monitor``: every backend works unless told why it does not."""

    def __init__(self, **problems: str) -> None:
        self.problems = problems
        self.built: list[FakeMonitor] = []

    def __call__(self, name: str, env: Mapping[str, str]) -> FakeMonitor:
        monitor = FakeMonitor(name, self.problems.get(name))
        self.built.append(monitor)
        return monitor

    @property
    def tried(self) -> list[str]:
        return [monitor.name for monitor in self.built]


if TYPE_CHECKING:  # the fakes stand in for what idle._build_monitor makes, and for it
    _monitor: type[IdleMonitor] = FakeMonitor
    _build: Callable[[str, Mapping[str, str]], IdleMonitor] = FakeBackends()


class InstallBackends(Protocol):
    """The ``backends`` fixture: puts a ``FakeBackends`` in place of the real factory."""

    def __call__(self, **problems: str) -> FakeBackends: ...


@pytest.fixture
def backends(monkeypatch: pytest.MonkeyPatch) -> InstallBackends:
    def install(**problems: str) -> FakeBackends:
        fake = FakeBackends(**problems)
        monkeypatch.setattr(idle, "_build_monitor", fake)
        return fake

    return install


X11_ENV = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11", "DBUS_SESSION_BUS_ADDRESS": "unix:x"}
WAYLAND_ENV = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}


def test_linux_x11_tries_mutter_then_kde_then_x11_and_takes_the_first_that_answers(
    backends: InstallBackends,
) -> None:
    fake = backends(mutter="no Mutter here", kde="no KDE here", **{"x11-sync": "no SYNC"})
    monitor, reason = select_idle_monitor("linux", X11_ENV)
    assert monitor.name == "x11"
    assert fake.tried == ["mutter", "kde", "x11-sync", "x11"]
    assert "x11-sync: no SYNC" in reason
    assert reason.startswith("x11: the X server's MIT-SCREEN-SAVER idle counter")
    assert "mutter: no Mutter here" in reason
    assert "kde: no KDE here" in reason


def test_rejected_candidates_are_closed(backends: InstallBackends) -> None:
    fake = backends(mutter="no Mutter here")
    select_idle_monitor("linux", X11_ENV)
    mutter, kde = fake.built
    assert mutter.closed
    assert not kde.closed


def test_gnome_is_taken_first_when_mutter_answers(backends: InstallBackends) -> None:
    fake = backends()
    monitor, reason = select_idle_monitor("linux", WAYLAND_ENV)
    assert monitor.name == "mutter"
    assert fake.tried == ["mutter"]
    assert reason.startswith("mutter: GNOME Mutter's IdleMonitor")


def test_wayland_session_leaves_out_x11_because_xwayland_misses_wayland_input(
    backends: InstallBackends,
) -> None:
    fake = backends(mutter="not GNOME", kde="NotSupported on Wayland")
    monitor, reason = select_idle_monitor("linux", WAYLAND_ENV)
    assert fake.tried == ["mutter", "kde"]
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert monitor.REPORTS_IDLE is False
    assert monitor.idle_for() is None
    assert monitor.reason == reason
    assert reason == (
        "cannot tell idle time: mutter: not GNOME; kde: NotSupported on Wayland; "
        "x11: this is a Wayland session, where XWayland counts only input sent to X11 "
        f"windows (set {ENV_VAR}=x11 to use it anyway)"
    )


def test_wayland_is_recognised_from_wayland_display_alone(backends: InstallBackends) -> None:
    fake = backends(mutter="no", kde="no")
    select_idle_monitor("linux", {"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":1"})
    assert "x11" not in fake.tried


def test_without_display_x11_is_left_out_with_its_reason(backends: InstallBackends) -> None:
    backends(mutter="no", kde="no")
    _, reason = select_idle_monitor("linux", {})
    assert reason.endswith("x11: DISPLAY is not set")


def test_env_variable_beats_preference_and_skips_the_automatic_order(
    backends: InstallBackends,
) -> None:
    fake = backends()
    env = {**WAYLAND_ENV, ENV_VAR: " X11 "}
    monitor, reason = select_idle_monitor("linux", env, preference="kde")
    assert monitor.name == "x11-sync"  # x11 means the X server: its SYNC counter first
    assert fake.tried == ["x11-sync"]
    assert reason.endswith(f"({ENV_VAR})")


def test_preference_is_used_when_the_env_variable_is_empty(backends: InstallBackends) -> None:
    fake = backends()
    monitor, reason = select_idle_monitor("linux", {**X11_ENV, ENV_VAR: ""}, preference="kde")
    assert monitor.name == "kde"
    assert fake.tried == ["kde"]
    assert reason.endswith("(the config)")


def test_auto_preference_means_the_platform_order(backends: InstallBackends) -> None:
    fake = backends()
    monitor, _ = select_idle_monitor("linux", X11_ENV, preference="auto")
    assert monitor.name == "mutter"
    assert fake.tried == ["mutter"]


def test_a_named_backend_that_fails_is_not_swapped_for_another(backends: InstallBackends) -> None:
    fake = backends(kde="GetSessionIdleTime is refused here")
    monitor, reason = select_idle_monitor("linux", X11_ENV, preference="kde")
    assert fake.tried == ["kde"]
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert reason == "cannot tell idle time: kde: GetSessionIdleTime is refused here"


@pytest.mark.parametrize("word", ["off", "none", "unavailable", "OFF"])
def test_idle_detection_can_be_turned_off(backends: InstallBackends, word: str) -> None:
    fake = backends()
    monitor, reason = select_idle_monitor("linux", {**X11_ENV, ENV_VAR: word})
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert fake.tried == []
    assert reason == f"idle detection is turned off by {ENV_VAR} ({word.lower()!r})"


def test_an_unknown_backend_name_is_reported_with_the_known_ones(backends: InstallBackends) -> None:
    fake = backends()
    monitor, reason = select_idle_monitor("linux", X11_ENV, preference="xprintidle")
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert fake.tried == []
    assert reason == (
        "the config names no idle backend 'xprintidle' "
        "(known: mutter, kde, x11, windows, macos, auto, off)"
    )


def test_a_probe_that_crashes_is_a_rejection_not_a_crash(
    backends: InstallBackends, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = backends()

    def crash() -> str | None:
        raise RuntimeError("backend bug")

    def build(name: str, env: Mapping[str, str]) -> FakeMonitor:
        monitor = FakeBackends.__call__(fake, name, env)
        if name == "mutter":
            monitor.probe = crash  # type: ignore[method-assign]  # a crashing probe is the point
        return monitor

    monkeypatch.setattr(idle, "_build_monitor", build)
    monitor, reason = select_idle_monitor("linux", X11_ENV)
    assert monitor.name == "kde"
    assert "mutter: probe crashed: RuntimeError('backend bug')" in reason


def test_win32_selects_the_windows_backend(backends: InstallBackends) -> None:
    """MOCKED platform: this runs on Linux with 'win32' injected and a fake backend.

    It tests the selection only; GetLastInputInfo itself is tested with a fake DLL in
    test_idle_windows_macos.py, and has not run on Windows here.
    """
    fake = backends()
    monitor, reason = select_idle_monitor("win32", {"DISPLAY": ":0"})
    assert monitor.name == "windows"
    assert fake.tried == ["windows"]
    assert reason == "windows: GetLastInputInfo (automatic choice for win32)"


def test_darwin_selects_the_macos_backend(backends: InstallBackends) -> None:
    """MOCKED platform: this runs on Linux with 'darwin' injected and a fake backend.

    It tests the selection only; the ioreg parsing is tested on captured-format text in
    test_idle_windows_macos.py, and no Mac has run it here.
    """
    fake = backends()
    monitor, reason = select_idle_monitor("darwin", {})
    assert monitor.name == "macos"
    assert fake.tried == ["macos"]
    assert reason == "macos: IOHIDSystem HIDIdleTime via ioreg (automatic choice for darwin)"


def test_darwin_with_ioreg_failing_is_unavailable_with_the_reason(
    backends: InstallBackends,
) -> None:
    """MOCKED platform: 'darwin' injected on Linux, with a fake backend whose probe fails."""
    backends(macos="cannot run /usr/sbin/ioreg: No such file")
    monitor, reason = select_idle_monitor("darwin", {})
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert reason == "cannot tell idle time: macos: cannot run /usr/sbin/ioreg: No such file"


def test_an_unknown_platform_has_no_candidates(backends: InstallBackends) -> None:
    fake = backends()
    monitor, reason = select_idle_monitor("emscripten", {})
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert fake.tried == []
    assert (
        reason
        == "cannot tell idle time: emscripten: no idle source is known for platform 'emscripten'"
    )


# -- the real backends, probing an environment that offers nothing ------------------------


def test_real_linux_backends_all_refuse_with_reasons_when_nothing_is_there(tmp_path: Path) -> None:
    env = {
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
        "DISPLAY": ":177",  # nothing listens there (Xvfb tests pick free numbers themselves)
    }
    monitor, reason = select_idle_monitor("linux", env)
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert reason.startswith(
        "cannot tell idle time: mutter: GNOME Mutter IdleMonitor: no session bus"
    )
    assert "; kde: KDE org.freedesktop.ScreenSaver: no session bus" in reason
    assert "; x11: cannot open X11 display ':177'" in reason


def test_real_dbus_backends_without_any_session_bus_say_so() -> None:
    monitor, reason = select_idle_monitor("linux", {ENV_VAR: "mutter"})
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert reason == (
        "cannot tell idle time: mutter: GNOME Mutter IdleMonitor: "
        "no session bus (DBUS_SESSION_BUS_ADDRESS is unset)"
    )


def test_the_real_windows_backend_refuses_off_windows() -> None:
    """Runs the real WindowsIdleMonitor on this (non-Windows) machine: it must refuse cleanly."""
    monitor, reason = select_idle_monitor("linux", {ENV_VAR: "windows"})
    assert isinstance(monitor, UnavailableIdleMonitor)
    assert (
        reason
        == f"cannot tell idle time: windows: GetLastInputInfo needs Windows, not {sys.platform}"
    )


def test_importing_the_package_loads_no_backend_library() -> None:
    code = (
        "import sys, deskmobility.adapters.idle as idle\n"
        "loaded = sorted(m for m in ('dbus', 'Xlib', 'gi') if m in sys.modules)\n"
        "backends = sorted(m for m in sys.modules if m.startswith('deskmobility.adapters.idle.'))\n"
        "print(loaded, backends)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert result.stdout.strip() == (
        "[] ['deskmobility.adapters.idle._base', 'deskmobility.adapters.idle.unavailable']"
    )


def test_dbus_monitors_find_the_systemd_user_bus_when_no_address_is_given(tmp_path: Path) -> None:
    from deskmobility.adapters.idle.mutter import MutterIdleMonitor  # noqa: PLC0415

    (tmp_path / "bus").touch()
    assert MutterIdleMonitor.from_env({"XDG_RUNTIME_DIR": str(tmp_path)}).bus_address == (
        f"unix:path={tmp_path / 'bus'}"
    )
    assert (
        MutterIdleMonitor.from_env({"XDG_RUNTIME_DIR": str(tmp_path / "none")}).bus_address is None
    )
    explicit = {"DBUS_SESSION_BUS_ADDRESS": "unix:abstract=x", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert MutterIdleMonitor.from_env(explicit).bus_address == "unix:abstract=x"


# -- select_idle_watch: events where the desktop has them, the adaptive poll elsewhere ----


def test_x11_watch_prefers_sync_alarms_and_falls_back_to_the_polled_counter(
    backends: InstallBackends,
) -> None:
    backends(mutter="no Mutter here", kde="no KDE here")
    selection = select_idle_watch(
        "linux", {"XDG_SESSION_TYPE": "x11", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    )
    # No DISPLAY: neither X11 source is tried, and the reasons say so.
    assert not selection.available
    assert [p.name for p in selection.passed_over] == ["mutter", "kde", "x11"]

    env = {**X11_ENV, "DISPLAY": ":4711"}  # a display that does not exist
    selection = select_idle_watch("linux", env)
    names = [p.name for p in selection.passed_over]
    assert names[:3] == ["mutter", "kde", "x11-sync"]
    assert "cannot open X11 display ':4711'" in selection.passed_over[2].reason
    # The fake reading stands in for python-xlib's counter, which would fail the same way.
    assert selection.name == "x11"
    assert isinstance(selection.backend, PollingIdleWatch)
    assert selection.backend.mode.startswith("poll (x11")
    assert selection.reason.startswith("x11: the X server's MIT-SCREEN-SAVER idle counter")


def test_windows_and_macos_watches_poll(backends: InstallBackends) -> None:
    """MOCKS the platform: fake readings stand in for GetLastInputInfo and ioreg."""
    backends()
    for platform, name in (("win32", "windows"), ("darwin", "macos")):
        selection = select_idle_watch(platform, {})
        assert selection.name == name
        assert selection.backend.mode.startswith(f"poll ({name}")
        selection.backend.close()


def test_watch_turned_off_is_unavailable_and_marked_as_the_persons_choice(
    backends: InstallBackends,
) -> None:
    selection = select_idle_watch("linux", {ENV_VAR: "off"})
    assert not selection.available
    assert selection.why == f"idle detection is turned off by {ENV_VAR} ('off')"
    selection.backend.watch(timedelta(minutes=5), lambda _i: None, lambda: None)  # harmless
