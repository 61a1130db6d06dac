"""A simulated week: the real App, an injected clock and a hand-fired timer, no sleeping.

A ``Week`` plays a person's days against the App: work 09:00-17:30 with lunch away (idle)
12:30-13:15, the laptop suspended 18:00-08:45, a weekend off, clock changes. It records
every notification with the *true* time it was shown (monotonic time plus time spent
asleep: what a person with a stopwatch would measure), and the stretches when the person
was at the desk with the laptop on and outside quiet hours ("segments"). The assertions
then hold the App to the config:

- per day and kind, as many reminders as the segments hold whole intervals, within one;
- two reminders of one kind never closer than the interval minus the merge window, and,
  inside one segment, never further apart than the interval (no drift);
- no two notifications within the merge window of each other (no burst);
- nothing while away (once ``natural_break`` has passed: before that nobody can know),
  nothing in the first interval after a wake, nothing in quiet hours.

Times in the script are read on the clock the App sees (``Week.wall``), so after the clock
is set back an hour the person's "12:30" comes an hour later in true time, as it would.
The doubles (HandFiredTimer, ScriptedIdleWatch) come from tests/doubles.py; the store is real.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

import pytest

from deskmobility.adapters.store import Store
from deskmobility.app import App
from deskmobility.core.clock import in_zone
from deskmobility.core.config import QuietHours, ReminderSettings, Settings
from deskmobility.core.events import Notify
from deskmobility.core.history import HistoryKind
from deskmobility.core.kinds import ReminderKind
from deskmobility.core.messages import kinds_in_title
from deskmobility.core.schedule import MERGE_WINDOW
from deskmobility.core.state import AppState
from tests.conftest import FakeClock
from tests.doubles import HandFiredTimer, ScriptedIdleWatch, StoreHistory

CET = timezone(timedelta(hours=1), "CET")
CEST = timezone(timedelta(hours=2), "CEST")
MONDAY = date(2026, 3, 2)  # the clock fixture starts on Monday 2026-03-02 09:00 +01:00
HOUR = timedelta(hours=1)
NATURAL_BREAK = timedelta(minutes=5)
INTERVALS = {
    ReminderKind.POSTURE: timedelta(minutes=30),
    ReminderKind.HEAD: timedelta(minutes=20),
    ReminderKind.STRETCH: timedelta(minutes=45),
}
QUIET = QuietHours(time(18, 0), time(8, 0))
# A returning person is noticed at the next idle sample, at most a minute later.
PRESENCE_DELAY = timedelta(minutes=1)


def week_settings(quiet: QuietHours | None = None) -> Settings:
    return Settings(
        reminders={kind: ReminderSettings(True, every) for kind, every in INTERVALS.items()},
        quiet_hours=quiet,
        natural_break=NATURAL_BREAK,
    )


class ScriptedZone(tzinfo):
    """A local zone whose UTC offset changes at scripted instants, as the tz database has
    them. ``changes`` known in advance are a real zone's; ``change`` adds one as it happens.

    Only ``astimezone`` is scripted: it gives the time at the fixed offset in force.
    """

    def __init__(self, first: timezone, changes: Iterable[tuple[datetime, timezone]] = ()):
        self.first = first
        self.changes = sorted(changes)

    def at(self, instant: datetime) -> timezone:
        zone = self.first
        for since, then in self.changes:
            if instant >= since:
                zone = then
        return zone

    def change(self, instant: datetime, zone: timezone) -> None:
        self.changes = sorted([*self.changes, (instant, zone)])

    def fromutc(self, dt: datetime) -> datetime:
        instant = dt.replace(tzinfo=UTC)
        return instant.astimezone(self.at(instant))

    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise NotImplementedError("only astimezone() is scripted")

    def dst(self, dt: datetime | None) -> timedelta:
        raise NotImplementedError("only astimezone() is scripted")

    def tzname(self, dt: datetime | None) -> str:
        raise NotImplementedError("only astimezone() is scripted")


class LocalClock:
    """The FakeClock read in a local zone that a DST change switches, as SystemClock does.

    ``SystemClock.now()`` is the local time at the fixed UTC offset in force at the instant,
    remembering the zone (``in_zone``), so the planner can read later instants in the
    offset in force then. ``advance``/``jump`` as FakeClock.
    """

    def __init__(self, base: FakeClock, zone: ScriptedZone) -> None:
        self.base = base
        self.zone = zone

    def now(self) -> datetime:
        return in_zone(self.base.now(), self.zone)

    def offset_now(self) -> timezone:
        """The fixed zone in force now, e.g. CET."""
        return self.zone.at(self.base.now())

    def monotonic(self) -> float:
        return float(self.base.monotonic())

    def advance(self, span: timedelta) -> None:
        self.base.advance(span)

    def jump(self, span: timedelta) -> None:
        self.base.jump(span)


@dataclass(frozen=True)
class Shown:
    true: float  # seconds since the week began, as a stopwatch measures (sleep included)
    at: datetime  # the App's clock reading when it posted
    kinds: frozenset[ReminderKind]


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    day: date


@dataclass
class Week:
    """A person's week against the real App (see the module docstring)."""

    base_clock: FakeClock
    store: Store
    quiet: QuietHours | None = None
    idle_aware: bool = True
    clock_watch: bool = True  # the OS says when its clock is set (Linux: timerfd)
    script_zone: timezone | None = None  # None: the script follows the clock's local zone
    first_day: date = MONDAY  # day 0 of the script
    zone: timezone | ScriptedZone = CET  # the local zone (changed by ``dst``, or scripted)
    shown: list[Shown] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    away: list[tuple[float, float]] = field(default_factory=list)
    wakes: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        zone = self.zone if isinstance(self.zone, ScriptedZone) else ScriptedZone(self.zone)
        self.clock = LocalClock(self.base_clock, zone)
        self.timer = HandFiredTimer(self.clock)
        self.idle = ScriptedIdleWatch(self.clock, self.timer)
        self.slept = 0.0
        self._start_mono = self.clock.monotonic()
        self._segment_start: float | None = None
        self._away_start: float | None = None
        self._in_quiet = False
        self.at_desk = True
        self.app = App(
            state=AppState.begin(week_settings(self.quiet), self.clock.now()),
            clock=self.clock,
            outbox=self,
            timer=self.timer,
            history=StoreHistory(self.store),
            idle=self.idle if self.idle_aware else None,
        )
        self.app.start()
        self._open_segment()

    # -- the Outbox the App posts to ----------------------------------------------------------

    def dismiss(self, slot: str) -> None:
        pass  # nothing stays on screen here

    def post(self, notification: Notify) -> None:
        title = notification.title
        kinds = kinds_in_title(title)
        assert kinds, f"not a reminder: {title!r}"
        self.shown.append(Shown(self.true(), self.clock.now(), kinds))
        # What is shown is in the history already: a crash right after loses nothing seen.
        # (Looked up by time: after the clock is set back, it sorts before older events.)
        now = self.clock.now()
        last = [e for e in self.store.history(since=now) if e.at == now and e.kind == "reminder"][
            -1
        ]
        assert frozenset(ReminderKind(k) for k in (last.reminder or "").split(",")) == kinds

    # -- the script -------------------------------------------------------------------------

    def true(self) -> float:
        return self.clock.monotonic() - self._start_mono + self.slept

    def wall(self, day: int, hhmm: str) -> datetime:
        """``hhmm`` on the ``day``-th day after Monday, on the clock the App reads."""
        hour, minute = map(int, hhmm.split(":"))
        zone = self.script_zone or self.clock.offset_now()
        when = time(hour, minute)
        return datetime.combine(self.first_day + timedelta(days=day), when, tzinfo=zone)

    def run_to(self, day: int, hhmm: str) -> None:
        target = self.wall(day, hhmm)
        assert target >= self.clock.now(), f"the script runs backwards at day {day} {hhmm}"
        self.timer.run_until(target)

    def work_until(self, day: int, hhmm: str) -> None:
        """Sit down (if away) and type until then."""
        if not self.at_desk:
            self.idle.last_input = None
            self.at_desk = True
            assert self._away_start is not None
            self.away.append((self._away_start, self.true()))
            self._away_start = None
            self._open_segment()
        self.run_to(day, hhmm)

    def leave_until(self, day: int, hhmm: str) -> None:
        """Stop typing now and stay away until then (the laptop stays on)."""
        self._leave()
        self.run_to(day, hhmm)

    def suspend_until(self, day: int, hhmm: str, *, at_desk_on_wake: bool = False) -> None:
        """Shut the lid now; open it then, and either type at once or walk off for a while."""
        if self.at_desk:
            self._leave()
        target = self.wall(day, hhmm)
        asleep = target - self.clock.now()
        self.slept += asleep.total_seconds()
        self.clock.jump(asleep)  # CLOCK_MONOTONIC stands still while the machine sleeps
        self.wakes.append(self.true())
        self.idle.last_input = self.clock.now()  # opening the lid is input
        if at_desk_on_wake:
            self.work_until(day, hhmm)

    def set_clock(self, span: timedelta) -> None:
        """The user (or NTP stepping a wrong clock) moves the wall clock; no time passes.

        With ``clock_watch``, the App hears of it at once, as the Linux timerfd watch
        (adapters/clock_watch.py) tells it; without, only at its next timer.
        """
        self.clock.jump(span)
        if self.clock_watch:
            self.app.clock_changed()

    def dst(self, zone: timezone) -> None:
        """A daylight-saving change now: the local offset changes, the instant runs on."""
        self.clock.zone.change(self.base_clock.now(), zone)

    def new_stretch(self) -> None:
        """The App took what just happened for a break: a new stretch at the desk begins."""
        self._close_segment()
        self._open_segment()

    def quiet_hours_begin(self) -> None:
        """Quiet hours began (the script says when): time at the desk stops counting."""
        self._in_quiet = True
        self._close_segment()

    def quiet_hours_end(self) -> None:
        self._in_quiet = False
        self._open_segment()

    def _leave(self) -> None:
        assert self.at_desk
        self.idle.last_input = self.clock.now()
        self.at_desk = False
        self._away_start = self.true()
        self._close_segment()

    def _open_segment(self) -> None:
        if self.at_desk and not self._in_quiet:
            self._segment_start = self.true()
            self._segment_day = self.clock.now().date()

    def _close_segment(self) -> None:
        if self._segment_start is not None:
            self.segments.append(Segment(self._segment_start, self.true(), self._segment_day))
            self._segment_start = None

    # -- what the config says should have happened ---------------------------------------------

    def reminders_of(self, kind: ReminderKind) -> list[Shown]:
        return [shown for shown in self.shown if kind in shown.kinds]

    def expected_per_day(self) -> Counter[tuple[date, ReminderKind]]:
        expected: Counter[tuple[date, ReminderKind]] = Counter()
        for segment in self.segments:
            for kind, every in INTERVALS.items():
                expected[segment.day, kind] += int(
                    (segment.end - segment.start) // every.total_seconds()
                )
        return expected

    def shown_per_day(self) -> Counter[tuple[date, ReminderKind]]:
        return Counter((shown.at.date(), kind) for shown in self.shown for kind in shown.kinds)

    def check(self, *, late_by: timedelta = timedelta(0)) -> None:
        """Every assertion of the module docstring.

        ``late_by``: how much later than its interval a reminder may come (a known delay);
        with it, the counts per day are not checked.
        """
        self._close_segment()
        assert self.shown, "no reminder at all"
        if not late_by:
            self._check_counts()
        self._check_spacing(late_by)
        self._check_silences()

    def _check_counts(self) -> None:
        expected, got = self.expected_per_day(), self.shown_per_day()
        for key in sorted(expected.keys() | got.keys()):
            assert abs(got[key] - expected[key]) <= 1, (
                f"{key[0]:%a %d %b} {key[1]}: {got[key]} reminders, the config says "
                f"{expected[key]}\n{self.describe()}"
            )

    def _check_spacing(self, late_by: timedelta) -> None:
        window = MERGE_WINDOW.total_seconds()
        gaps = [b.true - a.true for a, b in itertools.pairwise(self.shown)]
        assert min(gaps) >= window, f"a burst: two notifications {min(gaps):.0f} s apart"
        for kind, every in INTERVALS.items():
            times = [shown.true for shown in self.reminders_of(kind)]
            for a, b in itertools.pairwise(times):
                assert b - a >= every.total_seconds() - window, (
                    f"{kind} {b - a:.0f} s after the previous one, interval {every}"
                )
                if self._same_segment(a, b):
                    assert b - a <= (every + late_by).total_seconds(), (
                        f"{kind} drifted: {b - a:.0f} s apart inside one stretch at the desk"
                    )
            for segment in self.segments:
                inside = [t for t in times if segment.start <= t <= segment.end]
                limit = segment.start + (every + PRESENCE_DELAY + late_by).total_seconds()
                if segment.end >= limit:
                    assert inside, f"no {kind} in {self._where(segment)}"
                    assert inside[0] <= limit, (
                        f"first {kind} {inside[0] - segment.start:.0f} s into "
                        f"{self._where(segment)}; interval {every}"
                    )

    def _check_silences(self) -> None:
        after_wake = (min(INTERVALS.values()) - MERGE_WINDOW).total_seconds()
        for shown in self.shown:
            for start, end in self.away:
                assert not start + NATURAL_BREAK.total_seconds() <= shown.true < end, (
                    f"a reminder while away: {shown}"
                )
            for wake in self.wakes:
                assert not wake <= shown.true < wake + after_wake, (
                    f"a reminder right after a wake: {shown}"
                )
            if self.quiet is not None:
                assert not self.quiet.contains(shown.at.timetz().replace(tzinfo=None)), (
                    f"a reminder in quiet hours: {shown}"
                )

    def _same_segment(self, a: float, b: float) -> bool:
        return any(s.start <= a and b <= s.end for s in self.segments)

    def _where(self, segment: Segment) -> str:
        return f"the stretch of {segment.day:%a} from {segment.start:.0f} s to {segment.end:.0f} s"

    def describe(self) -> str:
        return "\n".join(
            f"  {s.at:%a %H:%M:%S%z} ({s.true:.0f} s) {' + '.join(sorted(s.kinds))}"
            for s in self.shown
        )


