"""What the app's core is told (events) and what it asks to be done (effects).

Events are things that happened, past tense, fed in by the composition root: a timer
fired, the person clicked, a sensor reported. Effects are instructions, carried out by the
root after the core has decided: show this, record that, remember the pause, redraw.
Timers are not effects: the root points them at ``alarms(state)`` after every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from deskmobility.core.actions import Action
from deskmobility.core.config import Settings
from deskmobility.core.history import HistoryEvent

# ---- events -------------------------------------------------------------------------


class CloseReason(StrEnum):
    """Why a notification went away, as the freedesktop spec numbers them (1 to 4)."""

    EXPIRED = "expired"
    DISMISSED = "dismissed"
    CLOSED = "closed"  # by the app (CloseNotification), or replaced
    UNDEFINED = "undefined"


@dataclass(frozen=True)
class Started:
    """The app has started: arm the timers."""


@dataclass(frozen=True)
class DesktopKnown:
    """What this desktop offers, learnt at start-up: a tray, and actions on notifications."""

    tray: bool
    actions: bool


@dataclass(frozen=True)
class Due:
    """A reminder timer (or a hold's recheck) fired.

    ``held`` is what holds reminders right now (do-not-disturb, a fullscreen window), read
    by the root before deciding, or None when nothing does or nothing was due to check.
    """

    held: str | None = None


@dataclass(frozen=True)
class MicroBreakRequested:
    """The person asked for a micro-break (tray, command line, desktop entry)."""


@dataclass(frozen=True)
class MicroBreakStepDue:
    """The step on screen of the running micro-break has had its time."""


@dataclass(frozen=True)
class ActionInvoked:
    """The person chose ``action`` on the notification in ``slot``."""

    slot: str
    action: Action


@dataclass(frozen=True)
class NotificationClosed:
    """The notification in ``slot`` went away: timed out, dismissed, or closed by the app."""

    slot: str
    reason: CloseReason


@dataclass(frozen=True)
class DoneRequested:
    """The person said "done" from the tray or the command line."""


@dataclass(frozen=True)
class LaterRequested:
    """The person said "later" from the tray or the command line (None: the usual snooze)."""

    span: timedelta | None = None


@dataclass(frozen=True)
class PauseRequested:
    """The person asked to hold every reminder until ``until``."""

    until: datetime


@dataclass(frozen=True)
class ResumeRequested:
    """The person asked to end a pause."""


@dataclass(frozen=True)
class PauseEnded:
    """A pause ran out by itself."""


@dataclass(frozen=True)
class SettingsChanged:
    """The config file was edited and is valid."""

    settings: Settings


@dataclass(frozen=True)
class ConfigRejected:
    """The config file was edited and is not valid; ``problem`` says where and why."""

    problem: str


@dataclass(frozen=True)
class WentAway:
    """The idle watch saw no input for ``idle``: the person has left the desk."""

    idle: timedelta


@dataclass(frozen=True)
class CameBack:
    """The idle watch saw input again after an absence."""


@dataclass(frozen=True)
class ClockChanged:
    """The operating system says its realtime clock was set (or the machine woke)."""


@dataclass(frozen=True)
class ProblemFound:
    """An adapter hit a problem the person should hear about, once."""

    title: str
    body: str


Event = (
    Started
    | DesktopKnown
    | Due
    | MicroBreakRequested
    | MicroBreakStepDue
    | ActionInvoked
    | NotificationClosed
    | DoneRequested
    | LaterRequested
    | PauseRequested
    | ResumeRequested
    | PauseEnded
    | SettingsChanged
    | ConfigRejected
    | WentAway
    | CameBack
    | ClockChanged
    | ProblemFound
)

# ---- effects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Notify:
    """Show a notification.

    ``slot`` groups notifications that replace one another: while one is still waiting to
    be shown (a stalled server), a newer one of the same slot takes its place, and one
    older than ``fresh_for`` is dropped instead of shown late.
    """

    slot: str
    title: str
    body: str
    timeout: timedelta
    fresh_for: timedelta
    actions: tuple[Action, ...] = ()
    default: Action | None = None


@dataclass(frozen=True)
class Dismiss:
    """Take the notification in ``slot`` off the screen (it was answered elsewhere)."""

    slot: str


@dataclass(frozen=True)
class Said:
    """The answer to the person's request, for the command line that asked."""

    text: str


@dataclass(frozen=True)
class Record:
    """Append ``event`` to the history."""

    event: HistoryEvent


@dataclass(frozen=True)
class SavePause:
    """Remember the pause's end across restarts (None: no pause)."""

    until: datetime | None


@dataclass(frozen=True)
class Log:
    """Write a line to the app's log at ``level`` (a ``logging`` level number)."""

    level: int
    text: str


@dataclass(frozen=True)
class Redraw:
    """What the tray shows has changed."""


Effect = Notify | Dismiss | Said | Record | SavePause | Log | Redraw
