"""Backend selection with injected platform, environment and desktop probes; the none backend.

No test here touches a real display or session bus: the Linux probes are stand-ins that
record what they were asked, so each rule is checked on its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from deskmobility.adapters.tray import Tray, TrayError
from deskmobility.adapters.tray_select import (
    NO_GTK,
    NO_MENU_HINT,
    LinuxProbes,
    TrayBackend,
    select_tray_backend,
)

X11 = {"DISPLAY": ":0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
WAYLAND = {"WAYLAND_DISPLAY": "wayland-0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}


class Probes:
    """Stand-in desktop probes: each answers None (usable) or a reason, and counts calls."""

    def __init__(
        self,
        *,
        sni: str | None = "no StatusNotifierItem watcher on the session bus",
        appindicator: str | None = None,
        gtk: str | None = None,
        xembed: str | None = None,
    ) -> None:
        self.answers = {"sni": sni, "appindicator": appindicator, "gtk": gtk, "xembed": xembed}
        self.asked: list[str] = []

    def _answer(self, name: str) -> str | None:
        self.asked.append(name)
        return self.answers[name]

    def linux(self) -> LinuxProbes:
        return LinuxProbes(
            status_notifier_host=lambda _env: self._answer("sni"),
            appindicator=lambda: self._answer("appindicator"),
            gtk=lambda: self._answer("gtk"),
            xembed_tray=lambda _env: self._answer("xembed"),
        )


def _select(env: dict[str, str], probes: Probes, platform: str = "linux") -> TrayBackend:
    return select_tray_backend(platform, env, probes=probes.linux())


def test_windows_uses_the_win32_backend_with_menu_and_click() -> None:
    """Selection logic only: no real Windows is involved."""
    probes = Probes()
    backend = _select({}, probes, platform="win32")
    assert backend == TrayBackend.named("win32", "Windows notification area")
    assert (backend.has_menu, backend.has_default_action) == (True, True)
    assert probes.asked == []


def test_macos_uses_the_darwin_backend_whose_click_opens_the_menu() -> None:
    """Selection logic only: no real macOS is involved. pystray's darwin Icon sets
    HAS_DEFAULT_ACTION = False: a click on the status item opens the menu."""
    backend = _select({}, Probes(), platform="darwin")
    assert backend == TrayBackend.named("darwin", "macOS menu bar")
    assert (backend.has_menu, backend.has_default_action) == (True, False)


def test_no_display_means_no_tray_and_no_probing() -> None:
    probes = Probes(sni=None)
    backend = _select({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, probes)
    assert (backend.name, backend.has_menu, backend.has_default_action) == ("none", False, False)
    assert "DISPLAY and WAYLAND_DISPLAY are unset" in backend.reason
    assert probes.asked == []


def test_empty_display_variables_count_as_unset() -> None:
    backend = _select({"DISPLAY": "", "WAYLAND_DISPLAY": ""}, Probes())
    assert backend.name == "none"


def test_status_notifier_host_and_typelib_give_appindicator() -> None:
    probes = Probes(sni=None, appindicator=None)
    backend = _select(X11, probes)
    assert backend == TrayBackend.named(
        "appindicator", "a StatusNotifierItem host is registered on the session bus"
    )
    assert (backend.has_menu, backend.has_default_action) == (True, False)
    assert backend.passed_over == ()
    assert probes.asked == ["sni", "appindicator"]


def test_host_without_typelib_falls_back_to_gtk_and_says_why() -> None:
    probes = Probes(sni=None, appindicator="no AppIndicator typelib")
    backend = _select(X11, probes)
    assert (backend.name, backend.has_menu, backend.has_default_action) == ("gtk", True, True)
    assert "passed over: appindicator: no AppIndicator typelib" in backend.reason
    assert backend.passed_over[0].name == "appindicator"


def test_no_status_notifier_host_gives_gtk_without_asking_for_the_typelib() -> None:
    probes = Probes()
    backend = _select(X11, probes)
    assert backend.name == "gtk"
    assert backend.reason.startswith("GTK status icon (XEmbed tray)")
    assert "appindicator: no StatusNotifierItem watcher" in backend.reason
    assert probes.asked == ["sni", "gtk", "xembed"]


def test_gtk_reason_mentions_a_missing_xembed_tray() -> None:
    probes = Probes(xembed="no XEmbed tray is running yet")
    backend = _select(X11, probes)
    assert backend.name == "gtk"
    assert "no XEmbed tray is running yet" in backend.reason


def test_without_pygobject_xorg_is_used_and_the_reason_says_what_to_install() -> None:
    probes = Probes(sni="PyGObject (python3-gi) is not installed", gtk=f"{NO_GTK} (No module)")
    backend = _select(X11, probes)
    assert (backend.name, backend.has_menu, backend.has_default_action) == ("xorg", False, True)
    assert backend.reason.startswith(NO_MENU_HINT)
    assert "install PyGObject (python3-gi) for the full menu" in backend.reason
    assert "gtk: GTK 3 for Python" in backend.reason


def test_gtk_that_cannot_start_gives_xorg_without_the_install_hint() -> None:
    backend = _select(X11, Probes(gtk="GTK 3 could not open the display"))
    assert backend.name == "xorg"
    assert backend.reason.startswith("no menu: GTK 3 did not start")
    assert "install PyGObject" not in backend.reason


def test_wayland_with_a_status_notifier_host_gives_appindicator() -> None:
    backend = _select(WAYLAND, Probes(sni=None))
    assert backend.name == "appindicator"


def test_wayland_without_a_status_notifier_host_has_no_tray() -> None:
    probes = Probes()
    backend = _select(WAYLAND, probes)
    assert backend.name == "none"
    assert "Wayland without a StatusNotifierItem host" in backend.reason
    assert "gtk" not in probes.asked  # XEmbed and the xorg backend need an X display


@pytest.mark.parametrize("name", ["appindicator", "gtk", "xorg", "win32", "darwin"])
@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_pystray_backend_variable_is_honoured_and_named_in_the_reason(
    name: str, platform: str
) -> None:
    probes = Probes(sni=None)
    backend = _select({"PYSTRAY_BACKEND": name}, probes, platform=platform)
    assert backend.name == name
    assert backend.reason.startswith(f"PYSTRAY_BACKEND={name} is set")
    assert probes.asked == []


def test_forced_xorg_still_says_it_has_no_menu() -> None:
    backend = _select({**X11, "PYSTRAY_BACKEND": "xorg"}, Probes())
    assert (backend.has_menu, backend.has_default_action) == (False, True)
    assert NO_MENU_HINT in backend.reason


@pytest.mark.parametrize("value", ["dummy", "qt", "none"])
def test_unknown_pystray_backend_is_ignored_and_reported(value: str) -> None:
    backend = _select({**X11, "PYSTRAY_BACKEND": value}, Probes())
    assert backend.name == "gtk"
    assert f"{value}: PYSTRAY_BACKEND names no pystray backend; ignored" in backend.reason


def test_headless_ignores_an_unknown_pystray_backend_but_says_so() -> None:
    backend = _select({"PYSTRAY_BACKEND": "dummy"}, Probes())
    assert backend.name == "none"
    assert "dummy: PYSTRAY_BACKEND names no pystray backend; ignored" in backend.reason


def test_importing_the_tray_module_imports_no_desktop_library() -> None:
    """Choosing happens in select_tray_backend(), never at import time."""
    code = textwrap.dedent(
        """
        import sys
        import deskmobility.adapters.tray
        loaded = sorted(m for m in ("pystray", "gi", "Xlib") if m in sys.modules)
        print(",".join(loaded))
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == ""


def test_the_real_probes_run_without_a_display_or_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default probes on this machine: headless, so nothing is probed at all."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("PYSTRAY_BACKEND", raising=False)
    assert select_tray_backend("linux").name == "none"


# -- no tray: the launcher runs without a Tray object -------------------------------------


def test_a_tray_is_never_built_without_a_backend() -> None:
    with pytest.raises(TrayError, match="no tray to show an icon in: headless"):
        # The refusal comes before any action is used: object() stands in for TrayActions.
        Tray(object(), TrayBackend.named("none", "headless"))  # type: ignore[arg-type]


def test_only_the_gtk_backends_run_the_glib_loop_the_signals_need() -> None:
    looping = {
        name
        for name in ("appindicator", "gtk", "xorg", "win32", "darwin", "none")
        if TrayBackend.named(name, "why").runs_glib_loop
    }
    assert looping == {"gtk", "appindicator"}