# -- the weeks ---------------------------------------------------------------------------------


def office_day(
    week: Week, day: int, *, suspend_to: tuple[int, str] | None, lunch: bool = True
) -> None:
    """09:00-12:30 at the desk, lunch away until 13:15, work until 17:30, lid shut at 18:00."""
    if lunch:
        week.work_until(day, "12:30")
        week.leave_until(day, "13:15")
    week.work_until(day, "17:30")
    week.leave_until(day, "18:00")
    if suspend_to is not None:
        week.suspend_until(*suspend_to)


def arrive(week: Week, day: int) -> None:
    """The laptop woke at 08:45; the person gets coffee and sits down at 09:00."""
    week.run_to(day, "09:00")


@pytest.fixture
def week_store(tmp_path: Path) -> Iterator[Store]:
    opened, _ = Store.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


@pytest.mark.parametrize("dst", [False, True], ids=["no-dst", "dst-on-thursday"])
def test_an_office_week_gets_what_the_config_says(
    clock: FakeClock, week_store: Store, dst: bool
) -> None:
    week = Week(clock, week_store)
    # Monday: the app starts at 09:00 with the person at the desk.
    office_day(week, 0, suspend_to=(1, "08:45"))
    # Tuesday: typing the moment the lid opens: the first reminder is an interval later.
    week.work_until(1, "08:45")
    office_day(week, 1, suspend_to=(2, "08:45"))
    # Wednesday: an ordinary day.
    arrive(week, 2)
    office_day(week, 2, suspend_to=(3, "08:45"))
    # Thursday: a daylight-saving change at 11:00 (+01:00 to +02:00: the wall clock reads
    # 12:00, lunch comes an hour sooner), and at 15:00 the clock is set forward an hour by
    # hand, which the App cannot tell from a suspend: it counts as a break.
    arrive(week, 3)
    week.work_until(3, "11:00")
    if dst:
        week.dst(CEST)
    week.work_until(3, "12:30")
    week.leave_until(3, "13:15")
    week.work_until(3, "15:00")
    week.set_clock(HOUR)
    week.new_stretch()
    office_day(week, 3, suspend_to=(4, "08:45"), lunch=False)
    # Friday, then the weekend with the lid shut, then Monday.
    arrive(week, 4)
    office_day(week, 4, suspend_to=(7, "08:45"))
    arrive(week, 7)
    office_day(week, 7, suspend_to=None)
    week.check()
    assert {shown.at.date() for shown in week.shown} == {
        MONDAY + timedelta(days=d) for d in (0, 1, 2, 3, 4, 7)
    }


