"""The only module that imports APScheduler: one-shot jobs, re-armed whenever a plan changes.

Every job is a ``date`` job with a fixed id, so re-arming replaces it. The scheduler
thread then sleeps until the next job is due: no ticks while nothing is due.

Two APScheduler pitfalls are handled here. A ``date`` job that runs later than its
``misfire_grace_time`` (after a suspend, say) is silently dropped, never to run again;
we set no grace time so a late job always runs, and the app's plan decides what a late
reminder means. ``coalesce`` keeps one run however late.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


class Timer:
    """Runs callbacks at given times on one background thread."""

    def __init__(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor  # noqa: PLC0415
        from apscheduler.schedulers.background import BackgroundScheduler  # noqa: PLC0415

        # One worker: callbacks never overlap, and the app's lock is never contended by us.
        self._scheduler: Any = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._lock = threading.Lock()
        self._armed: dict[str, tuple[datetime, Callable[[], None]]] = {}

    def start(self) -> None:
        """Start the scheduler thread."""
        self._scheduler.start()

    def at(self, job_id: str, when: datetime, action: Callable[[], None]) -> None:
        """Run ``action`` at ``when``, replacing any job with the same id."""
        with self._lock:
            # Re-arming a job for the time it already has would still wake the scheduler
            # thread; the app re-arms everything after each event, so skip the no-ops.
            if self._armed.get(job_id) == (when, action):
                return
            self._armed[job_id] = (when, action)
            self._scheduler.add_job(
                self._run,
                trigger="date",
                run_date=when,
                args=(job_id, when, action),
                id=job_id,
                replace_existing=True,
            )

    def cancel(self, job_id: str) -> None:
        """Drop the job ``job_id`` if it is armed."""
        from apscheduler.jobstores.base import JobLookupError  # noqa: PLC0415

        with self._lock:
            if self._armed.pop(job_id, None) is None:
                return
            try:
                self._scheduler.remove_job(job_id)
            except JobLookupError:
                # Its time came while we were deciding: APScheduler has already run it and
                # dropped it, and our ``_run`` has not yet said so. Nothing left to cancel.
                log.debug("job %s had already run", job_id)

    def shutdown(self) -> None:
        """Stop the thread without waiting for jobs that have not started."""
        if not self._scheduler.running:
            return
        # APScheduler marks itself stopped before taking its job-store lock; if its thread
        # is at that moment finishing a date job, its remove_job() then fails and the
        # thread dies with a traceback. So: pause (no new pass over the jobs starts), wait
        # for a pass in progress by taking that lock once (private, hence the fallback),
        # and only then shut down, outside the lock, as shutdown joins the thread.
        # APScheduler offers no public way to wait for that pass; the 3.x line (pinned in
        # pyproject.toml) has kept this lock since 3.0, and without it we only log noise.
        self._scheduler.pause()
        with getattr(self._scheduler, "_jobstores_lock", None) or contextlib.nullcontext():
            pass
        self._scheduler.shutdown(wait=False)

    def _run(self, job_id: str, when: datetime, action: Callable[[], None]) -> None:
        with self._lock:
            # A date job runs once and APScheduler drops it; forget it unless it was re-armed
            # for another time meanwhile (that one is still to come).
            if self._armed.get(job_id) == (when, action):
                del self._armed[job_id]
        # A failing job must not take the schedule down with it: log it and carry on.
        try:
            action()
        except Exception:
            log.exception("job %s failed", job_id)
