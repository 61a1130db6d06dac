"""When each reminder is next due: pure planning, time passed in.

A reminder's timer starts when the app starts, when the reminder last fired, or when
the person last rested (a micro-break for stretch, a natural break or a pause for all).
It falls due one interval later, unless that lands in quiet hours or a pause, in which
case the timer restarts when they end: a night or a pause is rest, not a backlog.

Intervals are spans of real time: arithmetic and comparisons are on instants (in UTC).
Quiet hours are local wall-clock times, read at each due instant in the offset in force
then (``local_like``), so a DST change between a timer's start and its end moves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from deskmobility.core.clock import local_like
from deskmobility.core.config import QuietHours, Settings
from deskmobility.core.kinds import ReminderKind

MERGE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class ReminderPlan:
    """The timers of all reminder kinds, and the settings they run on."""

    settings: Settings
    started: Mapping[ReminderKind, datetime]
    paused_until: datetime | None = None
    # "Later": a kind asked to come back at this time instead (until it is shown again).
    snoozed: Mapping[ReminderKind, datetime] = field(default_factory=dict)

    @classmethod
    def start(cls, settings: Settings, now: datetime) -> ReminderPlan:
        """Start every timer now."""
        return cls(settings, MappingProxyType(dict.fromkeys(ReminderKind, now)))

    def next_due(self, kind: ReminderKind) -> datetime | None:
        """When ``kind`` is next due, or None when it is switched off."""
        every = self.settings.interval(kind)
        if every is None:
            return None
        started = self.started[kind]
        begin = _utc(started)
        if self.paused_until is not None:
            begin = max(begin, _utc(self.paused_until))
        due = begin + every
        quiet = self.settings.quiet_hours
        if quiet is not None:
            due = _after_quiet_hours(quiet, due, every, started)
        if (later := self._snooze_of(kind)) is not None:
            due = min(due, later)
        return local_like(due, started)

    def _snooze_of(self, kind: ReminderKind) -> datetime | None:
        """The snooze of ``kind`` (UTC) if it still stands: not inside a pause or quiet hours."""
        later = self.snoozed.get(kind)
        if later is None:
            return None
        if self.paused_until is not None and later <= self.paused_until:
            return None  # the pause ends with every timer restarting anyway
        quiet = self.settings.quiet_hours
        if quiet is not None and quiet.contains(local_like(later, self.started[kind]).time()):
            return None
        return _utc(later)

    def snooze(self, kinds: Iterable[ReminderKind], until: datetime) -> ReminderPlan:
        """Bring ``kinds`` back at ``until`` (or at their own time, if that comes first)."""
        snoozed = dict(self.snoozed)
        snoozed.update(dict.fromkeys(kinds, until))
        return replace(self, snoozed=MappingProxyType(snoozed))

    def upcoming(self) -> tuple[tuple[ReminderKind, datetime], ...]:
        """Enabled kinds with their due times, soonest first."""
        pairs = [(kind, due) for kind in ReminderKind if (due := self.next_due(kind)) is not None]
        return tuple(sorted(pairs, key=lambda pair: _utc(pair[1])))

    def due_now(self, now: datetime) -> tuple[ReminderKind, ...]:
        """The kinds due at ``now``, merged with any due within a short window after it.

        The window is a minute, or a tenth of the shortest interval when intervals are
        tiny (people try the app out with intervals of seconds).
        """
        if self.is_paused(now):
            return ()
        until = _utc(now) + self.merge_window()
        return tuple(kind for kind, due in self.upcoming() if _utc(due) <= until)

    def merge_window(self) -> timedelta:
        """How close together reminders fall due to be shown as one (and how late one may be)."""
        intervals = [s.every for s in self.settings.reminders.values() if s.enabled]
        return min([MERGE_WINDOW, *(every / 10 for every in intervals)])

    def is_paused(self, now: datetime) -> bool:
        """Tell whether reminders are paused at ``now``."""
        return self.paused_until is not None and _utc(now) < _utc(self.paused_until)

    def restarted(self, kinds: Iterable[ReminderKind], now: datetime) -> ReminderPlan:
        """Restart the timers of ``kinds`` at ``now`` (they fired, or the person rested)."""
        kinds = tuple(kinds)
        started = dict(self.started)
        started.update(dict.fromkeys(kinds, now))
        snoozed = {kind: at for kind, at in self.snoozed.items() if kind not in kinds}
        return replace(self, started=MappingProxyType(started), snoozed=MappingProxyType(snoozed))

    def paused(self, until: datetime) -> ReminderPlan:
        """Hold every reminder until ``until``; the timers restart then."""
        return replace(self, paused_until=until)

    def pause_over(self) -> ReminderPlan:
        """Forget a pause that has run out; the timers it held start from its end."""
        end = self.paused_until
        if end is None:
            return self
        started = {kind: max(at, end, key=_utc) for kind, at in self.started.items()}
        return replace(self, started=MappingProxyType(started), paused_until=None)

    def shifted(self, by: timedelta) -> ReminderPlan:
        """Every time in the plan moved by ``by`` (the wall clock was set by that much)."""
        started = {kind: at + by for kind, at in self.started.items()}
        until = None if self.paused_until is None else self.paused_until + by
        snoozed = {kind: at + by for kind, at in self.snoozed.items()}
        return replace(
            self,
            started=MappingProxyType(started),
            paused_until=until,
            snoozed=MappingProxyType(snoozed),
        )

    def resumed(self, now: datetime) -> ReminderPlan:
        """End a pause now: timers restart from now."""
        return replace(self, paused_until=None).restarted(ReminderKind, now)

    def with_settings(self, settings: Settings, now: datetime) -> ReminderPlan:
        """Adopt new settings; a kind switched on, or whose interval changed, starts now."""
        started = dict(self.started)
        for kind in ReminderKind:
            if settings.interval(kind) != self.settings.interval(kind):
                started[kind] = now
        return replace(self, settings=settings, started=MappingProxyType(started))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _after_quiet_hours(
    quiet: QuietHours, due: datetime, every: timedelta, like: datetime
) -> datetime:
    """Move ``due`` (UTC) out of quiet hours: the timer restarts when the window ends.

    Wall times are read on ``like``'s clock. When one interval after the window's end
    falls in quiet hours again (an interval longer than the time between windows), it
    would do so every day; the reminder is then due as the window ends instead of never.
    """
    local = local_like(due, like)
    if not quiet.contains(local.time()):
        return due
    end = _quiet_end(quiet, due, local, like)
    restarted = end + every
    if quiet.contains(local_like(restarted, like).time()):
        return end
    return restarted


def _quiet_end(quiet: QuietHours, due: datetime, local: datetime, like: datetime) -> datetime:
    """The instant (UTC) after ``due`` when the wall clock first reads the window's end.

    ``local`` is ``due`` on the wall clock. The end may come in another offset than
    ``due`` (a DST change in the night): each candidate offset is tried, earliest first.
    An end in the hour the spring change skips is never read: it comes an hour late then.
    """
    wall = datetime.combine(local.date(), quiet.end)
    if wall <= local.replace(tzinfo=None):
        wall += timedelta(days=1)
    here = _offset(local)
    there = _offset(local_like((wall - here).replace(tzinfo=UTC), like))
    candidates = sorted({(wall - offset).replace(tzinfo=UTC) for offset in (here, there)})
    for end in candidates:
        if end > due and not quiet.contains(local_like(end, like).time()):
            return end
    return candidates[-1]


def _offset(local: datetime) -> timedelta:
    return local.replace(tzinfo=None) - _utc(local).replace(tzinfo=None)
