"""The ports: the small interfaces the composition root drives its adapters through.

Each adapter satisfies one of these structurally; tests' doubles must satisfy them too
(mypy checks both). Nothing here imports an adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Protocol


class IdleWatch(Protocol):
    """Says when the person has gone idle for a while, and when they are back.

    Event-driven where the desktop offers events (X11 SYNC alarms, Mutter idle watches);
    an adaptive poll of an idle-time reading elsewhere. Callbacks arrive on the watch's own
    thread: they must return quickly and never block on the watch.
    """

    name: str
    mode: str  # how it learns of input, for the log: "events (...)" or "poll (...)"

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """Call ``on_away(idle)`` once idle time reaches ``away_after``, then ``on_back()``.

        After ``on_back`` the watch re-arms for the next absence. Calling ``watch`` again
        replaces the threshold and the callbacks (a config edit changed natural_break).
        """
        ...

    def close(self) -> None:
        """Stop watching and release what the watch holds open."""
        ...
