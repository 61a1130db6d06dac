"""What the history records: one event per thing that happened, of a fixed set of kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class HistoryKind(StrEnum):
    """What happened. The values are what the history database stores."""

    REMINDER = "reminder"  # shown
    DONE = "done"  # the person did what a reminder asked
    LATER = "later"  # snoozed
    DISMISSED = "dismissed"  # closed unanswered
    EXPIRED = "expired"  # timed out unanswered
    MICRO_BREAK_STARTED = "micro_break_started"
    MICRO_BREAK_FINISHED = "micro_break_finished"
    MICRO_BREAK_STOPPED = "micro_break_stopped"
    NATURAL_BREAK = "natural_break"
    PAUSE = "pause"
    RESUME = "resume"
    SUSPEND = "suspend"
    CLOCK_SET_BACK = "clock_set_back"
    WELCOME = "welcome"  # the first-start note was shown


# What a reminder can come to, once shown.
OUTCOME_KINDS = frozenset(
    {HistoryKind.DONE, HistoryKind.LATER, HistoryKind.DISMISSED, HistoryKind.EXPIRED}
)


# Rest the person took: what "Today: N breaks" and the streaks count.
BREAK_KINDS = frozenset(
    {HistoryKind.MICRO_BREAK_FINISHED, HistoryKind.NATURAL_BREAK, HistoryKind.SUSPEND}
)


@dataclass(frozen=True)
class HistoryEvent:
    """One thing that happened, as recorded.

    ``reminder`` names the reminder kind ("posture", "head", "stretch"; comma-joined when
    reminders were merged); ``detail`` is free text such as a pause's end or an absence's
    length.
    """

    at: datetime
    kind: HistoryKind
    reminder: str | None = None
    exercise: str | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError(f"HistoryEvent.at must be timezone-aware, got {self.at!r}")
