"""The task queue for real: django-tasks' database backend and ``tirek worker``'s pass —
jobs queued on commit, retried with a limit, failures shown to the requester, jobs of a
dead worker taken up again without a second file, and the schedule with a set clock."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tirek.accounts.roles import Role
from tirek.ops import schedule
from tirek.ops.models import ScheduledJob
from tirek.ops.worker import Heartbeat, TirekWorker
from tirek.reports import jobs
from tirek.reports.models import Export
from tirek.testing import logged_in_client


@pytest.fixture(autouse=True)
def database_queue(settings, tmp_path, monkeypatch):
    """The production backend (jobs wait in the database for the worker), files in tmp.

    The worker drops stale connections between jobs; here the connection holds the test's
    transaction (rolled back at the end), so it must stay."""
    monkeypatch.setattr("tirek.ops.worker.close_old_connections", lambda: None)
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TIREK_EXPORTS_EAGER = False
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def ask_for_export(world, capture) -> tuple[Export, object]:
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    data = {"kind": "csv", "audience": "ministry", "year": 2024, "language": "en", "region": "*"}
    with capture(execute=True):
        assert client.post(reverse("reports:exports"), data).status_code == 302
    return Export.objects.latest("id"), client


def export_tasks():
    """The export's task results (the worker's pass also queues the periodic jobs)."""
    return DBTaskResult.objects.filter(task_path="tirek.reports.jobs.run_export")


def export_files(media: Path) -> list[Path]:
    return [path for path in (media / "exports").rglob("*") if path.is_file()]


def test_an_export_waits_in_the_queue_until_the_worker_makes_it(
    world, database_queue, django_capture_on_commit_callbacks
) -> None:
    export, client = ask_for_export(world, django_capture_on_commit_callbacks)
    waiting = export_tasks().get()
    assert waiting.status == TaskResultStatus.READY
    assert waiting.args_kwargs == {"args": [export.pk], "kwargs": {}}  # an id, nothing else
    assert Export.objects.get(pk=export.pk).status == Export.Status.QUEUED

    TirekWorker().one_pass()

    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.progress == 100
    assert export_tasks().get().status == TaskResultStatus.SUCCESSFUL
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert len(export_files(database_queue)) == 1


def test_nothing_is_queued_when_the_request_is_rolled_back(world) -> None:
    # No commit callback runs here: the request's transaction never committed.
    client = logged_in_client(world.staff(Role.ME_ANALYST))
    data = {"kind": "csv", "audience": "ministry", "year": 2024, "language": "en", "region": "*"}
    client.post(reverse("reports:exports"), data)
    assert not export_tasks().exists()


def test_a_job_of_a_dead_worker_is_run_again_and_leaves_one_file(
    world, database_queue, django_capture_on_commit_callbacks
) -> None:
    export, _client = ask_for_export(world, django_capture_on_commit_callbacks)
    # A worker claimed the job, started writing and was killed (no heartbeat any more).
    task = export_tasks().get()
    task.claim("killed-worker")
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=40)
    half = database_queue / Export.file.field.generate_filename(export, f"export-{export.pk}-x.csv")
    half.parent.mkdir(parents=True, exist_ok=True)

    TirekWorker().one_pass()

    export.refresh_from_db()
    task.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids[0] == "killed-worker" and len(task.worker_ids) == 2
    files = export_files(database_queue)
    assert len(files) == 1
    rows = list(csv.reader(io.StringIO(files[0].read_text(encoding="utf-8-sig"))))
    assert len(rows) > 1  # a whole file, not a stub


def test_a_file_half_written_by_an_interrupted_attempt_is_replaced(
    world, database_queue, django_capture_on_commit_callbacks
) -> None:
    export, _client = ask_for_export(world, django_capture_on_commit_callbacks)
    first = jobs.run(export.pk)
    assert first is True
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING)  # "interrupted"
    jobs.run(export.pk)
    assert len(export_files(database_queue)) == 1


def test_a_job_of_a_live_worker_is_left_alone(world, django_capture_on_commit_callbacks) -> None:
    ask_for_export(world, django_capture_on_commit_callbacks)
    task = export_tasks().get()
    task.claim("busy-worker")
    Heartbeat("busy-worker").beat()
    TirekWorker().one_pass()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_failing_job_is_retried_then_reported_to_the_requester(
    world, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def broken(export, progress):
        raise OSError("the disk is full")

    monkeypatch.setattr(jobs, "produce", broken)
    export, client = ask_for_export(world, django_capture_on_commit_callbacks)
    worker = TirekWorker()
    for attempt in (1, 2, 3):
        worker.one_pass()
        export.refresh_from_db()
        if attempt < 3:
            assert export.status == Export.Status.QUEUED  # the requester sees "waiting"
            retry = export_tasks().get(status=TaskResultStatus.READY)
            assert retry.run_after > timezone.now()  # after a pause, not at once
            assert retry.args_kwargs["kwargs"] == {"attempt": attempt + 1}
            DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())

    assert export.status == Export.Status.FAILED and "disk is full" in export.error
    failures = export_tasks().filter(status=TaskResultStatus.FAILED)
    assert failures.count() == 3  # each attempt, with its traceback, in the admin
    assert all("OSError" in failure.exception_class_path for failure in failures)
    worker.one_pass()
    assert export_tasks().count() == 3  # the limit holds: no fourth attempt
    page = client.get(reverse("reports:export", args=[export.pk])).content.decode()
    assert 'class="notice error"' in page  # "The export failed. Try again; …"


def test_the_administrator_sees_failed_jobs_in_the_admin(
    world, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(jobs, "produce", lambda export, progress: 1 / 0)
    ask_for_export(world, django_capture_on_commit_callbacks)
    TirekWorker().one_pass()
    administrator = logged_in_client(world.staff(Role.ADMIN))
    page = administrator.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200 and "run_export" in page.content.decode()
    analyst = logged_in_client(world.staff(Role.ME_ANALYST))
    assert analyst.get("/admin/django_tasks_database/dbtaskresult/").status_code in (302, 403)


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return timezone.make_aware(datetime(2026, 12, day, hour, minute))


def queued_names() -> list[str]:
    return sorted(
        p.rsplit(".", 1)[1] for p in DBTaskResult.objects.values_list("task_path", flat=True)
    )


def test_the_schedule_fires_each_job_once_per_period(db) -> None:
    assert schedule.tick(at(3)) == ["refresh-indicators", "purge-exports"]
    assert schedule.tick(at(3, 1)) == []  # a second worker (or pass) fires nothing again
    assert schedule.tick(at(3, 5)) == ["refresh-indicators"]
    assert schedule.tick(at(3, 10)) == ["refresh-indicators", "purge-exports"]
    daily = ["deadline-digest", "retention-pass", "audit-anchor"]
    assert schedule.tick(at(7)) == ["refresh-indicators", "purge-exports", *daily]
    assert schedule.tick(at(7, 1)) == []
    # The worker was down for a night: one run each, then the grid goes on.
    assert schedule.tick(at(9, 30, day=8)) == ["refresh-indicators", "purge-exports", *daily]
    digest = ScheduledJob.objects.get(name="deadline-digest")
    assert timezone.localtime(digest.next_run_at) == at(7, day=9)
    assert queued_names().count("send_digests") == 2
    assert queued_names().count("refresh_indicators") == 5
    assert queued_names().count("run_daily_pass") == 2
    assert queued_names().count("write_anchor") == 2


def test_the_daily_anchor_lands_in_its_folder_and_verifies(db, settings, tmp_path) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tirek.audit.models import Action
    from tirek.audit.services import record
    from tirek.audit.tasks import write_anchor

    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    record(actor="someone", action=Action.LOGIN_FAILED, object_type="accounts.user")
    path = write_anchor.call()
    assert path.startswith(str(tmp_path / "anchors"))
    out = StringIO()
    call_command("audit", "verify", "--anchor", path, stdout=out, stderr=StringIO())
    assert "1" in out.getvalue()


def test_the_daily_retention_pass_proposes_and_destroys_nothing(db) -> None:
    from tirek.retention.tasks import run_daily_pass

    assert isinstance(run_daily_pass.call(), dict)


def test_the_worker_runs_what_the_schedule_queues(db, tmp_path) -> None:
    TirekWorker().one_pass()
    done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert sorted(r.task_path for r in done) == [
        "tirek.reports.jobs.purge_exports",
        "tirek.reports.jobs.refresh_indicators",
    ]


def test_the_worker_stops_its_heartbeat_when_it_ends(db) -> None:
    from tirek.ops.models import WorkerHeartbeat

    beat = Heartbeat("w-1")
    beat.beat()
    assert WorkerHeartbeat.objects.filter(worker_id="w-1").exists()
    beat.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="w-1").exists()
