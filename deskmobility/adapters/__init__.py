"""Thin adapters at the edge: files, scheduler, notifications, tray, per-OS probes."""