@pytest.mark.parametrize("dst", [False, True], ids=["no-dst", "dst-on-friday-night"])
def test_quiet_hours_hold_through_late_work_and_a_night_left_on(
    clock: FakeClock, week_store: Store, dst: bool
) -> None:
    week = Week(clock, week_store, quiet=QUIET)
    office_day(week, 0, suspend_to=(1, "08:45"))
    # Tuesday: working late, into quiet hours, then the lid shut at 20:00.
    arrive(week, 1)
    week.work_until(1, "12:30")
    week.leave_until(1, "13:15")
    week.work_until(1, "18:00")
    week.quiet_hours_begin()
    week.work_until(1, "19:30")
    week.leave_until(1, "20:00")
    week.suspend_until(2, "08:45")
    week.quiet_hours_end()
    arrive(week, 2)
    office_day(week, 2, suspend_to=(3, "08:45"))
    # Thursday night the laptop stays on; Friday the person is back at 07:30, in quiet hours.
    arrive(week, 3)
    week.work_until(3, "12:30")
    week.leave_until(3, "13:15")
    week.work_until(3, "17:30")
    week.leave_until(3, "18:00")
    week.quiet_hours_begin()
    if dst:
        week.run_to(4, "02:00")
        week.dst(CEST)
    week.run_to(4, "07:30")
    week.work_until(4, "08:00")
    week.quiet_hours_end()
    office_day(week, 4, suspend_to=(7, "08:45"))
    arrive(week, 7)
    office_day(week, 7, suspend_to=None)
    week.check()
    late = [s for s in week.shown if s.at.date() == MONDAY + timedelta(days=4)]
    assert time(8, 0) <= late[0].at.time() <= time(8, 21), week.describe()


