"""deskmobility: posture check-ins, head-position nudges and mobility breaks from the tray."""

from __future__ import annotations

__version__ = "0.1.0"
