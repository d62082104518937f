"""Retention benchmark: the daily pass and one approved anonymisation batch over N due
cases, each with a name in two spellings, name keys, an IIN and two notes encrypted under
the person's own data key (crypto-shredding: anonymisation destroys N keys).

    .venv/bin/python bench/bench_retention.py --cases 10000

The approval only queues the batch; the benchmark then runs the queued task itself (what
``tirek worker`` does), and times that as the anonymisation pass.

Builds a fresh SQLite database var/bench/retention.sqlite3 (or uses DATABASE_URL if it
names a database starting with tirek_bench). Prints seconds and the peak Python memory
(tracemalloc) of each step.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench" / "retention.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    elif "/tirek_bench" not in os.environ["DATABASE_URL"]:
        sys.exit("DATABASE_URL must name a database starting with tirek_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
    os.environ.setdefault("TIREK_DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from tirek.cases.models import Case, ContactNote
    from tirek.people.keys import refresh_keys
    from tirek.people.models import Person, PersonName
    from tirek.retention import services, tasks
    from tirek.retention.models import DestructionBatch, PersonKey
    from tirek.testing import build_world

    settings.TIREK_RETENTION = {"KZ": {"case_file": {"trigger": "closure", "years": 1}}}
    world = build_world()
    manager = world.staff("case-manager")
    dpo = world.staff("dpo")
    started = time.perf_counter()
    closed_at = timezone.make_aware(datetime(2020, 3, 1))
    building = transaction.atomic()  # one commit: the build is not what is measured
    building.__enter__()
    for i in range(args.cases):
        person = Person.objects.create(
            given_name=f"Амина{i}", family_name=f"Сейтова{i}", sex="female",
            birth_date=date(1990, 1, 1 + i % 28), iin=f"{900101400000 + i}",
        )  # fmt: skip
        PersonName.objects.create(person=person, kind="full", value=f"Seitova{i} Amina")
        refresh_keys(person)
        case = Case.objects.create(
            number=f"KZ-B-{i}", person=person, status="closed", case_manager=manager,
            supervising_unit=world.unit, region=world.karaganda, closed_at=closed_at,
        )  # fmt: skip
        ContactNote.objects.bulk_create(
            [
                ContactNote(case=case, kind="session", section="core", occurred_on=date(2019, 5, 1),
                            narrative=f"Встреча с Аминой {i}", author=manager)
                for _ in range(2)
            ]
        )  # fmt: skip
    building.__exit__(None, None, None)
    print(f"built {args.cases} due cases in {time.perf_counter() - started:.1f} s")
    queued: list[int] = []

    def approve() -> None:
        batch = DestructionBatch.objects.get(record_type="case_file", status="proposed")
        # The request's part: queue it (the task is enqueued on commit).
        with transaction.atomic():
            services.batch_approve(by=dpo, batch=batch)
        queued.append(batch.pk)

    def worker() -> None:
        assert tasks.carry_out_batch.call(queued[0]) == "done"

    for label, step in (
        ("daily pass", lambda: services.daily_pass()),
        ("approve (queues the batch)", approve),
        ("the queued task (anonymise, destroy the data keys)", worker),
    ):
        tracemalloc.start()
        started = time.perf_counter()
        step()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label}: {elapsed:.1f} s, peak Python memory {peak / 2**20:.1f} MiB, "
            f"process peak RSS so far {rss:.0f} MiB"
        )
    assert PersonKey.objects.filter(destroyed_at=None).count() == 0
    assert (
        not Person.objects.exclude(family_name="")
        .filter(family_name__startswith="Сейтова")
        .exists()
    )


if __name__ == "__main__":
    main()
