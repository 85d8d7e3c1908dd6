"""The timed work: what is due now, in one list, without Qt.

A job is a name and ``run(now) -> summary``. Each one is idempotent and safe on several PCs
at once: it takes the rows it works on itself (on PostgreSQL with ``SELECT … FOR UPDATE SKIP
LOCKED``, so one PC takes a row and the others skip it; on SQLite each write transaction's
``BEGIN IMMEDIATE`` lets one PC through at a time), so running it twice, or on two PCs in
the same minute, does the work once.

One timer drives it: the main window calls :func:`run_due` every minute, in a background
operation, so the window never waits. Memberships' monthly dues are one of the jobs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.datetime], str]  # what it did, in a few words


@dataclass(frozen=True)
class JobResult:
    name: str
    summary: str
    failed: bool = False


def default_jobs() -> list[Job]:
    """The program's timed work, in the order it runs."""
    from ..billing import memberships  # the domains above, asked for by name
    from ..messaging import reminders, sending

    return [
        Job("reminders", reminders.queue_missing_reminders),
        Job("outbox", lambda now: sending.send_due(now).summary()),
        Job("membership dues", memberships.issue_due),
        Job("membership credits expiring", memberships.expire_credits),
    ]


def run_due(now: dt.datetime | None = None, jobs: list[Job] | None = None) -> list[JobResult]:
    """Run every job once for ``now``. A job that raises is reported and logged; the others
    still run."""
    now = now or dt.datetime.now()
    results = []
    for job in default_jobs() if jobs is None else jobs:
        try:
            results.append(JobResult(job.name, job.run(now)))
        except Exception as exc:  # one job's fault must not stop the others or the timer
            log.exception("timed job %s failed", job.name)
            results.append(JobResult(job.name, f"{type(exc).__name__}: {exc}", failed=True))
    return results
