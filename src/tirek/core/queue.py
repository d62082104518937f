"""Queueing helpers shared by every job: enqueue after commit, retry with a limit. (Taking
up the jobs of a worker that died is the worker's business: ``tirek.ops.queue``.)

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

logger = logging.getLogger("tirek.ops")
MAX_ATTEMPTS = 3
# The pause before attempt n+1: 30 s, 2 min, 8 min …
FIRST_PAUSE = timedelta(seconds=30)


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