def test_a_dst_change_is_a_no_op(clock: FakeClock, week_store: Store, tmp_path: Path) -> None:
    """The same instants with and without an offset change: the same reminders, at the same
    instants, and no suspend or break made up out of it."""

    def play(base: FakeClock, store: Store, dst: bool) -> Week:
        week = Week(base, store, script_zone=CET)  # the script in instants, not wall times
        week.work_until(0, "11:00")
        if dst:
            week.dst(CEST)
        office_day(week, 0, suspend_to=(1, "08:45"))
        arrive(week, 1)
        office_day(week, 1, suspend_to=None)
        week.check()
        return week

    plain_store, _ = Store.open(tmp_path / "plain.sqlite3")
    try:
        plain = play(type(clock)(), plain_store, dst=False)
        plain_history = plain_store.history()
    finally:
        plain_store.close()
    changed = play(clock, week_store, dst=True)
    changed_history = week_store.history()

    assert [(s.true, s.at, s.kinds) for s in changed.shown] == [
        (s.true, s.at, s.kinds) for s in plain.shown
    ]  # datetimes compare as instants
    assert any(s.at.utcoffset() == CEST.utcoffset(None) for s in changed.shown)
    assert [(e.at, e.kind, e.reminder, e.detail) for e in changed_history] == [
        (e.at, e.kind, e.reminder, e.detail) for e in plain_history
    ]
    assert [e.kind for e in changed_history].count(HistoryKind.SUSPEND) == 1  # Monday night's


