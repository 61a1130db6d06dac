"""macOS: no check. Focus / Do Not Disturb cannot be read reliably from a plain process.

What exists, and why each is refused:

- ``defaults -currentHost read com.apple.notificationcenterui doNotDisturb``: macOS 10.x
  only; it stopped reflecting the state in Big Sur (sindresorhus/do-not-disturb #9,
  macos-notification-state #32), and even before that it missed scheduled DND, mirroring
  and fullscreen (openradar 35104343).
- ``~/Library/DoNotDisturb/DB/Assertions.json``: undocumented, written by the Focus daemon
  up to minutes late, needs Full Disk Access on recent releases, and moved or changed in
  macOS 26 (Vixen-Labs/busylight #91, Macjutsu/super #155).
- ``defaults read com.apple.controlcenter "NSStatusItem Visible FocusModes"``: true
  whenever the Focus icon is shown in the menu bar, Focus on or not (Stretchly #1549).
- ``INFocusStatusCenter`` (Intents) and ``SetFocusFilterIntent`` (App Intents) are the
  public APIs, but both need a signed app bundle with an entitlement or a Focus filter the
  user sets up per Focus mode; a Python process cannot use them.

A fullscreen window could in principle be found with CGWindowListCopyWindowInfo
(CoreGraphics through ctypes and CoreFoundation), but that is not written, so it is
reported unavailable too instead of guessed at. Notification Center itself still applies
Focus to what deskmobility sends; only the holding and deferring are missing on macOS.
"""

from __future__ import annotations

DND_UNAVAILABLE = (
    "macos: Focus / Do Not Disturb cannot be read reliably by an unbundled process "
    "(no public API without an app entitlement; the private files lag and move between "
    "releases); Notification Center still applies Focus to reminders, but they are not "
    "held and deferred"
)
FULLSCREEN_UNAVAILABLE = "macos: fullscreen detection is not implemented on macOS"


def unavailable_reasons(*, dnd: bool = True, fullscreen: bool = True) -> list[str]:
    """Why each asked-for check is missing on macOS, one line each."""
    return [
        reason
        for reason, wanted in ((DND_UNAVAILABLE, dnd), (FULLSCREEN_UNAVAILABLE, fullscreen))
        if wanted
    ]
