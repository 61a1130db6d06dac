"""Should reminders be held right now, and why? The checks this desktop offers.

``select_interruption_checks`` returns the checks that work here, each probed with a real
read, and one line for each that does not (for the log). The app asks
``held_reason(checks)`` only when a reminder is due, and every 30 s while it is held, to
find out when the interruption ends: no check runs a thread or listens for signals.

Holding is not resting: the app defers a held reminder and does not restart its timers.

Linux (and the BSDs), "do not disturb":
    freedesktop  the notification server's ``Inhibited`` property (KDE Plasma's DND)
    dunst        dunst's ``paused`` (``dunstctl set-paused true``)
    gnome        GNOME's ``show-banners`` key, false in DND (GNOME sessions only)
Linux, fullscreen:
    x11-fullscreen  the focused window's ``_NET_WM_STATE_FULLSCREEN`` (not in Wayland
                 sessions, where XWayland sees X11 windows only)
Windows, both: ``SHQueryUserNotificationState``. macOS: nothing reliable; said so.

Backend modules are imported only when tried, so importing this package needs no display,
no session bus and none of the optional libraries.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Mapping

from deskmobility.adapters.interruptions._base import InterruptionCheck, ProbedCheck

__all__ = ["InterruptionCheck", "held_reason", "select_interruption_checks"]

log = logging.getLogger("deskmobility.interruptions")

_UNIX = ("linux", "freebsd", "openbsd", "netbsd")


def select_interruption_checks(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    dnd: bool = True,
    fullscreen: bool = True,
) -> tuple[list[InterruptionCheck], list[str]]:
    """The checks that work here, in the order to ask them, and why the others are missing.

    ``dnd`` / ``fullscreen``: the config's opt-outs; a check of a kind turned off is not
    even tried. Each reason is one line, starting with the check's name.
    """
    reasons = [
        f"{kind} checks are turned off"
        for kind, wanted in (("do-not-disturb", dnd), ("fullscreen", fullscreen))
        if not wanted
    ]
    candidates, left_out = _candidates(platform, env, dnd=dnd, fullscreen=fullscreen)
    checks: list[InterruptionCheck] = []
    for name in candidates:
        check = _build(name, env, dnd=dnd, fullscreen=fullscreen)
        problem = _probe(check)
        if problem is None:
            checks.append(check)
        else:
            check.close()
            reasons.append(f"{name}: {' '.join(problem.split())}")  # one line for the log
    return checks, reasons + left_out


def held_reason(checks: Iterable[InterruptionCheck]) -> str | None:
    """The first check's reason to hold reminders now, or None if none holds them.

    Checks never raise by contract; one that does anyway is logged and skipped.
    """
    for check in checks:
        try:
            reason = check.held_reason()
        except Exception:  # a backend bug must not stop the reminders or the other checks
            log.debug("interruption check %s crashed", check.name, exc_info=True)
            continue
        if reason:
            return reason
    return None


def _candidates(
    platform: str, env: Mapping[str, str], *, dnd: bool, fullscreen: bool
) -> tuple[list[str], list[str]]:
    """The checks to try in order, and the reasons for those left out up front."""
    if not (dnd or fullscreen):
        return [], []
    if platform == "win32":
        return ["windows"], []
    if platform == "darwin":
        from deskmobility.adapters.interruptions.macos import unavailable_reasons  # noqa: PLC0415

        return [], unavailable_reasons(dnd=dnd, fullscreen=fullscreen)
    if not platform.startswith(_UNIX):
        return [], [f"no do-not-disturb or fullscreen source is known for platform {platform!r}"]
    candidates: list[str] = []
    left_out: list[str] = []
    if dnd:
        candidates += ["freedesktop", "dunst"]
        desktop = env.get("XDG_CURRENT_DESKTOP", "")
        if _is_gnome(desktop):
            candidates.append("gnome")
        else:
            left_out.append(f"gnome: not a GNOME session (XDG_CURRENT_DESKTOP={desktop!r})")
    if fullscreen:
        if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
            left_out.append(
                "x11-fullscreen: this is a Wayland session, where XWayland sees X11 windows "
                "only; no portable Wayland protocol tells another client's fullscreen state"
            )
        elif env.get("DISPLAY"):
            candidates.append("x11-fullscreen")
        else:
            left_out.append("x11-fullscreen: DISPLAY is not set")
    return candidates, left_out


def _is_gnome(desktop: str) -> bool:
    """Whether XDG_CURRENT_DESKTOP names GNOME ("GNOME", "ubuntu:GNOME", "GNOME-Classic:GNOME")."""
    return any(part.strip().upper() == "GNOME" for part in desktop.split(":"))


def _build(name: str, env: Mapping[str, str], *, dnd: bool, fullscreen: bool) -> ProbedCheck:
    """Construct a check (cheap, connects to nothing); its module is imported here."""
    # Each import sits in its branch on purpose: only the check being tried is loaded.
    if name == "freedesktop":
        from deskmobility.adapters.interruptions.freedesktop import (  # noqa: PLC0415
            FreedesktopInhibitedCheck,
        )

        return FreedesktopInhibitedCheck.from_env(env)
    if name == "dunst":
        from deskmobility.adapters.interruptions.dunst import DunstPausedCheck  # noqa: PLC0415

        return DunstPausedCheck.from_env(env)
    if name == "gnome":
        from deskmobility.adapters.interruptions.gnome import GnomeBannersCheck  # noqa: PLC0415

        return GnomeBannersCheck()
    if name == "x11-fullscreen":
        from deskmobility.adapters.interruptions.x11_fullscreen import (  # noqa: PLC0415
            X11FullscreenCheck,
        )

        return X11FullscreenCheck(env.get("DISPLAY") or None)
    if name == "windows":
        from deskmobility.adapters.interruptions.windows import (  # noqa: PLC0415
            WindowsNotificationStateCheck,
        )

        return WindowsNotificationStateCheck(dnd=dnd, fullscreen=fullscreen)
    raise ValueError(f"unknown interruption check {name!r}")


def _probe(check: ProbedCheck) -> str | None:
    try:
        return check.probe()
    except Exception as error:  # a backend bug must not stop the app; the reason says it
        log.debug("interruption check %s crashed in probe()", check.name, exc_info=True)
        return f"probe crashed: {error!r}"
