"""Operations: queue throughput, and backup / restore time and size.

    # queue: jobs per second through django-tasks' database queue and `tirek worker`'s pass
    .venv/bin/python bench/bench_ops.py queue --jobs 1000        # fresh var/bench/ops-queue.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_ops_queue \\
        .venv/bin/python bench/bench_ops.py queue --jobs 1000

    # certificate PDFs: issued certificates made into stored, encrypted PDFs by the worker
    .venv/bin/python bench/bench_ops.py certificates --jobs 50    # fresh ops-certificates.sqlite3

    # backup and restore of a database made by bench/generate.py (kept, not regenerated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_ops_100k \\
        .venv/bin/python bench/bench_ops.py backup
    DATABASE_URL=sqlite:///var/bench/cases-10000.sqlite3 .venv/bin/python bench/bench_ops.py backup

The restore goes into a new empty database beside the source (PostgreSQL
``<name>_restored``, SQLite ``<file>.restored``), and proves itself: every table's
checksum is compared with the manifest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from generate import ROOT, prepare_database, setup_django

sys.path.insert(0, str(ROOT / "bench"))


def bench_queue(jobs: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench_ops_tasks import noop
    from django_tasks_db.models import DBTaskResult

    from tirek.ops.worker import TirekWorker

    started = time.perf_counter()
    for number in range(jobs):
        noop.enqueue(number)
    enqueued = time.perf_counter() - started
    worker = TirekWorker()
    started = time.perf_counter()
    worker.tasks.run()  # one batch: every ready job, as `tirek worker` does between ticks
    ran = time.perf_counter() - started
    done = DBTaskResult.objects.filter(task_path="bench_ops_tasks.noop", status="SUCCESSFUL")
    assert done.count() == jobs, done.count()
    print(f"enqueue: {jobs / enqueued:,.0f} jobs/s ({enqueued:.1f} s for {jobs})")
    print(f"run:     {jobs / ran:,.0f} jobs/s ({ran:.1f} s for {jobs}, one worker)")


def bench_certificates(jobs: int) -> None:
    """Real jobs: render the certificate (fpdf2, QR code), encrypt, write; one worker."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    call_command("migrate", verbosity=0)
    from tirek.accounts.models import User
    from tirek.ops.worker import TirekWorker
    from tirek.training.models import Certificate, CertificatePdf, Course, CourseTranslation
    from tirek.training.services.certificates import _new_certificate

    settings.MEDIA_ROOT = tempfile.mkdtemp(dir=ROOT / "var")
    course = Course.objects.create(code="bench", competency="child-interviewing", pass_mark=50)
    CourseTranslation.objects.create(course=course, language="ru", title="Курс для замера")
    users = [User.objects.create(username=f"bench-learner-{n}") for n in range(jobs)]
    coordinator = User.objects.create(username="bench-coordinator")
    started = time.perf_counter()
    with transaction.atomic():  # as a coordinator issuing a whole event's certificates
        for user in users:
            _new_certificate(  # as certificate_issue_for_elearning calls it
                kind=Certificate.Kind.PARTICIPANT,
                course=course,
                user=user,
                holder_name=f"Участник {user.pk}",
                language="ru",
                issued_by=coordinator,
            )
    issued = time.perf_counter() - started
    worker = TirekWorker()
    started = time.perf_counter()
    worker.tasks.run()
    ran = time.perf_counter() - started
    ready = CertificatePdf.objects.filter(status=CertificatePdf.Status.READY).count()
    assert ready == jobs, ready
    assert (
        not DBTaskResult.objects.exclude(status="SUCCESSFUL")
        .filter(task_path="tirek.training.tasks.render_certificate_pdf")
        .exists()
    )
    print(f"issue + queue: {jobs / issued:,.0f} certificates/s ({issued:.1f} s for {jobs})")
    print(f"PDFs made:     {jobs / ran:,.1f} PDFs/s ({ran:.1f} s for {jobs}, one worker)")
    print(f"at {timezone.now():%Y-%m-%d %H:%M} UTC")


def bench_backup() -> None:
    from django.conf import settings
    from django.db import connection

    from tirek.ops import backup

    source = backup.Database.from_settings(settings.DATABASES["default"])
    connection.close()
    key = backup.backup_key_from(backup.new_key())
    if source.vendor == "sqlite":
        restored_name = source.name + ".restored"
        for stale in Path(source.name).parent.glob(Path(restored_name).name + "*"):
            stale.unlink()
        target = backup.Database(vendor="sqlite", name=restored_name)
    else:
        import psycopg

        target = backup.Database(**{**source.__dict__, "name": f"{source.name}_restored"})
        with psycopg.connect(
            dbname="postgres",
            user=source.user or "postgres",
            host=source.host or "127.0.0.1",
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{target.name}"')
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as tmp:
        folder = Path(tmp)
        archive = folder / "bench.tirekbackup"
        started = time.perf_counter()
        manifest = backup.backup(archive, db=source, media=Path(settings.MEDIA_ROOT), key=key)
        made = time.perf_counter() - started
        rows = sum(t["rows"] for t in manifest["tables"].values())
        cases = manifest["tables"].get("cases_case", {}).get("rows", 0)
        database_bytes = next(
            f["size"] for n, f in manifest["files"].items() if n.startswith("database/")
        )
        print(
            f"{source.vendor}: {cases:,} cases, {rows:,} rows in {len(manifest['tables'])} tables, "
            f"{len(manifest['files']) - 1} media files"
        )
        print(
            f"backup:  {made:.1f} s, archive {archive.stat().st_size / 1e6:.1f} MB "
            f"(database copy {database_bytes / 1e6:.1f} MB)"
        )
        started = time.perf_counter()
        backup.restore(archive, db=target, media=folder / "restored-media", key=key)
        print(f"restore: {time.perf_counter() - started:.1f} s (checksums of every table verified)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["queue", "certificates", "backup"])
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    if args.what == "queue":
        print(f"Database: {prepare_database('ops-queue')}")
        setup_django()
        bench_queue(args.jobs)
        return
    if args.what == "certificates":
        print(f"Database: {prepare_database('ops-certificates')}")
        setup_django()
        bench_certificates(args.jobs)
        return
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a database made by bench/generate.py.")
    setup_django()
    bench_backup()


if __name__ == "__main__":
    main()
