"""Certificate PDFs through the task queue: queued when the certificate is issued (on
commit), made once by the worker and stored encrypted, served from the store; while not
ready the page says it is being prepared (htmx polls it); a failure is retried with a limit,
then shown to the holder, who can ask again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.ops.worker import TirekWorker
from tirek.testing import World, logged_in_client
from tirek.training import pdf, services, tasks
from tirek.training.models import Certificate, CertificatePdf

from .factories import attend, event, short_course


@pytest.fixture(autouse=True)
def database_queue(settings: Any, tmp_path: Path, monkeypatch: Any) -> Path:
    monkeypatch.setattr("tirek.ops.worker.close_old_connections", lambda: None)
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_jobs() -> Any:
    return DBTaskResult.objects.filter(task_path="tirek.training.tasks.render_certificate_pdf")


def issue(world: World, capture: Any) -> tuple[Any, Certificate]:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    learner = world.staff(Role.INTERVIEWER)
    participant = services.participant_add(
        by=coordinator, event=event(coordinator, short_course()), user=learner
    )
    attend(coordinator, participant, days=5, post=90)
    with capture(execute=True):
        (certificate,) = services.certificate_issue_for_participant(
            by=coordinator, participant=participant
        )
    return learner, certificate


def url(certificate: Certificate) -> str:
    return f"/training/certificates/{certificate.pk}/pdf/"


def test_the_pdf_is_made_by_the_worker_stored_encrypted_and_served(
    world: World, database_queue: Path, django_capture_on_commit_callbacks: Any
) -> None:
    learner, certificate = issue(world, django_capture_on_commit_callbacks)
    assert pdf_jobs().get().args_kwargs["args"] == [certificate.pk]  # an id only
    client = logged_in_client(learner)
    waiting = client.get(url(certificate))
    assert waiting.status_code == 200
    assert 'data-testid="certificate-pdf-pending"' in waiting.content.decode()
    assert 'hx-trigger="every 3s"' in waiting.content.decode()

    TirekWorker(interval=0).one_pass()
    (stored,) = (database_queue / "certificates").iterdir()
    assert b"%PDF" not in stored.read_bytes()  # encrypted at rest
    assert certificate.holder_name.encode() not in stored.read_bytes()
    fragment = client.get(url(certificate) + "?state=1").content.decode()
    assert 'data-testid="certificate-pdf-ready"' in fragment
    response = client.get(url(certificate))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and certificate.code.encode() in response.content
    assert AuditEntry.objects.filter(
        action=Action.EXPORT, object_id=str(certificate.pk), actor=learner
    ).exists()
    # Someone else's certificate: not found, whether ready or not.
    stranger = logged_in_client(world.staff(Role.INTERVIEWER))
    assert stranger.get(url(certificate)).status_code == 404
    assert stranger.get(url(certificate) + "?state=1").status_code == 404


def test_made_once_even_when_the_job_runs_again(
    world: World, database_queue: Path, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    learner, certificate = issue(world, django_capture_on_commit_callbacks)
    TirekWorker(interval=0).one_pass()
    calls: list[int] = []
    monkeypatch.setattr(pdf, "render", lambda *a: calls.append(1) or b"%PDF-again")
    assert tasks.render_certificate_pdf.call(certificate.pk) is False  # ready: nothing to do
    assert calls == []
    # A job interrupted mid-way (row still "queued", a half file): run again, one file.
    CertificatePdf.objects.update(status=CertificatePdf.Status.QUEUED)
    assert tasks.render_certificate_pdf.call(certificate.pk) is True
    assert len(list((database_queue / "certificates").iterdir())) == 1
    assert logged_in_client(learner).get(url(certificate)).content == b"%PDF-again"


def test_nothing_is_queued_when_issuing_is_rolled_back(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    participant = services.participant_add(
        by=coordinator, event=event(coordinator, short_course()), user=world.staff(Role.INTERVIEWER)
    )
    attend(coordinator, participant, days=5, post=90)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.certificate_issue_for_participant(by=coordinator, participant=participant)
        raise RuntimeError
    assert not pdf_jobs().exists() and not CertificatePdf.objects.exists()


def test_a_failure_is_retried_then_shown_to_the_holder_who_can_ask_again(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    learner, certificate = issue(world, django_capture_on_commit_callbacks)

    def broken(*args: Any) -> bytes:
        raise OSError("font file missing")

    monkeypatch.setattr(pdf, "render", broken)
    worker = TirekWorker(interval=0)
    client = logged_in_client(learner)
    for attempt in (1, 2, 3):
        pdf_jobs().update(run_after=timezone.now() - timedelta(seconds=1))
        worker.one_pass()
        page = client.get(url(certificate)).content.decode()
        expected = "failed" if attempt == 3 else "pending"
        assert f'data-testid="certificate-pdf-{expected}"' in page, attempt
    assert pdf_jobs().filter(status=TaskResultStatus.FAILED).count() == 3  # in the admin
    assert pdf_jobs().count() == 3  # no fourth attempt

    monkeypatch.setattr(pdf, "render", lambda *a: b"%PDF-fixed")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(certificate)).status_code == 302
    pdf_jobs().update(run_after=timezone.now() - timedelta(seconds=1))
    worker.one_pass()
    assert client.get(url(certificate)).content == b"%PDF-fixed"


def test_a_certificate_issued_before_the_queue_gets_its_pdf_on_first_visit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    learner, certificate = issue(world, django_capture_on_commit_callbacks)
    CertificatePdf.objects.all().delete()
    pdf_jobs().delete()
    client = logged_in_client(learner)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(url(certificate)).content.decode()
    assert 'data-testid="certificate-pdf-pending"' in page
    assert pdf_jobs().count() == 1
    TirekWorker(interval=0).one_pass()
    assert client.get(url(certificate)).content.startswith(b"%PDF")
