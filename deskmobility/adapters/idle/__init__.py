"""Idle time and idle watches: pick the source this desktop offers, and say which and why.

``select_idle_watch`` returns the port the app runs on, an ``IdleWatch`` (away after a
threshold, back at the next input). Event sources come first where the desktop has them:

    mutter    GNOME Mutter's idle watches (Wayland and X11 GNOME sessions)      events
    kde       KDE's org.freedesktop.ScreenSaver.GetSessionIdleTime (Plasma X11) poll
    x11-sync  the X server's SYNC IDLETIME counter and alarms (ctypes, libXext) events
    x11       the X server's MIT-SCREEN-SAVER counter (python-xlib), if SYNC
              or the C libraries are missing                                    poll
    windows   GetLastInputInfo                                                  poll
    macos     IOHIDSystem HIDIdleTime via ioreg                                 poll

``select_idle_monitor`` returns the plain reading (``idle_for()``) of the same sources,
for what asks "how long idle now?" (the adaptive poll wraps one).

Both decide in this order: the ``DESKMOBILITY_IDLE_BACKEND`` variable, then the configured
preference, then the platform's candidates tried in turn, each probed for real (the probing
is ``_probing``'s, shared with the interruption checks). In a Wayland session the X11
sources are left out (XWayland sees only input sent to X11 windows) unless asked for by
name. When none works, the result is the named unavailable stand-in, ``available`` False.

Backend modules are imported only when tried, so importing this package needs no display,
no session bus and none of the optional libraries.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Mapping
from typing import TypeVar

from deskmobility.adapters._probing import NotHere, first_working, probed
from deskmobility.adapters.idle._base import IdleMonitor, IdleWatchError
from deskmobility.adapters.idle.unavailable import UnavailableIdleMonitor, UnavailableIdleWatch
from deskmobility.adapters.selection import PassedOver, Selection
from deskmobility.ports import IdleWatch

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "IdleMonitor",
    "UnavailableIdleMonitor",
    "UnavailableIdleWatch",
    "select_idle_monitor",
    "select_idle_watch",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

ENV_VAR = "DESKMOBILITY_IDLE_BACKEND"
BACKENDS = ("mutter", "kde", "x11", "windows", "macos")
_AUTO = frozenset({"", "auto"})
_OFF = frozenset({"none", "off", "unavailable"})
_DESCRIBED = {
    "mutter": "GNOME Mutter's IdleMonitor on the session bus",
    "kde": "KDE's org.freedesktop.ScreenSaver.GetSessionIdleTime on the session bus",
    "x11-sync": "the X server's SYNC IDLETIME counter",
    "x11": "the X server's MIT-SCREEN-SAVER idle counter",
    "windows": "GetLastInputInfo",
    "macos": "IOHIDSystem HIDIdleTime via ioreg",
}


def select_idle_watch(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    preference: str | None = None,
) -> Selection[IdleWatch]:
    """The idle watch to run, why, and what was passed over (see the module docstring).

    ``preference``: a name from BACKENDS, ``"auto"``/None, or ``"off"``. A backend asked
    for by name is not replaced by another when it fails: the result is then unavailable.
    """
    factory = functools.partial(_watch_factory, env=env)
    plan = _plan(platform, env, preference)
    return _select(plan, factory, _unavailable_watch, lambda watch: f"; {watch.mode}")


def select_idle_monitor(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    preference: str | None = None,
) -> Selection[IdleMonitor]:
    """The idle-time reading to use, why, and what was passed over (as ``select_idle_watch``)."""
    factory = functools.partial(_monitor_factory, env=env)
    plan = _plan(platform, env, preference)
    return _select(plan, factory, _unavailable_monitor, lambda _monitor: "")


def _select(
    plan: tuple[list[str], str, tuple[PassedOver, ...]] | str,
    factory: Callable[[str], Callable[[], T]],
    unavailable: Callable[[str, tuple[PassedOver, ...]], Selection[T]],
    mode: Callable[[T], str],
) -> Selection[T]:
    """The first of ``plan``'s candidates that works, as a watch or a reading alike."""
    if isinstance(plan, str):
        return unavailable(plan, ())
    names, source, left_out = plan
    found, passed = first_working((name, factory(name)) for name in names)
    if found is None:
        return unavailable("cannot tell idle time", (*passed, *left_out))
    name, backend = found
    why = f"{name}: {_DESCRIBED[name]} ({source}){mode(backend)}"
    return Selection(backend, name, why, (*passed, *left_out))


