"""The DPO's e-mail about an emergency access goes through the task queue: queued on
commit (a rollback sends nothing), sent by the worker, retried with a limit when the mail
server fails, the failure kept in the task's result for the administrator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tirek.accounts.roles import Role
from tirek.cases.tests.factories import open_case
from tirek.ops.worker import TirekWorker
from tirek.privacy import services, tasks
from tirek.privacy.models import EmergencyAccess
from tirek.testing import World

REASON = "Ребёнок поступил в приёмный покой без сопровождения, нужны сведения о здоровье."


@pytest.fixture(autouse=True)
def database_queue(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("tirek.ops.worker.close_old_connections", lambda: None)
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DPO_NOTIFY_EMAIL = "dpo@example.org"


def dpo_jobs() -> Any:
    return DBTaskResult.objects.filter(task_path="tirek.privacy.tasks.notify_dpo")


def open_access(world: World, capture: Any) -> EmergencyAccess:
    case = open_case(world.staff(Role.CASE_MANAGER))
    user = world.staff(Role.SOCIAL_WORKER, agency=world.ngo, unit=None)
    with capture(execute=True):
        services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
    return EmergencyAccess.objects.get()


def test_the_worker_sends_it_not_the_request(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    access = open_access(world, django_capture_on_commit_callbacks)
    assert not mail.outbox  # the request did not wait for the mail server
    job = dpo_jobs().get()
    assert job.args_kwargs["args"] == [access.pk]  # an id, nothing about the case
    TirekWorker(interval=0).one_pass()
    (message,) = mail.outbox
    assert message.to == ["dpo@example.org"] and access.case.number in message.body
    assert access.case.person.family_name not in message.body
    assert dpo_jobs().get().status == TaskResultStatus.SUCCESSFUL


def test_a_rolled_back_access_queues_nothing(world: World, settings: Any) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    user = world.staff(Role.SOCIAL_WORKER, agency=world.ngo, unit=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
        raise RuntimeError
    assert not dpo_jobs().exists()


def test_no_mailbox_no_job(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DPO_NOTIFY_EMAIL = ""
    open_access(world, django_capture_on_commit_callbacks)
    assert not dpo_jobs().exists()


def test_a_mail_server_outage_is_retried_then_left_for_the_administrator(
    world: World, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    open_access(world, django_capture_on_commit_callbacks)

    def down(*args: Any, **kwargs: Any) -> int:
        raise OSError("mail server down")

    monkeypatch.setattr(tasks, "send_mail", down)
    worker = TirekWorker(interval=0)
    for _ in range(4):  # the worker runs each attempt once its pause is over
        dpo_jobs().update(run_after=timezone.now() - timedelta(seconds=1))
        worker.one_pass()
    failed = dpo_jobs().filter(status=TaskResultStatus.FAILED)
    attempts = sorted(j.args_kwargs["kwargs"].get("attempt", 1) for j in failed)
    assert attempts == [1, 2, 3] and dpo_jobs().count() == 3  # then no more
    assert all("OSError" in j.exception_class_path for j in failed)  # in the admin
    assert not mail.outbox
