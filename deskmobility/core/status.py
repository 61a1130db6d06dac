"""What the app is doing, and the one wording of it that the tray and the command line share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from deskmobility.core.kinds import ReminderKind
from deskmobility.core.state import AppState


@dataclass(frozen=True)
class Status:
    """A snapshot of the running app, for the tray and the command line."""

    now: datetime
    paused_until: datetime | None
    next_due: tuple[tuple[ReminderKind, datetime], ...]  # soonest first
    break_running: bool
    break_progress: float | None
    config_problem: str | None
    away: bool
    held: str | None
    reminders_today: int
    done_today: int
    breaks_today: int
    waiting: str | None  # the last reminder shown and not yet answered, by its title


def status_of(state: AppState, now: datetime) -> Status:
    """The snapshot of ``state`` at ``now``."""
    plan = state.plan
    session = state.session
    today = state.today.on(now.date())
    latest = state.latest_shown()
    return Status(
        now=now,
        paused_until=plan.paused_until if plan.is_paused(now) else None,
        next_due=plan.upcoming(),
        break_running=session is not None and session.running(now),
        break_progress=_progress(state, now),
        config_problem=state.config_problem,
        away=state.away,
        held=state.held,
        reminders_today=today.reminders,
        done_today=today.done,
        breaks_today=today.breaks,
        waiting=None if latest is None else latest[1].title,
    )


def _progress(state: AppState, now: datetime) -> float | None:
    """How far the stretch timer has run, 0 to 1, for the icon's ring."""
    due = state.plan.next_due(ReminderKind.STRETCH)
    every = state.settings.interval(ReminderKind.STRETCH)
    if due is None or every is None or state.plan.is_paused(now):
        return None
    return min(1.0, max(0.0, 1 - (due - now) / every))


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, with an "s" unless there is exactly one: "1 break", "2 breaks"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def when(moment: datetime, now: datetime) -> str:
    """A clock time, with the day when it is not today: "14:05", "Fri 4 Dec 14:05"."""
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    if moment.year == now.year:
        return f"{moment:%a} {moment.day} {moment:%b %H:%M}"
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


def next_line(status: Status) -> str:
    """What comes next, e.g. "Next: stretch break at 14:05".

    A clock time, not "in 12 min": it stays true until the plan changes, so the menu needs
    no rebuild every minute (pystray builds menus before they open).
    """
    if status.paused_until is not None:
        return f"Paused until {when(status.paused_until, status.now)}"
    if not status.next_due:
        return "All reminders are switched off"
    kind, due = status.next_due[0]
    return f"Next: {kind.heading.lower()} at {when(due, status.now)}"


def held_line(status: Status) -> str | None:
    """Why reminders are not arriving right now, if they are not."""
    if status.held:
        return f"Held: {status.held}"
    if status.away:
        return "Away: reminders wait until you are back"
    if status.config_problem:
        return "Config has errors: the last good settings are in use"
    return None


def today_line(status: Status) -> str:
    """The day so far, e.g. "Today: 6 of 9 done, 2 breaks"."""
    return (
        f"Today: {status.done_today} of {status.reminders_today} done, "
        f"{plural(status.breaks_today, 'break')}"
    )


def status_lines(status: Status) -> list[str]:
    """The whole status as a person reads it, one line each: the tray's lines and more."""
    lines = [next_line(status)]
    if held := held_line(status):
        lines.append(held)
    if status.break_running:
        lines.append("A micro-break is running.")
    elif status.waiting:
        lines.append(f"Waiting for an answer: {status.waiting} (deskmobility done / later)")
    lines.append(today_line(status))
    if status.config_problem:
        lines.append(f"Config problem: {status.config_problem}")
    return lines
