"""The worker's side of the queue: its heartbeat and taking up the jobs of a worker that
died. The helpers every job uses (enqueue on commit, retry with a limit) live in
``tirek.core.queue`` so that apps below ops can queue work."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tirek.core.queue import MAX_ATTEMPTS, enqueue_on_commit, retry_later
from tirek.settings import env_int

__all__ = ["MAX_ATTEMPTS", "enqueue_on_commit", "retry_later", "requeue_interrupted"]

logger = logging.getLogger("tirek.ops")
HEARTBEAT_SECONDS = min(5.0, env_int("TIREK_WORKER_DEAD_SECONDS", 60) / 3)
# A worker not seen for this long is taken for dead and its running jobs are run again.
DEAD_AFTER = timedelta(seconds=env_int("TIREK_WORKER_DEAD_SECONDS", 60))


def requeue_interrupted(now: Any = None) -> int:
    """Jobs left "running" by a worker that stopped (killed, machine restarted) go back to
    the queue; the jobs are idempotent, so running them again is safe. Returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = now or timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - DEAD_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    count = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        owner = result.worker_ids[-1] if result.worker_ids else ""
        if owner in alive:
            continue
        count += DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        logger.warning("job %s of a stopped worker queued again", result.pk)
    return count
