"""Should reminders be held right now, and why? The checks this desktop offers.

``select_interruption_checks`` returns the checks that work here, each probed with a real
read, and what was passed over and why (the shared ``Selection`` shape; the probing is
``_probing``'s, shared with the idle sources). The app asks
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from deskmobility.adapters._probing import all_working, probed
from deskmobility.adapters.interruptions._base import InterruptionCheck, ProbedCheck
from deskmobility.adapters.selection import PassedOver, Selection

__all__ = ["ChecksSelection", "InterruptionCheck", "held_reason", "select_interruption_checks"]

log = logging.getLogger("deskmobility.interruptions")

_UNIX = ("linux", "freebsd", "openbsd", "netbsd")


class ChecksSelection(Selection[list[InterruptionCheck]]):
    """The interruption checks that work here: the shared shape, with the checks as backend."""

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``(checks, reason lines)``: the tests' shorthand.

        The launcher reads ``backend`` and ``passed_over`` (whose ``turned_off`` marks what
        the config switched off); code that decides must not read the reason lines.
        """
        yield self.backend
        yield [item.line() for item in self.passed_over]


def select_interruption_checks(
    platform: str = sys.platform,
    env: Mapping[str, str] = os.environ,
    dnd: bool = True,
    fullscreen: bool = True,
) -> ChecksSelection:
    """The checks that work here, in the order to ask them, and why the others are missing.

    ``dnd`` / ``fullscreen``: the config's opt-outs; a check of a kind turned off is not
    even tried, and is passed over with ``turned_off`` set.
    """
    off = tuple(
        PassedOver(kind, "turned off", turned_off=True)
        for kind, wanted in (("do-not-disturb", dnd), ("fullscreen", fullscreen))
        if not wanted
    )
    names, left_out = _candidates(platform, env, dnd=dnd, fullscreen=fullscreen)
    checks, passed = all_working(
        (name, _check_factory(name, env, dnd=dnd, fullscreen=fullscreen)) for name in names
    )
    found = ", ".join(check.name for check in checks)
    why = f"holding reminders for: {found}" if checks else "no interruption check works here"
    return ChecksSelection(
        list(checks), found or "none", why, (*off, *passed, *left_out), available=bool(checks)
    )


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
) -> tuple[list[str], list[PassedOver]]:
    """The checks to try in order, and those left out up front with the reason."""
    if not (dnd or fullscreen):
        return [], []
    if platform == "win32":
        return ["windows"], []
    if platform == "darwin":
        from deskmobility.adapters.interruptions.macos import unavailable_reasons  # noqa: PLC0415

        return [], [
            PassedOver("macos", reason.removeprefix("macos: "))
            for reason in unavailable_reasons(dnd=dnd, fullscreen=fullscreen)
        ]
    if not platform.startswith(_UNIX):
        reason = f"no do-not-disturb or fullscreen source is known for platform {platform!r}"
        return [], [PassedOver(platform, reason)]
    candidates: list[str] = []
    left_out: list[PassedOver] = []
    if dnd:
        candidates += ["freedesktop", "dunst"]
        desktop = env.get("XDG_CURRENT_DESKTOP", "")
        if _is_gnome(desktop):
            candidates.append("gnome")
        else:
            left_out.append(
                PassedOver("gnome", f"not a GNOME session (XDG_CURRENT_DESKTOP={desktop!r})")
            )
    if fullscreen:
        if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
            reason = (
                "this is a Wayland session, where XWayland sees X11 windows only; no "
                "portable Wayland protocol tells another client's fullscreen state"
            )
            left_out.append(PassedOver("x11-fullscreen", reason))
        elif env.get("DISPLAY"):
            candidates.append("x11-fullscreen")
        else:
            left_out.append(PassedOver("x11-fullscreen", "DISPLAY is not set"))
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


def _check_factory(
    name: str, env: Mapping[str, str], *, dnd: bool, fullscreen: bool
) -> Callable[[], InterruptionCheck]:
    """Build a check, probe it: working, or NotHere (the shared probing of ``_probing``)."""

    def make() -> InterruptionCheck:
        check = _build(name, env, dnd=dnd, fullscreen=fullscreen)
        return probed(check, check.probe(), check.close)

    return make