# Europe's autumn change of 2026: Sunday 25 October, 03:00 +02:00 becomes 02:00 +01:00.
AUTUMN_2026 = ((datetime(2026, 10, 25, 1, 0, tzinfo=UTC), CET),)


def test_quiet_hours_keep_to_local_time_across_a_dst_change(
    clock: FakeClock, week_store: Store
) -> None:
    """Autumn: 03:00 +02:00 becomes 02:00 +01:00 on Sunday 2026-10-25, with the computer on
    all weekend and no idle monitor (a Wayland desktop without one, say): no timer restarts
    between Saturday's last reminder and Sunday morning. Sunday's end of quiet hours is read
    in the offset in force then, +01:00, not in the +02:00 of the timers' start."""
    base = type(clock)(start=datetime(2026, 10, 23, 9, 0, tzinfo=CEST))
    zone = ScriptedZone(CEST, AUTUMN_2026)
    week = Week(
        base, week_store, quiet=QUIET, idle_aware=False, first_day=date(2026, 10, 23), zone=zone
    )
    for day in range(3):  # Friday, Saturday, Sunday
        week.work_until(day, "18:00")
        week.quiet_hours_begin()
        if day == 1:
            week.work_until(2, "03:00")  # the script's clock reads 03:00 +02:00 ...
            assert week.clock.now().utcoffset() == CET.utcoffset(None)  # ... 02:00 +01:00
        week.work_until(day + 1, "08:00")
        week.quiet_hours_end()
    week.work_until(3, "12:00")
    week.check()
    for day in range(1, 4):
        first = next(s for s in week.shown if s.at.date() == date(2026, 10, 23 + day))
        assert time(8, 0) <= first.at.time() <= time(8, 46), week.describe()


