"""Queueing helpers shared by every job: enqueue after commit, retry with a limit, and take
up jobs whose worker died.

The queue itself is django-tasks with its database backend (``django_tasks_db``); these
helpers add only the rules Tirek needs on top of it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from tirek.settings import env_int

logger = logging.getLogger("tirek.ops")
MAX_ATTEMPTS = 3
# The pause before attempt n+1: 30 s, 2 min, 8 min …
FIRST_PAUSE = timedelta(seconds=30)
HEARTBEAT_SECONDS = min(5.0, env_int("TIREK_WORKER_DEAD_SECONDS", 60) / 3)
# A worker not seen for this long is taken for dead and its running jobs are run again.
DEAD_AFTER = timedelta(seconds=env_int("TIREK_WORKER_DEAD_SECONDS", 60))


def enqueue_on_commit(job: Task[Any, Any], *args: Any) -> None:
    """Queue ``job(*args)`` when the current transaction commits; a rollback queues nothing."""
    transaction.on_commit(lambda: job.enqueue(*args))


def retry_later(job: Task[Any, Any], attempt: int, *args: Any) -> bool:
    """Queue attempt ``attempt + 1`` after a growing pause; False once the limit is reached."""
    if attempt >= MAX_ATTEMPTS:
        return False
    later = job
    if job.get_backend().supports_defer:
        later = job.using(run_after=timezone.now() + FIRST_PAUSE * 4 ** (attempt - 1))
    later.enqueue(*args, attempt=attempt + 1)
    logger.warning("job %s: attempt %s failed, retry queued", job.name, attempt)
    return True


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
