"""Export jobs and the reports' periodic work, on the task queue (``tirek.ops``).

- A job is an ``Export`` row; the queued task carries only its id. The task is enqueued
  after the request's transaction commits, and ``tirek worker`` runs it.
- Idempotent: the file's name is fixed by the export's id, so a job run again after an
  interrupted attempt (the worker stopped mid-job) replaces a half-written file instead
  of adding a second one; a finished export is never made again.
- A failure is retried (``tirek.core.queue.MAX_ATTEMPTS``, with a growing pause); the last
  one marks the export "failed" with its reason, which the requester sees on the export's
  page and the administrator in the admin's task results. A refusal (the requester lost
  the role meanwhile) is not retried.
- Tests (``TIREK_EXPORTS_EAGER``) run the job at once, in the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone, translation
from django_tasks import task

from tirek.core import queue
from tirek.core.exceptions import Refused

from . import conf, exchange, outputs, permissions
from .cube import ROOT
from .models import Export
from .periods import Period

logger = logging.getLogger(__name__)
# Mistakes that another attempt cannot mend.
PERMANENT = (PermissionDenied, Refused, ValueError)


@task()
def run_export(export_id: int, attempt: int = 1) -> str:
    """The queued export job: make the file, or retry, or record the failure."""
    try:
        run(export_id)
    except PERMANENT as exc:
        _fail(export_id, exc)
        raise
    except Exception as exc:
        if attempt < queue.MAX_ATTEMPTS:
            # Back in the queue first: the requester sees "waiting", not a failure.
            Export.objects.filter(pk=export_id).update(status=Export.Status.QUEUED, progress=0)
            queue.retry_later(run_export, attempt, export_id)
        else:
            _fail(export_id, exc)
        raise  # the task's own result records the error for the administrator
    return Export.objects.values_list("status", flat=True).get(pk=export_id)


def enqueue(export_id: int) -> None:
    """Queue the job once the caller's transaction commits (nothing runs for a rollback)."""
    queue.enqueue_on_commit(run_export, export_id)


def run_now(export_id: int) -> None:
    """Run the job in the caller (tests, ``TIREK_EXPORTS_EAGER``); a failure is recorded on
    the export, as the worker would, and does not break the request."""
    try:
        run_export.call(export_id)
    except Exception:
        logger.info("export %s did not complete in the request", export_id)


def _progress(export_id: int, value: int) -> None:
    Export.objects.filter(pk=export_id).update(progress=max(1, min(int(value), 99)))


def _fail(export_id: int, exc: BaseException) -> None:
    logger.error("export %s failed: %s", export_id, type(exc).__name__)
    now = timezone.now()
    Export.objects.filter(pk=export_id).exclude(status=Export.Status.DONE).update(
        status=Export.Status.FAILED,
        error=(str(exc) or type(exc).__name__)[:500],
        finished_at=now,
        expires_at=now + timedelta(hours=conf.export_hours()),
    )


def run(export_id: int) -> bool:
    """Make the export's file; False if it is finished already (nothing to do).

    A job "running" here was interrupted (only one task per export is ever queued at a
    time), so it is taken up again. Errors are raised to the caller."""
    claimed = Export.objects.filter(
        Q(status=Export.Status.QUEUED) | Q(status=Export.Status.RUNNING), pk=export_id
    ).update(status=Export.Status.RUNNING, started_at=timezone.now(), progress=1)
    if not claimed:
        return False
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    language = str(export.params.get("language") or "ru")
    with translation.override(language):
        content, filename = produce(export, lambda value: _progress(export_id, value))
    stored = _store(export, filename, content)
    now = timezone.now()
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE,
        progress=100,
        file=stored,
        filename=filename,
        error="",
        finished_at=now,
        expires_at=now + timedelta(hours=conf.export_hours()),
    )
    return True


def _store(export: Export, filename: str, content: bytes) -> str:
    """Save under a name fixed by the export's id, replacing what an interrupted attempt
    left, so a job run twice leaves one file."""
    field = export.file.field
    name = field.generate_filename(export, f"export-{export.pk}-{filename}")
    if field.storage.exists(name):
        field.storage.delete(name)
    return field.storage.save(name, ContentFile(content))


def produce(export: Export, progress: Callable[[int], None]) -> tuple[bytes, str]:
    """The file's bytes and name. The requester's roles are checked again: they may have
    changed while the job waited."""
    user = export.requested_by
    permissions.require(user, export.audience)
    period = Period.parse(export.params.get("year"))
    region = str(export.params.get("region") or ROOT)
    stamp = f"{conf.country_code().lower()}-{period.year}"
    if export.kind == Export.Kind.EXCHANGE:
        data = exchange.build(period, progress)
        return exchange.to_bytes(data), f"tirek-exchange-{stamp}.json"
    report = outputs.collect(export.audience, user, period=period, region=region, progress=progress)
    name = f"tirek-{export.audience}-{stamp}"
    if export.kind == Export.Kind.CSV:
        return outputs.to_csv(report), f"{name}.csv"
    if export.kind == Export.Kind.XLSX:
        return outputs.to_xlsx(report), f"{name}.xlsx"
    return outputs.to_pdf(report, progress), f"tirek-donor-report-{stamp}.pdf"


def purge_expired() -> int:
    """Delete expired exports and their files; returns how many."""
    count = 0
    for export in Export.objects.filter(expires_at__lte=timezone.now()).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count


@task()
def purge_exports() -> int:
    """Scheduled: expired export files are removed (``TIREK_EXPORT_HOURS``)."""
    return purge_expired()


@task()
def refresh_indicators() -> int:
    """Scheduled: dashboards then read ready snapshots; nobody waits for a computation."""
    from .registry import refresh

    return int(refresh())
