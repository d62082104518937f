"""Periodic work, fired by ``tirek worker``: each entry enqueues a task on the queue.

Daily work runs in the morning (local time); times are checked against ``now`` passed in,
so tests control the clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob

logger = logging.getLogger("tirek.ops")


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str
    every: timedelta


PERIODIC: tuple[Periodic, ...] = (
    Periodic("refresh-indicators", "tirek.reports.jobs.refresh_indicators", timedelta(minutes=5)),
    Periodic("purge-exports", "tirek.reports.jobs.purge_exports", timedelta(minutes=10)),
    Periodic("deadline-digest", "tirek.ops.digest.send_digests", timedelta(days=1)),
    Periodic("retention-pass", "tirek.retention.tasks.run_daily_pass", timedelta(days=1)),
    Periodic("audit-anchor", "tirek.audit.tasks.write_anchor", timedelta(days=1)),
)


def _first_run(entry: Periodic, now: datetime) -> datetime:
    # The daily digest goes out in the morning (local time), not whenever the worker started.
    if entry.every >= timedelta(days=1):
        local = timezone.localtime(now)
        morning = local.replace(hour=7, minute=0, second=0, microsecond=0)
        return morning if morning > local else morning + timedelta(days=1)
    return now


def _next_after(previous: datetime, every: timedelta, now: datetime) -> datetime:
    """The next slot after ``now`` on the entry's grid: runs missed while no worker was up
    are not made up one by one, and the digest keeps its morning hour."""
    later = previous + every
    if later <= now:
        later += every * ((now - later) // every + 1)
    return later


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job that is due; returns their names. Safe with several
    workers: each run is claimed by a conditional UPDATE of its row."""
    now = now or timezone.now()
    fired: list[str] = []
    for entry in PERIODIC:
        row, _created = ScheduledJob.objects.get_or_create(
            name=entry.name, defaults={"next_run_at": _first_run(entry, now)}
        )
        if row.next_run_at > now:
            continue
        claimed = ScheduledJob.objects.filter(name=entry.name, next_run_at=row.next_run_at).update(
            next_run_at=_next_after(row.next_run_at, entry.every, now), last_run_at=now
        )
        if claimed:
            import_string(entry.task_path).enqueue()
            fired.append(entry.name)
    if fired:
        logger.info("scheduled jobs queued: %s", ", ".join(fired))
    return fired