def _plan(
    platform: str, env: Mapping[str, str], preference: str | None
) -> tuple[list[str], str, tuple[PassedOver, ...]] | str:
    """The candidates in order, where the choice came from, and those left out up front.

    A string instead: idle detection is off, or the name asked for is unknown; it says why.
    """
    from_env = env.get(ENV_VAR, "").strip().lower()
    chosen, source = (
        (from_env, ENV_VAR) if from_env else ((preference or "").strip().lower(), "the config")
    )
    if chosen in _OFF:
        return f"idle detection is turned off by {source} ({chosen!r})"
    if chosen in _AUTO:
        names, left_out = _candidates(platform, env)
        source = f"automatic choice for {platform}"
    elif chosen in BACKENDS:
        names, left_out = [chosen], []
    else:
        known = ", ".join((*BACKENDS, "auto", "off"))
        return f"{source} names no idle backend {chosen!r} (known: {known})"
    if "x11" in names:  # SYNC first (ctypes); python-xlib's MIT-SCREEN-SAVER as the fallback
        names.insert(names.index("x11"), "x11-sync")
    return names, source, tuple(left_out)


def _candidates(platform: str, env: Mapping[str, str]) -> tuple[list[str], list[PassedOver]]:
    """The backends to try in order, and those left out up front with the reason."""
    if platform == "win32":
        return ["windows"], []
    if platform == "darwin":
        return ["macos"], []
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return [], [PassedOver(platform, f"no idle source is known for platform {platform!r}")]
    candidates, left_out = ["mutter", "kde"], []
    wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    if wayland:
        reason = (
            "this is a Wayland session, where XWayland counts only input sent to X11 "
            f"windows (set {ENV_VAR}=x11 to use it anyway)"
        )
        left_out.append(PassedOver("x11", reason))
    elif env.get("DISPLAY"):
        candidates.append("x11")
    else:
        left_out.append(PassedOver("x11", "DISPLAY is not set"))
    return candidates, left_out


def _monitor_factory(name: str, env: Mapping[str, str]) -> Callable[[], IdleMonitor]:
    """Build a reading (its module imported only now), probe it: working, or NotHere."""

    def make() -> IdleMonitor:
        monitor = _build_monitor(name, env)
        return probed(monitor, monitor.probe(), monitor.close)

    return make


def _watch_factory(name: str, env: Mapping[str, str]) -> Callable[[], IdleWatch]:
    """Build a watch: an event source, or the adaptive poll around a working reading."""

    def make() -> IdleWatch:
        try:
            if name == "mutter":
                from deskmobility.adapters._session_bus import session_bus_address  # noqa: PLC0415
                from deskmobility.adapters.idle.mutter_watch import MutterIdleWatch  # noqa: PLC0415

                return MutterIdleWatch(session_bus_address(env))
            if name == "x11-sync":
                from deskmobility.adapters.idle.x11_sync import X11SyncIdleWatch  # noqa: PLC0415

                return X11SyncIdleWatch(env.get("DISPLAY") or None)
        except IdleWatchError as error:
            raise NotHere(str(error)) from error
        from deskmobility.adapters.idle.poll import PollingIdleWatch  # noqa: PLC0415

        return PollingIdleWatch(_monitor_factory(name, env)())

    return make


def _build_monitor(name: str, env: Mapping[str, str]) -> IdleMonitor:
    """Construct a reading (cheap, connects to nothing); its module is imported here."""
    # Each import sits in its branch on purpose: only the backend being tried is loaded.
    if name == "mutter":
        from deskmobility.adapters.idle.mutter import MutterIdleMonitor  # noqa: PLC0415

        return MutterIdleMonitor.from_env(env)
    if name == "kde":
        from deskmobility.adapters.idle.kde import KdeIdleMonitor  # noqa: PLC0415

        return KdeIdleMonitor.from_env(env)
    if name == "x11-sync":
        from deskmobility.adapters.idle.x11_sync import X11SyncIdleMonitor  # noqa: PLC0415

        return X11SyncIdleMonitor(env.get("DISPLAY") or None)
    if name == "x11":
        from deskmobility.adapters.idle.x11 import X11IdleMonitor  # noqa: PLC0415

        return X11IdleMonitor(env.get("DISPLAY") or None)
    if name == "windows":
        from deskmobility.adapters.idle.windows import WindowsIdleMonitor  # noqa: PLC0415

        return WindowsIdleMonitor()
    if name == "macos":
        from deskmobility.adapters.idle.macos import MacIdleMonitor  # noqa: PLC0415

        return MacIdleMonitor()
    raise ValueError(f"unknown idle backend {name!r}")


def _unavailable_monitor(why: str, passed: tuple[PassedOver, ...]) -> Selection[IdleMonitor]:
    reason = Selection(None, "unavailable", why, passed, available=False).reason
    return Selection(UnavailableIdleMonitor(reason), "unavailable", why, passed, available=False)


def _unavailable_watch(why: str, passed: tuple[PassedOver, ...]) -> Selection[IdleWatch]:
    reason = Selection(None, "unavailable", why, passed, available=False).reason
    return Selection(UnavailableIdleWatch(reason), "unavailable", why, passed, available=False)
