"""Indicator dashboards: the whole country and one region, on the 100k-case dataset.

    .venv/bin/python bench/bench_reports.py                       # SQLite, 100000 cases
    .venv/bin/python bench/bench_reports.py --size 100000 --reuse
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_reports \\
        .venv/bin/python bench/bench_reports.py --reuse

The database (SQLite var/bench/reports-<size>.sqlite3, or PostgreSQL ``<name>_<size>``,
names starting with tirek_bench) is filled by ``bench/generate.py`` (people, cases, teams,
notes, consents, audit rows) and then, here, with the case work the indicators count:
initial assessments on 80 % of cases (most within 72 hours), comprehensive ones on 60 %,
approved plans on 40 %, reviews on 20 %, two PSC-17 screenings with domain scores on
30 %, follow-ups after every closure, one to three referrals on 30 % of cases and one
to four interviews on 10 %. ``--reuse`` keeps a database prepared earlier.

Requests go through the whole stack with Django's test client, signed in as an M&E
analyst, for the complete year 2025:

- *cold*: no snapshot: every protected cube is computed from SQL during the request —
  what the worker (``tirek reports run-exports``) does every 5 minutes, and what a
  visitor waits for only when no worker runs;
- *from snapshots*: the cubes are read from the snapshot table and labelled — the first
  request of a web process, or after its in-process copy expired;
- *in process*: the labelled cubes are already in the process — every other request.

Figures are server-side milliseconds, median and p95 over ``--runs`` requests after a
warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MS = 300.0
MARKER = "bench-reports-v1"  # in the remarks of the first assessment: the data is in place


def _database_for(size: int, reuse: bool) -> tuple[str, bool]:
    from generate import prepare_database

    base = os.environ.get("DATABASE_URL", "")
    if base:
        import dj_database_url

        config = dj_database_url.parse(base)
        name = f"{config['NAME']}_{size}"
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
        if reuse and _pg_ready(os.environ["DATABASE_URL"]):
            return f"PostgreSQL {name} (reused)", False
        return prepare_database(), True
    path = ROOT / "var" / "bench" / f"reports-{size}.sqlite3"
    if reuse and path.exists():
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path.relative_to(ROOT)} (reused)", False
    return prepare_database(f"reports-{size}"), True


def _pg_ready(url: str) -> bool:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if not config["NAME"].startswith("tirek_bench"):
        raise SystemExit("PostgreSQL bench databases must start with tirek_bench.")
    try:
        with psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"] or "postgres",
            dbname=config["NAME"],
        ) as conn:
            row = conn.execute(
                "SELECT count(*) FROM assessments_assessment WHERE remarks = %s", [MARKER]
            ).fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def _bulk(model: Any, rows: Iterator[Any], label: str) -> list[Any]:
    from django.db import transaction
    from generate import batches

    made: list[Any] = []
    for chunk in batches(rows):
        with transaction.atomic():
            made.extend(model.objects.bulk_create(chunk, batch_size=2000))
    print(f"  {label}: {len(made)}", file=sys.stderr, flush=True)
    return made


def add_casework(seed: int = 7) -> None:
    """The rows the indicators count, in bulk (no services: speed, not realism of steps)."""
    from tirek.accounts.models import User
    from tirek.assessments.models import (
        Assessment,
        AssessmentStatus,
        DomainScore,
        InstrumentKind,
        InstrumentVersion,
    )
    from tirek.assessments.services import instruments_load
    from tirek.cases.models import Case, CaseStatus
    from tirek.interviews.models import Interview, InterviewKind, InterviewStatus, Matter
    from tirek.organisations.models import Agency
    from tirek.plans.models import Closure, FollowUp, Plan, PlanVersion, Review
    from tirek.referrals.models import Provider, Referral, ReferralStatus

    rnd = random.Random(seed)
    instruments_load()
    version = {
        kind: InstrumentVersion.objects.filter(instrument__kind=kind).order_by("id").first()
        for kind in (InstrumentKind.INITIAL, InstrumentKind.COMPREHENSIVE, InstrumentKind.SCREENING)
    }
    cases = list(
        Case.objects.values_list(
            "pk", "person_id", "case_manager_id", "region_id", "opened_at", "status", "closed_at"
        ).order_by("pk")
    )
    now = datetime.now(UTC)
    first = [True]

    def assessment(case: tuple[Any, ...], kind: InstrumentKind, at: datetime) -> Assessment:
        remarks = MARKER if first[0] else ""
        first[0] = False
        return Assessment(
            case_id=case[0],
            instrument_version=version[kind],
            kind=kind,
            status=AssessmentStatus.COMPLETED,
            assessed_on=at.date(),
            created_by_id=case[2],
            completed_by_id=case[2],
            completed_at=at,
            remarks=remarks,
        )

    def assessments() -> Iterator[Assessment]:
        for case in cases:
            opened = case[4]
            if rnd.random() < 0.8:
                yield assessment(
                    case,
                    InstrumentKind.INITIAL,
                    opened + timedelta(hours=rnd.choice([20, 48, 70, 100])),
                )
            if rnd.random() < 0.6:
                yield assessment(
                    case, InstrumentKind.COMPREHENSIVE, opened + timedelta(days=rnd.randint(10, 45))
                )

    _bulk(Assessment, assessments(), "initial and comprehensive assessments")

    screened = [c for c in cases if rnd.random() < 0.3]
    screenings = _bulk(
        Assessment,
        (
            assessment(c, InstrumentKind.SCREENING, c[4] + timedelta(days=days))
            for c in screened
            for days in (30, 150)
        ),
        "screenings",
    )
    domains = [("psc_internalising", 10), ("psc_attention", 10), ("psc_externalising", 14)]

    def scores() -> Iterator[DomainScore]:
        for s in screenings:
            parts = [(d, m, rnd.randint(0, m)) for d, m in domains]
            for domain, maximum, score in parts:
                yield DomainScore(
                    assessment_id=s.pk,
                    domain=domain,
                    score=score,
                    max_score=maximum,
                    answered=5,
                    severity="low",
                )
            yield DomainScore(
                assessment_id=s.pk,
                domain="psc_total",
                score=sum(p[2] for p in parts),
                max_score=34,
                answered=17,
                severity="low",
                is_total=True,
            )

    _bulk(DomainScore, scores(), "domain scores")

    planned = [c for c in cases if rnd.random() < 0.4]
    plans = _bulk(
        Plan,
        (
            Plan(
                case_id=c[0],
                status="approved",
                approved_number=1,
                first_approved_at=c[4] + timedelta(days=40),
                last_approved_at=c[4] + timedelta(days=40),
            )
            for c in planned
        ),
        "plans",
    )
    versions = _bulk(
        PlanVersion,
        (
            PlanVersion(
                plan_id=p.pk,
                number=1,
                snapshot={},
                approved_by_id=c[2],
                approved_at=c[4] + timedelta(days=40),
            )
            for p, c in zip(plans, planned, strict=True)
        ),
        "plan versions",
    )
    _bulk(
        Review,
        (
            Review(
                case_id=c[0],
                plan_version_id=v.pk,
                held_on=(c[4] + timedelta(days=rnd.randint(100, 400))).date(),
                child_views="—",
                decisions="—",
                next_review_on=(c[4] + timedelta(days=500)).date(),
                created_by_id=c[2],
            )
            for v, c in zip(versions, planned, strict=True)
            if rnd.random() < 0.5
        ),
        "reviews",
    )
    # The closed cases with the moment each closed (every closed case has one).
    closed = [(c, c[6]) for c in cases if c[5] == CaseStatus.CLOSED and c[6] is not None]
    closures = _bulk(
        Closure,
        (
            Closure(
                case_id=c[0],
                status="approved",
                reason="goals_achieved",
                requested_by_id=c[2],
                decided_at=closed_at,
            )
            for c, closed_at in closed
        ),
        "closures",
    )
    _bulk(
        FollowUp,
        (
            FollowUp(
                case_id=c[0],
                closure_id=cl.pk,
                months=months,
                due_at=closed_at + timedelta(days=30 * months),
                done_on=(closed_at + timedelta(days=30 * months + 5)).date()
                if rnd.random() < 0.7 and closed_at + timedelta(days=30 * months) < now
                else None,
            )
            for cl, (c, closed_at) in zip(closures, closed, strict=True)
            for months in (6, 12)
        ),
        "follow-ups",
    )
    agencies = {a.region_id: a for a in Agency.objects.filter(kind=Agency.Kind.REHAB_CENTRE)}
    providers = {
        region_id: Provider.objects.create(
            agency=agency, name=f"Психологическая помощь ({region_id})"
        )
        for region_id, agency in agencies.items()
    }
    statuses = [
        ReferralStatus.SENT,
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.COMPLETED,
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
    ]

    def referrals() -> Iterator[Referral]:
        for c in cases:
            if rnd.random() >= 0.3 or c[3] not in providers:
                continue
            for _ in range(rnd.randint(1, 3)):
                sent = c[4] + timedelta(days=rnd.randint(5, 200))
                status = rnd.choice(statuses)
                yield Referral(
                    case_id=c[0],
                    provider=providers[c[3]],
                    role="psychologist",
                    reason="—",
                    status=status,
                    respond_by=(sent + timedelta(days=5)).date(),
                    complete_by=(sent + timedelta(days=60)).date(),
                    created_by_id=c[2],
                    created_at=sent,
                    closed_at=sent + timedelta(days=rnd.randint(10, 90))
                    if status == ReferralStatus.COMPLETED
                    else None,
                )

    _bulk(Referral, referrals(), "referrals")
    interviewer = User.objects.filter(roles__role="interviewer").first() or User.objects.first()
    interviewed = [c for c in cases if rnd.random() < 0.1]
    matters = _bulk(
        Matter,
        (Matter(person_id=c[1], title="Дело", created_by=interviewer) for c in interviewed),
        "matters",
    )
    _bulk(
        Interview,
        (
            Interview(
                case_id=c[0],
                matter_id=m.pk,
                kind=InterviewKind.SOCIAL,
                status=InterviewStatus.HELD,
                requesting_authority="—",
                purpose="—",
                legal_basis="—",
                requested_by=interviewer,
                started_at=c[4] + timedelta(days=20 + k),
            )
            for m, c in zip(matters, interviewed, strict=True)
            for k in range(rnd.randint(1, 4))
        ),
        "interviews",
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn: Callable[[int], object], runs: int, warmup: int) -> tuple[float, float]:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="warm runs; cold runs are a third")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    label, fresh = _database_for(args.size, args.reuse)
    from generate import setup_django

    setup_django()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    if fresh:
        from generate import generate

        generate(args.size, log=lambda m: print(m, file=sys.stderr, flush=True))
        add_casework()
    else:
        call_command("migrate", verbosity=0)
    from generate import load_application

    load_application()

    from tirek.accounts import services as account_services
    from tirek.accounts.models import User
    from tirek.accounts.roles import Role
    from tirek.cases.models import Case
    from tirek.organisations.models import Region
    from tirek.testing import logged_in_client

    analyst = User.objects.filter(
        username="bench-me-analyst"
    ).first() or account_services.user_create(
        username="bench-me-analyst",
        password="bench-password-not-used-1",
        roles=[Role.ME_ANALYST],
        check_password=False,
    )
    client = logged_in_client(analyst)
    client.defaults["SERVER_NAME"] = "localhost"
    busiest = Case.objects.values("region_id").annotate(n=Count("id")).order_by("-n").first()
    region = Region.objects.get(pk=busiest["region_id"]) if busiest else None
    in_region = busiest["n"] if busiest else 0

    def get(url: str) -> Callable[[int], object]:
        def fn(i: int) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return fn

    from tirek.reports import registry
    from tirek.reports.models import CubeSnapshot

    def cold(url: str) -> Callable[[int], object]:
        """Nothing computed yet: every cube from SQL (what the worker does every 5 min)."""
        fetch = get(url)

        def fn(i: int) -> None:
            CubeSnapshot.objects.all().delete()
            registry._MEMO.clear()
            cache.clear()
            fetch(i)

        return fn

    def from_snapshots(url: str) -> Callable[[int], object]:
        """Cubes read from the snapshot table and labelled: a process's first request."""
        fetch = get(url)

        def fn(i: int) -> None:
            registry._MEMO.clear()
            fetch(i)

        return fn

    country = "/reports/country/?year=2025"
    one_region = f"/reports/country/?year=2025&region={region.code if region else ''}"
    few = max(args.runs // 3, 5)
    scenarios = [
        ("country dashboard, cold", cold(country), few, 1),
        ("one region, cold", cold(one_region), few, 1),
        ("country dashboard, from snapshots", from_snapshots(country), args.runs, 2),
        ("one region, from snapshots", from_snapshots(one_region), args.runs, 2),
        ("country dashboard, in process", get(country), args.runs, 3),
        ("one region, in process", get(one_region), args.runs, 3),
        ("one region by sex, in process", get(one_region + "&by=sex"), args.runs, 3),
    ]
    print(
        f"Database: {label} ({connection.vendor}); {Case.objects.count():,} cases, "
        f"region {region.code if region else '—'} with {in_region:,}",
        file=sys.stderr,
    )
    rows = []
    for name, fn, runs, warmup in scenarios:
        p50, p95 = timed(fn, runs, warmup)
        rows.append((name, p50, p95, runs))
        print(
            f"  {name:32s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({runs} runs)",
            file=sys.stderr,
            flush=True,
        )
    print()
    print(f"| scenario ({connection.vendor}) | median | p95 | runs |")
    print("|---|---:|---:|---:|")
    for name, p50, p95, runs in rows:
        print(f"| {name} | {p50:.0f} ms | {p95:.0f} ms | {runs} |")
    print(f"\nTarget: {TARGET_MS:.0f} ms for a region's dashboard.")


if __name__ == "__main__":
    main()
