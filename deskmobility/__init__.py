"""deskmobility: posture check-ins, head-position nudges and mobility breaks from the tray."""

__version__ = "0.1.0"
