"""How long has the user been idle? Pick the source this desktop offers, and say which and why.

``select_idle_monitor`` decides in this order: the ``DESKMOBILITY_IDLE_BACKEND`` variable,
then the configured preference, then the platform's candidates tried in turn. Each
candidate is probed with a real read of the idle time; the first that answers wins, and
every rejection goes into the returned reason. When none answers, the result is an
``UnavailableIdleMonitor`` carrying that reason: the app keeps running without idle
detection and says so, rather than guessing.

Linux (and the BSDs) try GNOME's Mutter, then KDE's screen locker, both over D-Bus, then
the X server's screen-saver extension. In a Wayland session the X11 monitor is left out
(XWayland sees only input sent to X11 windows, so "idle" would grow while the user types)
unless it is asked for by name.

Backend modules are imported only when tried, so importing this package needs no display,
no session bus and none of the optional libraries.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from deskmobility.adapters.idle._base import IdleMonitor
from deskmobility.adapters.idle.unavailable import UnavailableIdleMonitor

__all__ = ["BACKENDS", "ENV_VAR", "IdleMonitor", "UnavailableIdleMonitor", "select_idle_monitor"]

log = logging.getLogger(__name__)

ENV_VAR = "DESKMOBILITY_IDLE_BACKEND"
BACKENDS = ("mutter", "kde", "x11", "windows", "macos")
_AUTO = frozenset({"", "auto"})
_OFF = frozenset({"none", "off", "unavailable"})
_DESCRIBED = {
    "mutter": "GNOME Mutter's IdleMonitor on the session bus",
    "kde": "KDE's org.freedesktop.ScreenSaver.GetSessionIdleTime on the session bus",
    "x11": "the X server's MIT-SCREEN-SAVER idle counter",
    "windows": "GetLastInputInfo",
    "macos": "IOHIDSystem HIDIdleTime via ioreg",
}


def select_idle_monitor(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    preference: str | None = None,
) -> tuple[IdleMonitor, str]:
    """Return the idle monitor to use and a one-line reason for the choice.

    ``preference``: a backend name from the config, ``"auto"``/None for the platform's
    order, or ``"off"`` to do without idle detection. ``DESKMOBILITY_IDLE_BACKEND`` in
    ``env`` overrides it. A backend asked for by name is not replaced by another when its
    probe fails: the result is then unavailable, with the probe's reason.
    """
    from_env = env.get(ENV_VAR, "").strip().lower()
    chosen, source = (
        (from_env, ENV_VAR) if from_env else ((preference or "").strip().lower(), "the config")
    )
    if chosen in _OFF:
        return _unavailable(f"idle detection is turned off by {source} ({chosen!r})")
    if chosen in _AUTO:
        candidates, left_out = _candidates(platform, env)
        source = f"automatic choice for {platform}"
    elif chosen in BACKENDS:
        candidates, left_out = [chosen], []
    else:
        known = ", ".join((*BACKENDS, "auto", "off"))
        return _unavailable(f"{source} names no idle backend {chosen!r} (known: {known})")

    rejected: list[str] = []
    for name in candidates:
        monitor = _build(name, env)
        problem = _probe(monitor)
        if problem is None:
            reason = f"{name}: {_DESCRIBED[name]} ({source})"
            if rejected or left_out:
                reason += "; passed over: " + "; ".join(rejected + left_out)
            return monitor, reason
        monitor.close()
        rejected.append(f"{name}: {problem}")
    reasons = rejected + left_out or [f"no idle source is known for platform {platform!r}"]
    return _unavailable("cannot tell idle time: " + "; ".join(reasons))


def _candidates(platform: str, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The backends to try in order, and the reasons for those left out up front."""
    if platform == "win32":
        return ["windows"], []
    if platform == "darwin":
        return ["macos"], []
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return [], []
    candidates, left_out = ["mutter", "kde"], []
    wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"
    if wayland:
        left_out.append(
            "x11: this is a Wayland session, where XWayland counts only input sent to X11 "
            f"windows (set {ENV_VAR}=x11 to use it anyway)"
        )
    elif env.get("DISPLAY"):
        candidates.append("x11")
    else:
        left_out.append("x11: DISPLAY is not set")
    return candidates, left_out


def _build(name: str, env: Mapping[str, str]) -> IdleMonitor:
    """Construct a backend (cheap, connects to nothing); its module is imported here."""
    # Each import sits in its branch on purpose: only the backend being tried is loaded.
    if name == "mutter":
        from deskmobility.adapters.idle.mutter import MutterIdleMonitor  # noqa: PLC0415

        return MutterIdleMonitor.from_env(env)
    if name == "kde":
        from deskmobility.adapters.idle.kde import KdeIdleMonitor  # noqa: PLC0415

        return KdeIdleMonitor.from_env(env)
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


def _probe(monitor: IdleMonitor) -> str | None:
    try:
        return monitor.probe()
    except Exception as error:  # a backend bug must not stop the app; the reason says it
        log.debug("idle backend %s crashed in probe()", monitor.name, exc_info=True)
        return f"probe crashed: {error!r}"


def _unavailable(reason: str) -> tuple[IdleMonitor, str]:
    return UnavailableIdleMonitor(reason), reason
