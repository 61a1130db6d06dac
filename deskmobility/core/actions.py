"""What a person can do with a notification: the actions each one offers.

The notification server shows them as buttons (or a menu); where it has none, the tray
menu and the command line (``deskmobility done``, ``deskmobility later``) do the same.
"""

from __future__ import annotations

from enum import StrEnum

from deskmobility.core.kinds import ReminderKind


class Action(StrEnum):
    """One thing a person can answer a notification with. Values are the D-Bus action keys."""

    SHOW = "show"  # start the guided steps of the suggested exercise
    DONE = "done"
    LATER = "later"  # snooze the reminder
    STOP = "stop"  # end a guided micro-break early, not done
    ANOTHER = "another"  # one more micro-break


LABELS = {
    Action.SHOW: "Show me",
    Action.DONE: "Done",
    Action.LATER: "Later",
    Action.STOP: "Stop",
    Action.ANOTHER: "Another",
}

# A posture reset takes ten seconds and needs no guide; every other reminder offers one.
REMINDER_ACTIONS = {
    kind: (Action.DONE, Action.LATER)
    if kind is ReminderKind.POSTURE
    else (Action.SHOW, Action.DONE, Action.LATER)
    for kind in ReminderKind
}
STEP_ACTIONS = (Action.STOP, Action.DONE)
END_ACTIONS = (Action.ANOTHER, Action.DONE)


def default_action(actions: tuple[Action, ...]) -> Action | None:
    """What a click on the notification's body does: show the guide where there is one."""
    return Action.SHOW if Action.SHOW in actions else None
