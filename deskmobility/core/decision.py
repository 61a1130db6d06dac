"""One step's working state: the state so far, the time, and the effects collected.

The handlers in ``core.step`` and ``core.answers`` build their results through these
helpers, so recording, notifying and telling follow one set of rules.
"""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType

from deskmobility.core.actions import Action, default_action
from deskmobility.core.events import Effect, Log, Notify, Record, Said
from deskmobility.core.exercises import Exercise, choose_exercise
from deskmobility.core.history import HistoryEvent, HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import Message
from deskmobility.core.state import AppState

REMINDER_TIMEOUT = timedelta(seconds=20)
# A notice (config problem, history trouble) is worth showing late; a reminder is not.
NOTICE_FRESH_FOR = timedelta(hours=1)
_RECENT_KEPT = 100


class Decision:
    """The state being decided at ``now``, and the effects so far, in order."""

    def __init__(self, state: AppState, now: datetime, rng: random.Random) -> None:
        self.state = state
        self.now = now
        self.rng = rng
        self.effects: list[Effect] = []

    def set(self, **changes: object) -> None:
        """Change fields of the state."""
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]

    def choose(self, kind: ReminderKind) -> Exercise:
        """Pick an exercise for ``kind``, away from the ones shown lately."""
        state = self.state
        recent = state.recent.get(kind, ())
        exercise = choose_exercise(state.catalog, kind, state.settings.gear, list(recent), self.rng)
        kept = dict(state.recent)
        kept[kind] = (*recent, exercise.id)[-_RECENT_KEPT:]
        self.set(recent=MappingProxyType(kept))
        return exercise

    def record(
        self,
        kind: HistoryKind,
        reminder: str | None = None,
        exercise: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Append to the history, and to today's tally."""
        event = HistoryEvent(self.now, kind, reminder, exercise, detail)
        self.effects.append(Record(event))
        self.set(today=self.state.today.counting(event))

    def notify(  # a notification has this many parts
        self,
        slot: str,
        message: Message,
        timeout: timedelta,
        actions: tuple[Action, ...] = (),
        fresh_for: timedelta | None = None,
    ) -> None:
        """Show ``message`` in ``slot``; fresh for the merge window unless told otherwise."""
        fresh = fresh_for if fresh_for is not None else self.state.plan.merge_window()
        self.effects.append(
            Notify(
                slot,
                message.title,
                message.body,
                timeout,
                fresh,
                actions,
                default_action(actions),
            )
        )

    def tell(self, title: str, body: str) -> None:
        """Log a problem and show it, once per distinct text."""
        if body in self.state.told:
            return
        self.set(told=self.state.told | {body})
        self.log(logging.WARNING, f"{title}: {body}")
        self.notify(f"notice:{title}", Message(title, body), REMINDER_TIMEOUT, (), NOTICE_FRESH_FOR)

    def say(self, text: str) -> None:
        """Answer the person who asked (the command line shows it)."""
        self.effects.append(Said(text))

    def log(self, level: int, text: str) -> None:
        """Write a line to the log."""
        self.effects.append(Log(level, text))
