"""The regional exchange import on the task queue: the upload (or the command) is bounded,
stored as a job and queued on commit; the worker imports it once; a refused file or a
failure is shown to the person who asked, and to no one else."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.ops.worker import TirekWorker
from tirek.reports import exchange, exchange_jobs
from tirek.reports.models import ExchangeImport, ExchangeImportJob
from tirek.testing import World, logged_in_client

from .test_exchange import broken, good


@pytest.fixture(autouse=True)
def database_queue(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("tirek.ops.worker.close_old_connections", lambda: None)
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TIREK_EXPORTS_EAGER = False


def import_jobs() -> Any:
    return DBTaskResult.objects.filter(task_path="tirek.reports.exchange_jobs.run_exchange_import")


def upload(client: Any, data: Any, capture: Any, name: str = "uz.json") -> Any:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with capture(execute=True):
        return client.post(
            reverse("reports:exchange"),
            {"file": SimpleUploadedFile(name, raw, "application/json")},
        )


def jobs_fragment(client: Any) -> str:
    return client.get(reverse("reports:exchange"), {"jobs": 1}).content.decode()


def test_an_upload_waits_for_the_worker_which_imports_it_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    analyst = world.staff(Role.ME_ANALYST)
    client = logged_in_client(analyst)
    assert upload(client, good(), django_capture_on_commit_callbacks).status_code == 302
    assert not ExchangeImport.objects.exists()  # not in the request
    job = ExchangeImportJob.objects.get()
    assert import_jobs().get().args_kwargs["args"] == [job.pk]  # an id only
    waiting = client.get(reverse("reports:exchange")).content.decode()
    assert 'data-testid="exchange-job-queued"' in waiting and 'hx-trigger="every 3s"' in waiting

    TirekWorker(interval=0).one_pass()
    item = ExchangeImport.objects.get()
    assert item.country == "UZ" and item.imported_by == analyst
    assert AuditEntry.objects.filter(
        action=Action.CREATE, object_id=str(item.pk), actor=analyst
    ).exists()
    job.refresh_from_db()
    assert job.status == ExchangeImportJob.Status.DONE and job.result == item
    assert bytes(job.raw) == b""  # the file is not kept once imported
    fragment = jobs_fragment(client)
    assert 'data-testid="exchange-job-done"' in fragment and "every 3s" not in fragment

    # Run again (a worker that died after the import committed): nothing imported twice.
    assert exchange_jobs.run_exchange_import.call(job.pk) == ExchangeImportJob.Status.DONE
    assert ExchangeImport.objects.count() == 1


def test_a_refused_file_shows_its_reasons_to_the_requester_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    bad = broken(lambda d: d["indicators"][2]["cells"][0].update(value=2))  # a small cell
    assert upload(client, bad, django_capture_on_commit_callbacks).status_code == 302
    TirekWorker(interval=0).one_pass()
    job = ExchangeImportJob.objects.get()
    assert job.status == ExchangeImportJob.Status.FAILED and job.errors
    assert not ExchangeImport.objects.exists()
    assert import_jobs().get().status == TaskResultStatus.SUCCESSFUL  # no retry of a bad file
    fragment = jobs_fragment(client)
    assert 'data-testid="exchange-job-failed"' in fragment
    assert job.errors[0] in fragment
    other = logged_in_client(world.staff(Role.ME_ANALYST))
    assert 'data-testid="exchange-job-' not in jobs_fragment(other)
    # Who may not import sees no jobs either: the page is refused.
    assert (
        logged_in_client(world.staff(Role.SUPERVISOR))
        .get(reverse("reports:exchange"), {"jobs": 1})
        .status_code
        == 403
    )


def test_a_file_over_the_limit_is_refused_unread_and_queues_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    response = upload(client, b" " * (exchange.MAX_BYTES + 1), django_capture_on_commit_callbacks)
    assert response.status_code == 422
    assert not ExchangeImportJob.objects.exists() and not import_jobs().exists()


def test_a_failure_is_retried_then_shown_and_the_administrator_has_it(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    upload(client, good(), django_capture_on_commit_callbacks)

    def database_trouble(**kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(exchange, "exchange_import", database_trouble)
    worker = TirekWorker(interval=0)
    for attempt in (1, 2, 3):
        import_jobs().update(run_after=timezone.now() - timedelta(seconds=1))
        worker.one_pass()
        expected = "failed" if attempt == 3 else "queued"
        assert f'data-testid="exchange-job-{expected}"' in jobs_fragment(client), attempt
    assert import_jobs().filter(status=TaskResultStatus.FAILED).count() == 3
    assert import_jobs().count() == 3


def test_the_requester_who_lost_the_role_meanwhile_imports_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    analyst = world.staff(Role.ME_ANALYST)
    upload(logged_in_client(analyst), good(), django_capture_on_commit_callbacks)
    analyst.is_active = False
    analyst.save()
    TirekWorker(interval=0).one_pass()
    assert ExchangeImportJob.objects.get().status == ExchangeImportJob.Status.FAILED
    assert not ExchangeImport.objects.exists()


def test_the_command_queues_the_file_or_imports_it_now(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "uz-2024.json"
    path.write_text(json.dumps(good()), encoding="utf-8")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reports", "import-exchange", str(path), stdout=out)
    assert "Queued as import job" in out.getvalue() and not ExchangeImport.objects.exists()
    TirekWorker(interval=0).one_pass()
    assert ExchangeImport.objects.get().country == "UZ"
    call_command("reports", "import-exchange", str(path), "--now", stdout=out)
    assert ExchangeImport.objects.count() == 2
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (exchange.MAX_BYTES + 1))
    with pytest.raises(CommandError):
        call_command("reports", "import-exchange", str(big))
    assert ExchangeImportJob.objects.count() == 2
