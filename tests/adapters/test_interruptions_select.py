"""select_interruption_checks and held_reason: what is tried where, and the reasons given.

Most tests replace the backend factory with ``FakeBackends`` so that they test the choice
alone, on any machine. The last few run the real backends against an environment that
offers nothing (a bus address and a display that do not exist), so they probe for real;
tests/e2e/test_interruptions.py runs them against a real desktop.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from deskmobility.adapters import interruptions
from deskmobility.adapters.interruptions import held_reason, select_interruption_checks
from deskmobility.adapters.interruptions._base import InterruptionCheck, ProbedCheck
from deskmobility.adapters.interruptions.dunst import DunstPausedCheck
from deskmobility.adapters.interruptions.freedesktop import FreedesktopInhibitedCheck
from deskmobility.adapters.interruptions.x11_fullscreen import X11FullscreenCheck


class FakeCheck:
    def __init__(self, name: str, problem: str | None, reason: str | None = None) -> None:
        self.name = name
        self.problem = problem
        self.reason = reason
        self.closed = False
        self.asked = 0

    def held_reason(self) -> str | None:
        self.asked += 1
        return self.reason

    def probe(self) -> str | None:
        return self.problem

    def close(self) -> None:
        self.closed = True


class FakeBackends:
    """Stands in for ``interruptions._build``: every check works unless told why not."""

    def __init__(self, **problems: str) -> None:
        self.problems = {name.replace("_", "-"): problem for name, problem in problems.items()}
        self.built: list[FakeCheck] = []
        self.switches: list[tuple[bool, bool]] = []

    def __call__(
        self, name: str, env: Mapping[str, str], *, dnd: bool, fullscreen: bool
    ) -> FakeCheck:
        check = FakeCheck(name, self.problems.get(name))
        self.built.append(check)
        self.switches.append((dnd, fullscreen))
        return check

    @property
    def tried(self) -> list[str]:
        return [check.name for check in self.built]


if TYPE_CHECKING:  # the fakes stand in for what interruptions._build makes, and for it
    _check: type[ProbedCheck] = FakeCheck
    _build: Callable[..., ProbedCheck] = FakeBackends()


class InstallBackends(Protocol):
    """The ``backends`` fixture: puts a ``FakeBackends`` in place of the real factory."""

    def __call__(self, **problems: str) -> FakeBackends: ...


@pytest.fixture
def backends(monkeypatch: pytest.MonkeyPatch) -> InstallBackends:
    def install(**problems: str) -> FakeBackends:
        fake = FakeBackends(**problems)
        monkeypatch.setattr(interruptions, "_build", fake)
        return fake

    return install


X11_ENV = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11", "DBUS_SESSION_BUS_ADDRESS": "unix:x"}
GNOME_X11_ENV = {**X11_ENV, "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}
WAYLAND_ENV = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}


def names(checks: Iterable[InterruptionCheck]) -> list[str]:
    return [check.name for check in checks]


def test_linux_x11_tries_the_notification_server_checks_then_fullscreen(
    backends: InstallBackends,
) -> None:
    fake = backends(freedesktop="no Inhibited property here")
    checks, reasons = select_interruption_checks("linux", {**X11_ENV, "XDG_CURRENT_DESKTOP": "i3"})
    assert fake.tried == ["freedesktop", "dunst", "x11-fullscreen"]
    assert names(checks) == ["dunst", "x11-fullscreen"]
    assert reasons == [
        "freedesktop: no Inhibited property here",
        "gnome: not a GNOME session (XDG_CURRENT_DESKTOP='i3')",
    ]


def test_rejected_checks_are_closed_and_kept_ones_are_not(backends: InstallBackends) -> None:
    fake = backends(dunst="not dunst")
    select_interruption_checks("linux", X11_ENV)
    freedesktop, dunst, _ = fake.built
    assert dunst.closed
    assert not freedesktop.closed


@pytest.mark.parametrize("desktop", ["GNOME", "ubuntu:GNOME", "GNOME-Classic:GNOME", "gnome"])
def test_gnome_is_tried_in_gnome_sessions(backends: InstallBackends, desktop: str) -> None:
    fake = backends(freedesktop="gnome-shell has no Inhibited", dunst="not dunst")
    checks, _ = select_interruption_checks("linux", {**X11_ENV, "XDG_CURRENT_DESKTOP": desktop})
    assert "gnome" in fake.tried
    assert names(checks) == ["gnome", "x11-fullscreen"]


@pytest.mark.parametrize("desktop", ["", "KDE", "XFCE", "GNOME-Flashback-ish", "X-Cinnamon"])
def test_gnome_is_left_out_elsewhere_so_a_stale_key_cannot_hold_reminders(
    backends: InstallBackends, desktop: str
) -> None:
    fake = backends()
    _, reasons = select_interruption_checks("linux", {**X11_ENV, "XDG_CURRENT_DESKTOP": desktop})
    assert "gnome" not in fake.tried
    assert f"gnome: not a GNOME session (XDG_CURRENT_DESKTOP={desktop!r})" in reasons


def test_wayland_session_leaves_out_x11_fullscreen_with_its_reason(
    backends: InstallBackends,
) -> None:
    fake = backends()
    checks, reasons = select_interruption_checks(
        "linux", {**WAYLAND_ENV, "XDG_CURRENT_DESKTOP": "KDE"}
    )
    assert fake.tried == ["freedesktop", "dunst"]
    assert names(checks) == ["freedesktop", "dunst"]
    assert reasons[-1].startswith("x11-fullscreen: this is a Wayland session")


def test_wayland_is_recognised_from_wayland_display_alone(backends: InstallBackends) -> None:
    fake = backends()
    select_interruption_checks("linux", {"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":1"})
    assert "x11-fullscreen" not in fake.tried


def test_without_display_x11_fullscreen_is_left_out(backends: InstallBackends) -> None:
    backends()
    _, reasons = select_interruption_checks("linux", {})
    assert reasons[-1] == "x11-fullscreen: DISPLAY is not set"


def test_dnd_turned_off_tries_only_fullscreen_and_says_so(backends: InstallBackends) -> None:
    fake = backends()
    checks, reasons = select_interruption_checks("linux", GNOME_X11_ENV, dnd=False)
    assert fake.tried == ["x11-fullscreen"]
    assert names(checks) == ["x11-fullscreen"]
    assert reasons == ["do-not-disturb: turned off"]


def test_fullscreen_turned_off_tries_only_dnd_and_says_so(backends: InstallBackends) -> None:
    fake = backends()
    _, reasons = select_interruption_checks("linux", GNOME_X11_ENV, fullscreen=False)
    assert fake.tried == ["freedesktop", "dunst", "gnome"]
    assert reasons == ["fullscreen: turned off"]


def test_both_turned_off_tries_nothing(backends: InstallBackends) -> None:
    fake = backends()
    checks, reasons = select_interruption_checks("linux", X11_ENV, dnd=False, fullscreen=False)
    assert (checks, fake.tried) == ([], [])
    assert reasons == ["do-not-disturb: turned off", "fullscreen: turned off"]


def test_a_probe_that_crashes_is_a_rejection_not_a_crash(
    backends: InstallBackends, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = backends()

    def crash() -> str | None:
        raise RuntimeError("backend bug")

    def build(name: str, env: Mapping[str, str], *, dnd: bool, fullscreen: bool) -> FakeCheck:
        check = FakeBackends.__call__(fake, name, env, dnd=dnd, fullscreen=fullscreen)
        if name == "freedesktop":
            check.probe = crash  # type: ignore[method-assign]  # a crashing probe is the point
        return check

    monkeypatch.setattr(interruptions, "_build", build)
    checks, reasons = select_interruption_checks("linux", X11_ENV)
    assert names(checks) == ["dunst", "x11-fullscreen"]
    assert "freedesktop: probe crashed: RuntimeError('backend bug')" in reasons


def test_every_reason_is_one_line_even_when_a_backend_says_more(backends: InstallBackends) -> None:
    backends(freedesktop="a server said:\n  two lines", dunst="no")
    _, reasons = select_interruption_checks("linux", WAYLAND_ENV)
    assert reasons[0] == "freedesktop: a server said: two lines"
    assert all("\n" not in reason for reason in reasons)


def test_win32_selects_the_windows_check_with_both_switches(backends: InstallBackends) -> None:
    """MOCKED platform: this runs on Linux with 'win32' injected and a fake backend.

    It tests the selection only; SHQueryUserNotificationState is tested with a fake
    shell32 in test_interruptions_windows.py, and has not run on Windows here.
    """
    fake = backends()
    checks, reasons = select_interruption_checks("win32", {"DISPLAY": ":0"}, fullscreen=False)
    assert names(checks) == ["windows"]
    assert fake.switches == [(True, False)]
    assert reasons == ["fullscreen: turned off"]


def test_win32_with_both_turned_off_tries_nothing(backends: InstallBackends) -> None:
    """MOCKED platform: 'win32' injected on Linux, with a fake backend."""
    fake = backends()
    checks, _ = select_interruption_checks("win32", {}, dnd=False, fullscreen=False)
    assert (checks, fake.tried) == ([], [])


def test_darwin_has_no_checks_and_says_why_for_each_kind(backends: InstallBackends) -> None:
    """MOCKED platform: this runs on Linux with 'darwin' injected; no Mac has run it.

    macOS has no check on purpose (see adapters/interruptions/macos.py), so what is tested
    is that nothing is tried and that each kind asked for gets its one-line reason.
    """
    fake = backends()
    checks, reasons = select_interruption_checks("darwin", {})
    assert (checks, fake.tried) == ([], [])
    assert [reason.split(":")[0] for reason in reasons] == ["macos", "macos"]
    assert "Focus / Do Not Disturb cannot be read reliably" in reasons[0]
    assert "fullscreen detection is not implemented" in reasons[1]


def test_darwin_with_dnd_off_gives_only_the_fullscreen_reason(backends: InstallBackends) -> None:
    """MOCKED platform: 'darwin' injected on Linux."""
    backends()
    _, reasons = select_interruption_checks("darwin", {}, dnd=False)
    assert reasons == [
        "do-not-disturb: turned off",
        "macos: fullscreen detection is not implemented on macOS",
    ]


def test_an_unknown_platform_has_no_checks(backends: InstallBackends) -> None:
    fake = backends()
    checks, reasons = select_interruption_checks("emscripten", {})
    assert (checks, fake.tried) == ([], [])
    assert reasons == [
        "emscripten: no do-not-disturb or fullscreen source is known for platform 'emscripten'"
    ]


# -- held_reason -------------------------------------------------------------------------


def test_held_reason_is_the_first_checks_reason_and_stops_asking_there() -> None:
    first = FakeCheck("a", None, reason=None)
    second = FakeCheck("b", None, reason="do not disturb")
    third = FakeCheck("c", None, reason="a fullscreen window")
    assert held_reason([first, second, third]) == "do not disturb"
    assert (first.asked, second.asked, third.asked) == (1, 1, 0)


def test_held_reason_is_none_when_no_check_holds() -> None:
    assert held_reason([FakeCheck("a", None), FakeCheck("b", None)]) is None
    assert held_reason([]) is None


def test_held_reason_skips_a_check_that_breaks_its_promise_not_to_raise() -> None:
    broken = FakeCheck("broken", None)

    def crash() -> str | None:
        raise RuntimeError("backend bug")

    broken.held_reason = crash  # type: ignore[method-assign]  # the broken promise is the point
    assert held_reason([broken, FakeCheck("ok", None, "a fullscreen window")]) == (
        "a fullscreen window"
    )


# -- the real backends, probing an environment that offers nothing ------------------------


def test_real_linux_checks_all_refuse_with_reasons_when_nothing_is_there(tmp_path: Path) -> None:
    env = {
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
        "DISPLAY": ":177",  # nothing listens there (Xvfb tests pick free numbers themselves)
        "XDG_CURRENT_DESKTOP": "sway",
    }
    checks, reasons = select_interruption_checks("linux", env)
    assert checks == []
    # Those tried and refused come first, in the order tried; those left out, last.
    assert reasons[0].startswith("freedesktop: no session bus")
    assert reasons[1].startswith("dunst: no session bus")
    assert reasons[2].startswith("x11-fullscreen: cannot open X11 display ':177'")
    assert reasons[3] == "gnome: not a GNOME session (XDG_CURRENT_DESKTOP='sway')"


def test_real_dbus_checks_without_any_session_bus_say_so() -> None:
    _, reasons = select_interruption_checks("linux", {}, fullscreen=False)
    assert reasons[1:3] == [
        "freedesktop: no session bus (DBUS_SESSION_BUS_ADDRESS is unset)",
        "dunst: no session bus (DBUS_SESSION_BUS_ADDRESS is unset)",
    ]


def test_the_bus_is_found_from_xdg_runtime_dir_when_the_address_is_unset(tmp_path: Path) -> None:
    (tmp_path / "bus").touch()
    check = DunstPausedCheck.from_env({"XDG_RUNTIME_DIR": str(tmp_path)})
    assert check.bus_address == f"unix:path={tmp_path / 'bus'}"
    assert (
        FreedesktopInhibitedCheck.from_env({"XDG_RUNTIME_DIR": str(tmp_path / "x")}).bus_address
        is None
    )


def test_real_checks_answer_none_rather_than_raise_when_their_source_is_gone(
    tmp_path: Path,
) -> None:
    gone = f"unix:path={tmp_path / 'no-bus'}"
    assert FreedesktopInhibitedCheck(gone).held_reason() is None
    assert DunstPausedCheck(None).held_reason() is None
    assert X11FullscreenCheck(":177").held_reason() is None
    assert X11FullscreenCheck(None).held_reason() is None


def test_gnome_check_refuses_the_memory_backend_whose_value_is_only_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GSETTINGS_BACKEND must be set before GIO first picks its backend: do it in a child.
    code = (
        "from deskmobility.adapters.interruptions.gnome import GnomeBannersCheck\n"
        "check = GnomeBannersCheck()\n"
        "print(check.probe())\n"
        "print(check.held_reason())\n"
    )
    env = {"GSETTINGS_BACKEND": "memory", "HOME": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    probe, held = result.stdout.splitlines()
    assert probe.startswith("GSettings uses its memory backend here (no dconf)")
    assert held == "None"


def test_gnome_check_without_the_schema_says_which_is_missing() -> None:
    code = (
        "from deskmobility.adapters.interruptions.gnome import GnomeBannersCheck\n"
        "print(GnomeBannersCheck().probe())\n"
    )
    env = {"GSETTINGS_SCHEMA_DIR": "/nonexistent", "XDG_DATA_DIRS": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == (
        "the org.gnome.desktop.notifications schema is not installed (gsettings-desktop-schemas)"
    )


def test_importing_the_package_loads_no_backend_library() -> None:
    code = (
        "import sys, deskmobility.adapters.interruptions as i\n"
        "loaded = sorted(m for m in ('dbus', 'Xlib', 'gi') if m in sys.modules)\n"
        "mods = sorted(m for m in sys.modules if m.startswith('deskmobility.adapters.inter'))\n"
        "print(loaded, mods)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert result.stdout.strip() == (
        "[] ['deskmobility.adapters.interruptions', 'deskmobility.adapters.interruptions._base']"
    )


def test_gnome_check_is_constructed_without_touching_gio() -> None:
    code = (
        "import sys\n"
        "from deskmobility.adapters.interruptions.gnome import GnomeBannersCheck\n"
        "GnomeBannersCheck().close()\n"
        "print('gi' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert result.stdout.strip() == "False"


def test_the_selection_marks_what_the_person_turned_off_apart_from_what_does_not_work() -> None:
    selection = select_interruption_checks("emscripten", {}, dnd=False)
    assert not selection.available
    assert selection.name == "none"
    off = [p.name for p in selection.passed_over if p.turned_off]
    missing = [p.name for p in selection.passed_over if not p.turned_off]
    assert off == ["do-not-disturb"]
    assert missing == ["emscripten"]
