"""The monitor chosen when nothing on this machine can tell idle time: it says so."""

from __future__ import annotations

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