def clock_set_back_day(week: Week) -> None:
    """Monday: at 10:00 the wall clock is set back an hour; the person keeps to the clock."""
    week.work_until(0, "10:00")
    week.set_clock(-HOUR)
    office_day(week, 0, suspend_to=(1, "08:45"))
    arrive(week, 1)
    office_day(week, 1, suspend_to=None)


def test_without_a_clock_watch_a_set_back_delays_reminders_by_at_most_the_change(
    clock: FakeClock, week_store: Store
) -> None:
    """Where nothing says the clock was set (Windows and macOS for now), every timer is
    armed at a wall-clock time, so after the clock goes back an hour nothing fires until
    the clock reads the old times again: an hour late, then on time, and never a burst."""
    week = Week(clock, week_store, clock_watch=False)
    clock_set_back_day(week)
    week.check(late_by=HOUR)
    tuesday = [s for s in week.shown if s.at.date() == MONDAY + timedelta(days=1)]
    assert tuesday
    assert Counter(kind for s in tuesday for kind in s.kinds) == {
        kind: n for (day, kind), n in week.expected_per_day().items() if day == tuesday[0].at.date()
    }


def test_a_clock_set_back_does_not_delay_reminders(clock: FakeClock, week_store: Store) -> None:
    """The OS says the clock went back an hour: the plan moves back with it, and every
    reminder still comes its interval after the last in true time."""
    week = Week(clock, week_store)
    clock_set_back_day(week)
    week.check()
    assert [e.kind for e in week_store.history()].count(HistoryKind.CLOCK_SET_BACK) == 1
