"""The retention pass on the task queue: ``tirek worker`` fires it once a day."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django_tasks import task

from tirek.core import queue

from . import services

logger = logging.getLogger(__name__)


@task()
def run_daily_pass() -> dict[str, int]:
    """Scheduled: list what falls due and propose batches; destroys nothing."""
    return services.daily_pass()


@task()
def carry_out_batch(batch_id: int, attempt: int = 1) -> str:
    """An approved destruction batch, run by ``tirek worker``. Idempotent (a batch done
    is skipped, so is a person anonymised already); a failure is retried
    (``tirek.core.queue.MAX_ATTEMPTS``), the last one is shown to the DPO on the batch."""
    try:
        if not services.batch_start(batch_id):
            return "skipped"
        return str(services.batch_carry_out(batch_id).status)
    except ObjectDoesNotExist:
        return "gone"
    except Exception as exc:
        logger.error("destruction batch %s: attempt %s failed", batch_id, attempt)
        retrying = attempt < queue.MAX_ATTEMPTS
        services.batch_failed(batch_id, exc, final=not retrying)
        if retrying:
            queue.retry_later(carry_out_batch, attempt, batch_id)
        raise
