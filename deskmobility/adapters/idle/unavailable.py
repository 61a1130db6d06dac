"""The monitor chosen when nothing on this machine can tell idle time: it says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta


class UnavailableIdleMonitor:
    """Knows no idle time, ever; ``reason`` says why, for the log and the tray status."""

    name = "unavailable"
    REPORTS_IDLE = False

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def idle_for(self) -> timedelta | None:
        """Always None: unknown."""
        return None

    def probe(self) -> str | None:
        """Always the reason: this monitor never works."""
        return self.reason

    def close(self) -> None:
        """Nothing to close."""


class UnavailableIdleWatch:
    """Never reports away or back; ``reason`` says why, for the log and the tray status."""

    name = "unavailable"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.mode = f"none ({reason})"

    def watch(
        self,
        away_after: timedelta,
        on_away: Callable[[timedelta], None],
        on_back: Callable[[], None],
    ) -> None:
        """Do nothing: no absence can be seen."""
        del away_after, on_away, on_back

    def close(self) -> None:
        """Nothing to close."""
