"""The only module that imports APScheduler: one-shot jobs, re-armed whenever a plan changes.

Every job is a ``date`` job with a fixed id, so re-arming replaces it. The scheduler
thread then sleeps until the next job is due: no ticks while nothing is due.

Two APScheduler pitfalls are handled here. A ``date`` job that runs later than its
``misfire_grace_time`` (after a suspend, say) is silently dropped, never to run again;
we set no grace time so a late job always runs, and the app's plan decides what a late
reminder means. ``coalesce`` keeps one run however late.
"""

from __future__ import annotations

import logging
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

    def start(self) -> None:
        """Start the scheduler thread."""
        self._scheduler.start()

    def at(self, job_id: str, when: datetime, action: Callable[[], None]) -> None:
        """Run ``action`` at ``when``, replacing any job with the same id."""
        self._scheduler.add_job(
            _guarded,
            trigger="date",
            run_date=when,
            args=(job_id, action),
            id=job_id,
            replace_existing=True,
        )

    def cancel(self, job_id: str) -> None:
        """Drop the job ``job_id`` if it is armed."""
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def shutdown(self) -> None:
        """Stop the thread without waiting for jobs that have not started."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _guarded(job_id: str, action: Callable[[], None]) -> None:
    # A failing job must not take the schedule down with it: log it and carry on.
    try:
        action()
    except Exception:
        log.exception("job %s failed", job_id)
