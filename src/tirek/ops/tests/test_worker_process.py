"""``tirek worker`` as a real process on the database queue: killed in the middle of an
export, then started again, it makes the file once — not lost, not twice — and a
SIGTERM lets the job in hand finish before the worker stops."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from tirek.accounts.roles import Role
from tirek.ops.tests.slow_jobs import slow_export
from tirek.reports.models import Export

SRC = Path(__file__).resolve().parents[3]
TASKS = "django_tasks_database_dbtaskresult"


def database_for_subprocess(tmp_path: Path) -> tuple[str, Callable[[str], list[tuple]]]:
    """A URL the worker process can open, and a way to read it from here."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "queue.sqlite3"
        source = sqlite3.connect(settings_dict["NAME"], uri=True)
        copy = sqlite3.connect(path)
        source.backup(copy)  # the committed test data, in a file both processes share
        copy.close()
        source.close()

        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(path, timeout=20) as db:
                return db.execute(sql).fetchall()

        return f"sqlite:///{path}", query

    def pg_query(sql: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    user, host = settings_dict["USER"], settings_dict["HOST"]
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}", pg_query


def start_worker(url: str, var: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATABASE_URL": url,
        "TIREK_VAR_DIR": str(var),
        "TIREK_DEBUG": "1",
        "TIREK_WORKER_DEAD_SECONDS": "2",
        "TIREK_LOG_FORMAT": "text",
    }
    env.pop("TIREK_TEST_DB_NAME", None)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tirek.cli", "worker", "--interval", "0.2", "--no-color"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_export_loses_nothing_and_makes_one_file(
    world, settings, tmp_path
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    analyst = world.staff(Role.ME_ANALYST)
    export = Export.objects.create(
        kind=Export.Kind.CSV,
        audience="ministry",
        params={"year": 2024, "region": "*", "language": "en"},
        requested_by=analyst,
    )
    slow_export.enqueue(export.pk)
    url, query = database_for_subprocess(tmp_path)
    job = f"SELECT status, worker_ids FROM {TASKS} WHERE task_path LIKE '%slow_export'"  # noqa: S608

    first = start_worker(url, tmp_path)
    try:
        wait_for(lambda: query(job)[0][0] == "RUNNING", 60, "the job to start")
        first.send_signal(signal.SIGKILL)  # no goodbye: the machine lost power
        first.wait(10)
    finally:
        first.kill()
    assert query(job)[0][0] == "RUNNING"
    assert query(f"SELECT status FROM reports_export WHERE id = {export.pk}")[0][0] != "done"  # noqa: S608

    time.sleep(2.5)  # the dead worker's heartbeat goes stale
    second = start_worker(url, tmp_path)
    try:
        wait_for(
            lambda: (
                query(f"SELECT status FROM reports_export WHERE id = {export.pk}")[0][0]  # noqa: S608
                == "done"
            ),
            90,
            "the export to be made",
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    finally:
        second.kill()

    rows = query(job)
    assert len(rows) == 1 and rows[0][0] == "SUCCESSFUL"  # the same job, taken up again
    files = [p for p in (tmp_path / "media" / "exports").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].stat().st_size > 0


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_job_in_hand_finish(world, settings, tmp_path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    analyst = world.staff(Role.ME_ANALYST)
    export = Export.objects.create(
        kind=Export.Kind.CSV,
        audience="ministry",
        params={"year": 2024, "region": "*", "language": "en"},
        requested_by=analyst,
    )
    slow_export.enqueue(export.pk, seconds=2.0)
    url, query = database_for_subprocess(tmp_path)
    worker = start_worker(url, tmp_path)
    try:
        wait_for(
            lambda: (
                query(f"SELECT status FROM reports_export WHERE id = {export.pk}")[0][0]  # noqa: S608
                == "running"
            ),
            60,
            "the job to start",
        )
        worker.send_signal(signal.SIGTERM)  # systemd stopping the service
        assert worker.wait(60) == 0
    finally:
        worker.kill()
    assert query(f"SELECT status FROM reports_export WHERE id = {export.pk}")[0][0] == "done"  # noqa: S608
