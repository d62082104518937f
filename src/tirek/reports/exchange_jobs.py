"""Imports of another country's regional exchange file, on the task queue (``tirek.ops``).

- The upload (or ``tirek reports import-exchange FILE``) is bounded before it is read
  (``exchange.MAX_BYTES``), stored as an ``ExchangeImportJob`` and queued on commit; the
  task carries only the job's id and ``tirek worker`` imports it.
- Idempotent: the import and the job's "done" are one transaction, so a job run again (a
  worker that died mid-job) never imports the file twice.
- A file the importer refuses fails the job with its reasons (no retry: another attempt
  would refuse it again), shown to the person who asked on the exchange page; any other
  error is retried with a limit, then fails the job, and the task's result keeps it for
  the administrator. The requester's role is checked again when the job runs.
- Tests (``TIREK_EXPORTS_EAGER``, on in tests) run the job at once, in the request.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tirek.accounts.models import User
from tirek.core import queue

from . import conf, exchange, permissions
from .models import ExchangeImportJob

logger = logging.getLogger(__name__)


def read_bounded(stream: IO[bytes]) -> bytes:
    """At most one byte more than allowed is read: a larger file is refused unread."""
    raw = stream.read(exchange.MAX_BYTES + 1)
    if len(raw) > exchange.MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    return raw


def request_import(*, user: User | None, raw: bytes, source_name: str = "") -> ExchangeImportJob:
    """Store the file and queue its import (on commit); in tests, import it at once."""
    if len(raw) > exchange.MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    job = ExchangeImportJob.objects.create(
        raw=raw, source_name=source_name[:200], requested_by=user
    )
    if conf.exports_eager():
        run_now(job.pk)
        job.refresh_from_db()
    else:
        queue.enqueue_on_commit(run_exchange_import, job.pk)
    return job


def run_now(job_id: int) -> None:
    try:
        run_exchange_import.call(job_id)
    except Exception:
        logger.info("exchange import %s did not complete in the caller", job_id)


def recent_jobs(user: User) -> dict[str, object]:
    """The person's own imports of the last week, newest first (no one else's), and
    whether one is still waiting (the page then polls)."""
    since = timezone.now() - timedelta(days=7)
    jobs = list(
        ExchangeImportJob.objects.filter(requested_by=user, requested_at__gte=since)
        .select_related("result")
        .defer("raw")[:5]
    )
    return {"jobs": jobs, "jobs_pending": any(job.is_pending for job in jobs)}


def _fail(job_id: int, problems: list[str]) -> None:
    ExchangeImportJob.objects.filter(pk=job_id).exclude(
        status=ExchangeImportJob.Status.DONE
    ).update(
        status=ExchangeImportJob.Status.FAILED,
        errors=[str(p)[:500] for p in problems][:50],
        finished_at=timezone.now(),
    )


def run(job_id: int) -> bool:
    """Import the job's file; False if it is finished already. Errors are raised."""
    claimed = ExchangeImportJob.objects.filter(
        pk=job_id,
        status__in=[ExchangeImportJob.Status.QUEUED, ExchangeImportJob.Status.RUNNING],
    ).update(status=ExchangeImportJob.Status.RUNNING)
    if not claimed:
        return False
    job = ExchangeImportJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by
    if user is not None and not (user.is_active and permissions.may_import_exchange(user)):
        raise PermissionDenied(_("Only M&E analysts import the regional exchange."))
    with transaction.atomic():
        item = exchange.exchange_import(user=user, raw=bytes(job.raw), source_name=job.source_name)
        ExchangeImportJob.objects.filter(pk=job_id).update(
            status=ExchangeImportJob.Status.DONE,
            result=item,
            raw=b"",  # the figures are in the import now
            errors=[],
            finished_at=timezone.now(),
        )
    return True


@task()
def run_exchange_import(job_id: int, attempt: int = 1) -> str:
    """The queued job: import, or record why not, or retry."""
    try:
        run(job_id)
    except ValidationError as exc:
        _fail(job_id, list(exc.messages))  # the file's problems, for the person who asked
    except PermissionDenied as exc:
        _fail(job_id, [str(exc)])
        raise
    except Exception as exc:
        if attempt < queue.MAX_ATTEMPTS:
            ExchangeImportJob.objects.filter(pk=job_id).update(
                status=ExchangeImportJob.Status.QUEUED
            )
            queue.retry_later(run_exchange_import, attempt, job_id)
        else:
            _fail(job_id, [_("The import failed; the administrator has the details.")])
        logger.error("exchange import %s failed: %s", job_id, type(exc).__name__)
        raise
    return ExchangeImportJob.objects.values_list("status", flat=True).get(pk=job_id)
