"""Group arrival benchmark (issue #17): a 500-row group spreadsheet checked against the
people on file (the duplicate check on every row, the preview stored) and then committed
(people, relationships and cases in one transaction), on a generated data set.

    .venv/bin/python bench/bench_group_import.py                    # SQLite, 100000 people
    .venv/bin/python bench/bench_group_import.py --size 20000
    .venv/bin/python bench/bench_group_import.py --reuse            # keep the generated db
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_group \\
        .venv/bin/python bench/bench_group_import.py

The data comes from ``bench/generate.py`` (people with their name keys, cases, teams;
no notes: the import never reads them). The group: 500 rows in 100 families of five
(a head and four relatives), 20 of the rows people already on file (copied from the
database), so the preview has matches to decide; the commit links those and registers
the other 480 with their cases and relationships. Printed: seconds to the report and to
the commit, and the process's peak resident memory (with ``--tracemalloc``, also the
peak of Python allocations during each, at about twice the time).

Re-runnable: with ``--reuse`` the run first takes away what earlier runs registered
(their people, cases and family links; their audit entries stay, the chain intact) and
migrates the database to the code's schema, so every run starts from the generated data
set. The 20 known people are a fixed sample of the generated people (the same each run).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from generate import generate, prepare_database, setup_django  # noqa: E402

GIVEN = ["Амина", "Марьям", "Юсуф", "Ибрагим", "Сафия", "Хадиша", "Омар", "Билал", "Зайнаб"]
FAMILY = ["Тлеубердиева", "Сарсенбаева", "Жолдасбекова", "Каримова", "Ергалиева"]


def _csv(known: list[Any]) -> bytes:
    rng = random.Random(7)
    lines = ["family_group,relationship,family_name,given_name,sex,birth_date"]
    known_rows = iter(known)
    for f in range(100):
        surname = f"{rng.choice(FAMILY)}{f}"
        for i in range(5):
            relation = "head" if i == 0 else "child"
            row = f * 5 + i
            if row % 25 == 3:  # 20 rows: someone on file
                person = next(known_rows)
                lines.append(
                    f"G{f},{relation},{person.family_name},{person.given_name},"
                    f"{person.sex},{person.birth_date or ''}"
                )
                continue
            year = 1975 + rng.randrange(10) if i == 0 else 2005 + rng.randrange(15)
            given = f"{rng.choice(GIVEN)}{chr(0x430 + i)}"
            lines.append(f"G{f},{relation},{surname},{given},,{year}-0{1 + i}-1{i}")
    return "\n".join(lines).encode()


def _undo_earlier_runs() -> int:
    """Delete what earlier runs of this benchmark registered on a reused database."""
    from django.db import transaction

    from tirek.cases.models import Case
    from tirek.people.models import Person
    from tirek.transfers.models import GroupImport

    undone = 0
    with transaction.atomic():
        for imp in GroupImport.objects.all():
            result = imp.result or {}
            Case.objects.filter(pk__in=result.get("cases", [])).delete()
            undone += (
                Person.objects.filter(pk__in=result.get("created", []))
                .delete()[1]
                .get("people.Person", 0)
            )
        GroupImport.objects.all().delete()
    return undone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (slows both steps down about twofold)",
    )
    args = parser.parse_args()
    name = f"group-import-{args.size}"
    path = ROOT / "var" / "bench" / f"{name}.sqlite3"
    reuse = args.reuse and not os.environ.get("DATABASE_URL") and path.exists()
    if reuse:
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        label = f"SQLite {path.relative_to(ROOT)} (reused)"
    else:
        label = prepare_database(name)
    setup_django()
    if reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"undone from earlier runs: {_undo_earlier_runs()} people")
    else:
        started = time.perf_counter()
        generate(args.size, notes_per_case=0, audit_per_case=1)
        print(f"generated {args.size} in {time.perf_counter() - started:.0f} s")

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tirek.accounts.models import User
    from tirek.accounts.roles import Role
    from tirek.people.models import Person
    from tirek.transfers import services

    manager = (
        User.objects.filter(roles__role=Role.CASE_MANAGER, unit__isnull=False, is_active=True)
        .order_by("pk")
        .first()
    )
    assert manager is not None
    people_before = Person.objects.count()
    # A fixed sample of the generated people (earlier runs' are undone above).
    generated = Person.objects.filter(birth_date__isnull=False)
    ids = sorted(generated.values_list("pk", flat=True))
    known = list(generated.filter(pk__in=random.Random(11).sample(ids, 20)).order_by("pk"))
    upload = SimpleUploadedFile("group.csv", _csv(known), content_type="text/csv")

    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    imp = services.group_preview(manager, upload)
    report_s = time.perf_counter() - started
    _, report_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    to_decide = [r for r in imp.rows if services.needs_decision(r)]
    decisions = {}
    for row in to_decide:
        candidate = row["candidates"][0]
        if candidate["visible"]:
            decisions[row["row"]] = {"action": "link", "person": candidate["id"]}
        else:
            decisions[row["row"]] = {"action": "new", "reason": "Другой человек: бенчмарк"}
    started = time.perf_counter()
    result = services.group_commit(by=manager, imp=imp, decisions=decisions)
    commit_s = time.perf_counter() - started
    _, commit_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {label}; people on file before: {people_before}")
    print(f"rows: {len(imp.rows)}; to decide: {len(to_decide)}")
    traced = args.tracemalloc

    def peak(value: int) -> str:
        return f", peak Python allocations {value / 2**20:.0f} MB" if traced else ""

    print(f"report: {report_s:.1f} s{peak(report_peak)}")
    print(
        f"commit: {commit_s:.1f} s{peak(commit_peak)}; "
        f"created {len(result['created'])}, linked {len(result['linked'])}, "
        f"cases {len(result['cases'])}, relationships {result['relationships']}"
    )
    print(f"process peak resident memory: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
