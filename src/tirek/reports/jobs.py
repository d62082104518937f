"""A small, honest background runner for exports (there is no task queue in Tirek).

- A job is an ``Export`` row. Whoever runs it first *claims* it with one conditional
  UPDATE (status queued → running), which is atomic on SQLite and PostgreSQL alike, so two
  runners never make the same file.
- In the web process, ``dispatch`` (called by ``transaction.on_commit``) starts one daemon
  thread that drains the queue and ends; at most one such thread per process.
  Set ``TIREK_EXPORTS_IN_PROCESS=0`` to leave all jobs to the worker.
- In production, ``tirek reports run-exports`` is the worker loop; it also fails jobs left
  "running" by a process that died, removes expired files, and keeps the indicator
  snapshots of this year and the last fresh (``TIREK_REPORTS_REFRESH_SECONDS``).
- Tests (``TIREK_EXPORTS_EAGER``) run the job at once, in the request.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import close_old_connections, connection
from django.utils import timezone, translation

from tirek.settings import env_bool

from . import conf, exchange, outputs, permissions
from .cube import ROOT
from .models import Export
from .periods import Period

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(hours=1)
_thread_lock = threading.Lock()
_thread: threading.Thread | None = None


def in_process() -> bool:
    from django.conf import settings

    return bool(
        getattr(settings, "TIREK_EXPORTS_IN_PROCESS", env_bool("TIREK_EXPORTS_IN_PROCESS", True))
    )


def dispatch(export_id: int) -> None:
    """Run the export now (eager), in a thread, or leave it to the worker."""
    if conf.exports_eager():
        run(export_id)
    elif in_process():
        start_thread()


def start_thread() -> None:
    global _thread
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return  # the running thread picks the new job up before it ends
        _thread = threading.Thread(target=_drain_in_thread, name="tirek-exports", daemon=True)
        _thread.start()


def _drain_in_thread() -> None:
    try:
        drain()
    finally:
        connection.close()  # a thread's connection is its own; do not leak it


def drain(limit: int = 50) -> int:
    """Run queued jobs, oldest first, until none is left; returns how many ran."""
    done = 0
    for _ in range(limit):
        job = (
            Export.objects.filter(status=Export.Status.QUEUED).order_by("created_at", "id").first()
        )
        if job is None:
            break
        if run(job.pk):
            done += 1
    return done


def _progress(export_id: int, value: int) -> None:
    Export.objects.filter(pk=export_id).update(progress=max(1, min(int(value), 99)))


def run(export_id: int) -> bool:
    """Claim and run one job; False if someone else has it."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, started_at=timezone.now(), progress=1
    )
    if not claimed:
        return False
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    try:
        language = str(export.params.get("language") or "ru")
        with translation.override(language):
            content, filename = produce(export, lambda value: _progress(export_id, value))
        export.file.save(filename, ContentFile(content), save=False)
        now = timezone.now()
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.DONE,
            progress=100,
            file=export.file.name,
            filename=filename,
            finished_at=now,
            expires_at=now + timedelta(hours=conf.export_hours()),
        )
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error=str(exc)[:500],
            finished_at=timezone.now(),
            expires_at=timezone.now() + timedelta(hours=conf.export_hours()),
        )
    return True


def produce(export: Export, progress: Any) -> tuple[bytes, str]:
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


def fail_stale() -> int:
    """Jobs left "running" by a process that died will never finish: mark them failed."""
    return Export.objects.filter(
        status=Export.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER
    ).update(status=Export.Status.FAILED, error="interrupted", finished_at=timezone.now())


def purge_expired() -> int:
    """Delete expired exports and their files; returns how many."""
    count = 0
    for export in Export.objects.filter(expires_at__lte=timezone.now()).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count


def work_forever(interval: float = 1.0, once: bool = False) -> None:
    """The worker loop of ``tirek reports run-exports``."""
    import time

    from .registry import refresh

    last_purge = last_refresh = -1e9
    while True:
        if not once:
            close_old_connections()  # a long-lived worker must not keep a dead connection
        fail_stale()
        ran = drain()
        if time.monotonic() - last_purge > 600:
            purge_expired()
            last_purge = time.monotonic()
        every = conf.refresh_seconds()
        if every > 0 and not once and time.monotonic() - last_refresh > every:
            # Dashboards then read ready snapshots: nobody waits for a computation.
            try:
                refresh()
            except Exception:  # a failed refresh must not stop the exports
                logger.exception("indicator snapshots could not be refreshed")
            last_refresh = time.monotonic()
        if once:
            return
        if not ran:
            time.sleep(interval)
