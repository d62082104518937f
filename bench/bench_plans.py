"""Assessments and plans benchmark: "my work", task lists, and a case's assessment and plan
pages with 20 assessments and 5 approved plan versions, on the 100k-case dataset.

    .venv/bin/python bench/bench_plans.py                      # SQLite, 100000 cases
    .venv/bin/python bench/bench_plans.py --sizes 1000,100000 --reuse
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_plans \\
        .venv/bin/python bench/bench_plans.py

Each size gets its own database (SQLite var/bench/plans-<size>.sqlite3, or PostgreSQL
``<name>_<size>``, names starting with tirek_bench), filled by ``bench/generate.py``
(people, cases, teams, notes, consents, audit rows) and then, here, with case work at
scale: an initial assessment on 80 % of cases, a comprehensive one (with its domain
scores) on 60 %, an approved plan with goals on 40 %, a review on 20 %, follow-ups on
the closed cases. The case under test (one of the case manager's) gets 20 completed
assessments and 5 plan versions through the real services.

Requests go through the whole stack with Django's test client, signed in as a case
manager (40 cases) and the supervisor of a unit (about 400 cases); every case read
writes its audit entry. Figures are server-side milliseconds, median and p95 over
``--runs`` requests after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MS = 50.0
MARKER = "bench-casework-v1"  # stored in the first plan version's comment: data is in place


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
    path = ROOT / "var" / "bench" / f"plans-{size}.sqlite3"
    if reuse and path.exists():
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path.relative_to(ROOT)} (reused)", False
    return prepare_database(f"plans-{size}"), True


def _pg_ready(url: str) -> bool:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"] or "postgres",
            dbname=config["NAME"],
        ) as conn:
            row = conn.execute(
                "SELECT count(*) FROM plans_planversion WHERE comment = %s", [MARKER]
            ).fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def _batches(rows: Iterator[Any], size: int = 5000) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def populate(log: Callable[[str], None]) -> None:
    """Case work on every case, in bulk (the services are used for the case under test)."""
    import json as json_module

    from django.db import transaction
    from django.utils import timezone

    from tirek.assessments.models import Assessment, DomainScore, InstrumentVersion
    from tirek.assessments.services import instruments_load
    from tirek.assessments.tests.factories import CHILD_BASELINE
    from tirek.cases.models import Case, CaseStatus
    from tirek.plans.deadlines import add_months
    from tirek.plans.models import FollowUp, Goal, Plan, PlanVersion, Review

    started = time.perf_counter()
    instruments_load()
    initial_v = InstrumentVersion.objects.get(instrument__code="tirek-initial")
    child_v = InstrumentVersion.objects.get(instrument__code="tirek-child-needs")
    child_scores = child_v.parsed.score(CHILD_BASELINE, age=12)
    child_answers = json_module.dumps(CHILD_BASELINE, ensure_ascii=False)
    initial_answers = json_module.dumps(
        {"init_danger": False, "init_caregiver": "stable", "init_urgent_care": False}
    )
    cases = list(
        Case.objects.order_by("pk").values_list(
            "pk", "opened_at", "status", "closed_at", "case_manager_id"
        )
    )
    now = timezone.now()

    def assessments() -> Iterator[Assessment]:
        for i, (case_id, opened, _status, _closed, manager_id) in enumerate(cases):
            if i % 10 < 8:
                done = opened + timedelta(days=2)
                yield Assessment(
                    case_id=case_id,
                    instrument_version=initial_v,
                    kind="initial",
                    status="completed",
                    assessed_on=done.date(),
                    answers_json=initial_answers,
                    own_views="—",
                    created_by_id=manager_id,
                    completed_by_id=manager_id,
                    completed_at=done,
                    overall_severity="low",
                )
            if i % 10 < 6:
                done = opened + timedelta(days=20)
                yield Assessment(
                    case_id=case_id,
                    instrument_version=child_v,
                    kind="comprehensive",
                    status="completed",
                    assessed_on=done.date(),
                    answers_json=child_answers,
                    own_views="Хочу учиться.",
                    created_by_id=manager_id,
                    completed_by_id=manager_id,
                    completed_at=done,
                    overall_severity="high",
                )

    total = 0
    for chunk in _batches(assessments()):
        with transaction.atomic():
            Assessment.objects.bulk_create(chunk)
        total += len(chunk)
    log(f"  assessments: {total}")
    scores = 0
    last = 0
    while True:
        ids = list(
            Assessment.objects.filter(kind="comprehensive", pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:2000]
        )
        if not ids:
            break
        rows = [
            DomainScore(
                assessment_id=pk,
                domain=r.domain,
                score=r.score,
                max_score=r.max_score,
                answered=r.answered,
                severity=r.severity,
            )
            for pk in ids
            for r in child_scores
        ]
        with transaction.atomic():
            DomainScore.objects.bulk_create(rows, batch_size=5000)
        scores += len(rows)
        last = ids[-1]
    log(f"  domain scores: {scores}")

    snapshot = {
        "goals": [
            {
                "id": 0,
                "domain": "education",
                "title": "Посещает школу",
                "indicator": "90 %",
                "target_date": None,
                "responsible_agency": "",
                "responsible_user": "",
                "responsible_name": "Классный руководитель",
                "status": "in_progress",
                "progress": 2,
                "interventions": [],
            },
        ]
    }
    plans = []
    for i, (case_id, opened, _status, _closed, manager_id) in enumerate(cases):
        if i % 10 < 4:
            approved = opened + timedelta(days=30)
            review_due = approved + timedelta(days=175) if i % 10 < 2 else None
            plans.append(
                Plan(
                    case_id=case_id,
                    status="approved",
                    approved_number=1,
                    first_approved_at=approved,
                    last_approved_at=approved,
                    next_review_due_at=review_due,
                    submitted_by_id=manager_id,
                    submitted_at=approved,
                )
            )
    for chunk in _batches(iter(plans)):
        with transaction.atomic():
            Plan.objects.bulk_create(chunk)
    plan_rows = []
    for plan_id, plan_case_id, first_approved, submitter_id in Plan.objects.values_list(
        "pk", "case_id", "first_approved_at", "submitted_by_id"
    ):
        assert first_approved is not None  # every plan made above is approved
        plan_rows.append((plan_id, plan_case_id, first_approved, submitter_id))
    supervisor_of: dict[int, int] = {}
    from tirek.accounts.models import User

    for user in User.objects.filter(username__startswith="bench-sup-"):
        assert user.unit_id is not None  # generate.py gives every supervisor a unit
        supervisor_of[user.unit_id] = user.pk
    unit_of = dict(Case.objects.values_list("pk", "supervising_unit_id"))
    with transaction.atomic():
        PlanVersion.objects.bulk_create(
            (
                PlanVersion(
                    plan_id=pk,
                    number=1,
                    snapshot=snapshot,
                    submitted_by_id=manager_id,
                    submitted_at=approved,
                    approved_by_id=supervisor_of.get(unit_of[case_id], manager_id),
                    approved_at=approved,
                )
                for pk, case_id, approved, manager_id in plan_rows
            ),
            batch_size=5000,
        )
        Goal.objects.bulk_create(
            (
                Goal(
                    plan_id=pk,
                    domain=domain,
                    title=title,
                    indicator="Достигнуто по оценке команды",
                    target_date=(approved + timedelta(days=180)).date(),
                    responsible_name="Кейс-менеджер",
                    status="in_progress",
                    progress=2,
                    position=n,
                )
                for pk, _case_id, approved, _m in plan_rows
                for n, (domain, title) in enumerate(
                    [("education", "Посещает школу"), ("legal", "Получены документы")], start=1
                )
            ),
            batch_size=5000,
        )
    log(f"  plans: {len(plan_rows)} (with versions and goals)")
    versions = dict(PlanVersion.objects.values_list("plan__case_id", "pk"))
    reviewed = set(
        Plan.objects.filter(next_review_due_at__isnull=False).values_list("case_id", flat=True)
    )
    reviews = [
        Review(
            case_id=case_id,
            plan_version_id=versions[case_id],
            held_on=(approved + timedelta(days=85)).date(),
            child_views="Нравится в школе.",
            decisions="Продолжать.",
            next_review_on=(approved + timedelta(days=175)).date(),
            created_by_id=manager_id,
            created_at=approved + timedelta(days=85),
        )
        for _pk, case_id, approved, manager_id in plan_rows
        if case_id in reviewed
    ]
    for chunk in _batches(iter(reviews)):
        with transaction.atomic():
            Review.objects.bulk_create(chunk)
    log(f"  reviews: {len(reviews)}")
    follow_ups = [
        FollowUp(
            case_id=case_id,  # its closure_id is set below, once the closures exist
            months=months,
            due_at=add_months(closed, months),
            done_on=add_months(closed, months).date() if add_months(closed, months) < now else None,
        )
        for case_id, _opened, status, closed, _m in cases
        if status == CaseStatus.CLOSED and closed
        for months in (6, 12)
    ]
    if follow_ups:
        # Follow-ups belong to a closure; one approved closure per closed case.
        from tirek.plans.models import Closure

        closures = [
            Closure(
                case_id=case_id,
                status="approved",
                reason="goals_achieved",
                checklist={},
                requested_by_id=manager_id,
                requested_at=closed,
                decided_at=closed,
            )
            for case_id, _opened, status, closed, manager_id in cases
            if status == CaseStatus.CLOSED and closed
        ]
        for chunk in _batches(iter(closures)):
            with transaction.atomic():
                Closure.objects.bulk_create(chunk)
        closure_of = dict(Closure.objects.values_list("case_id", "pk"))
        for f in follow_ups:
            f.closure_id = closure_of[f.case_id]
        for chunk in _batches(iter(follow_ups)):
            with transaction.atomic():
                FollowUp.objects.bulk_create(chunk)
    log(f"  follow-ups: {len(follow_ups)}")
    _milestones(log)
    log(f"  case work in {time.perf_counter() - started:.0f} s")


def _milestones(log: Callable[[str], None]) -> None:
    """The deadline summary rows, from the records just made (what milestones_refresh does
    one case at a time, here in bulk)."""
    from django.db import transaction
    from django.db.models import Min

    from tirek.assessments.models import Assessment
    from tirek.plans.models import CaseMilestones, FollowUp, Plan

    done = Assessment.objects.filter(status="completed")
    initial = dict(
        done.filter(kind__in=["initial", "comprehensive"])
        .values("case_id")
        .annotate(at=Min("completed_at"))
        .values_list("case_id", "at")
    )
    comprehensive = dict(
        done.filter(kind="comprehensive")
        .values("case_id")
        .annotate(at=Min("completed_at"))
        .values_list("case_id", "at")
    )
    plans = {
        case_id: (approved, review)
        for case_id, approved, review in Plan.objects.values_list(
            "case_id", "first_approved_at", "next_review_due_at"
        )
    }
    pending: dict[int, Any] = {}
    finished: dict[int, list[int]] = {}
    for case_id, due, done_on, months in FollowUp.objects.values_list(
        "case_id", "due_at", "done_on", "months"
    ).order_by("due_at"):
        if done_on is None:
            pending.setdefault(case_id, due)
        else:
            finished.setdefault(case_id, []).append(months)
    ids = set(initial) | set(plans) | set(pending) | set(finished)
    rows = (
        CaseMilestones(
            case_id=case_id,
            initial_done_at=initial.get(case_id),
            comprehensive_done_at=comprehensive.get(case_id),
            plan_approved_at=plans.get(case_id, (None, None))[0],
            next_review_at=plans.get(case_id, (None, None))[1],
            next_follow_up_at=pending.get(case_id),
            follow_ups_done=sorted(finished.get(case_id, [])),
        )
        for case_id in sorted(ids)
    )
    total = 0
    for chunk in _batches(rows):
        with transaction.atomic():
            CaseMilestones.objects.bulk_create(chunk)
        total += len(chunk)
    log(f"  milestones: {total}")


def subject_case(manager: Any, supervisor: Any, log: Callable[[str], None]) -> int:
    """The case under test: 20 completed assessments and 5 approved plan versions."""
    from datetime import date

    from django.utils import timezone

    from tirek.assessments.models import Assessment
    from tirek.assessments.tests.factories import CHILD_BASELINE, CHILD_IMPROVED, complete
    from tirek.cases.models import Case
    from tirek.plans import services
    from tirek.plans.models import Plan, PlanVersion, Review

    today = timezone.localdate()
    case = (
        Case.objects.filter(
            case_manager=manager,
            status="active",
            person__birth_date__gt=date(today.year - 14, 1, 1),
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    assert case is not None, "no child's active case for the bench case manager"
    # Start the case under test afresh (the bulk data gave it some work already).
    Review.objects.filter(case=case).delete()
    Plan.objects.filter(case=case).delete()
    Assessment.objects.filter(case=case).delete()
    for n in range(20):
        answers = CHILD_BASELINE if n % 2 == 0 else CHILD_IMPROVED
        complete(
            manager, case, "tirek-child-needs", answers, on=today - timedelta(days=19 * (20 - n))
        )
    for n in range(5):
        services.goal_create(
            user=manager,
            case_id=case.pk,
            domain=["education", "legal", "family", "social", "physical_health"][n],
            title=f"Цель {n + 1}: продвижение по сфере",
            indicator="Снижение балла при повторной оценке",
            target_date=today + timedelta(days=90 + n),
            responsible_name="Кейс-менеджер",
        )
        plan = services.plan_submit(
            user=manager, case_id=case.pk, expected_version=Plan.objects.get(case=case).version
        )
        services.plan_approve(
            user=supervisor,
            case_id=case.pk,
            expected_version=plan.version,
            comment=MARKER if n == 0 else "",
        )
    assert PlanVersion.objects.filter(plan__case=case).count() == 5
    log(f"  subject case {case.number}: 20 assessments, 5 plan versions")
    return case.pk


def timed(fn: Callable[[int], object], runs: int) -> tuple[float, float, float, int]:
    """Wall-clock median and p95, median CPU time of this process, and queries per call.

    On a shared machine the wall clock includes waiting for a core; the CPU time (which on
    SQLite includes the database work, in process) and the query count do not."""
    from django.db import connection

    for i in range(10):
        fn(i)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # An execute wrapper sees every statement (the query log is reset per request).
    with connection.execute_wrapper(count):
        fn(0)
    samples, cpu = [], []
    for i in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        cpu.append((time.process_time() - start_cpu) * 1000)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95, statistics.median(cpu), queries


def run_one(size: int, runs: int, reuse: bool) -> dict[str, Any]:
    label, fresh = _database_for(size, reuse)
    from generate import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if fresh:
        from generate import generate

        generate(size, log=log)
        populate(log)
    else:
        call_command("migrate", verbosity=0)
    from generate import load_application

    load_application()
    with connection.cursor() as cursor:
        # Fresh statistics after the bulk load, as autovacuum would give a live database.
        cursor.execute("ANALYZE")

    from tirek.accounts.models import User
    from tirek.assessments.models import Assessment
    from tirek.cases.models import Case
    from tirek.plans.models import PlanVersion
    from tirek.testing import api_client, logged_in_client

    manager = User.objects.get(username="bench-cm-00000")
    supervisor = User.objects.get(username="bench-sup-00000")
    marked = PlanVersion.objects.filter(comment=MARKER).select_related("plan").first()
    case_id = marked.plan.case_id if marked else subject_case(manager, supervisor, log)
    latest = Assessment.objects.filter(case_id=case_id).order_by("-assessed_on").first()
    assert latest is not None
    browser, boss, api = (
        logged_in_client(manager),
        logged_in_client(supervisor),
        api_client(manager),
    )
    for client in (browser, boss, api):
        client.defaults["SERVER_NAME"] = "localhost"

    def ok(response: Any) -> None:
        assert response.status_code == 200, response.status_code

    base = f"/cases/{case_id}"
    from django.test import RequestFactory
    from django.utils import translation

    from tirek.core.http import AuthenticatedHttpRequest
    from tirek.plans import panels

    def our_panels(user: User) -> Callable[[int], object]:
        """This app's share of "my work": its three panels, on a fresh request each time."""

        def run(i: int) -> object:
            # Signed in, as behind login_required: the user is set on the next line.
            request = cast(AuthenticatedHttpRequest, RequestFactory().get("/"))
            request.user = user
            with translation.override("ru"):
                return [
                    panels.my_tasks_panel(request),
                    panels.alerts_panel(request),
                    panels.unit_tasks_panel(request),
                ]

        return run

    scenarios: dict[str, Callable[[int], object]] = {
        "plans panels only (case manager)": our_panels(manager),
        "plans panels only (supervisor)": our_panels(supervisor),
        "my work (case manager)": lambda i: ok(browser.get("/")),
        "my work (supervisor, unit panel)": lambda i: ok(boss.get("/")),
        "task list, my cases": lambda i: ok(browser.get("/work/tasks/")),
        "task list, unit overdue, page 2": lambda i: ok(
            boss.get("/work/tasks/?scope=unit&overdue=1&page=2")
        ),
        "API: GET /api/v1/tasks": lambda i: ok(api.get("/api/v1/tasks?limit=25")),
        "case assessments (20, trend charts)": lambda i: ok(browser.get(f"{base}/assessments/")),
        "assessment page (with comparison)": lambda i: ok(
            browser.get(f"{base}/assessments/{latest.pk}/")
        ),
        "plan page (5 versions)": lambda i: ok(browser.get(f"{base}/plan/")),
        "plan version 5 with changes": lambda i: ok(browser.get(f"{base}/plan/versions/5/")),
        "plan PDF": lambda i: ok(browser.get(f"{base}/plan/pdf/")),
        "API: GET /api/v1/cases/{id}/plan": lambda i: ok(api.get(f"/api/v1/cases/{case_id}/plan")),
        "API: GET /api/v1/cases/{id}/assessments": lambda i: ok(
            api.get(f"/api/v1/cases/{case_id}/assessments")
        ),
    }
    results = {}
    for name, fn in scenarios.items():
        p50, p95, cpu, queries = timed(fn, runs)
        results[name] = {
            "p50": round(p50, 1),
            "p95": round(p95, 1),
            "cpu": round(cpu, 1),
            "queries": queries,
        }
        log(f"  {name:42s} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   cpu {cpu:5.1f} ms   {queries} q")
    from tirek.plans.selectors import due_cases

    return {
        "size": size,
        "database": label,
        "vendor": connection.vendor,
        "caseload": Case.objects.filter(case_manager=manager).count(),
        "unit_cases": Case.objects.filter(supervising_unit_id=supervisor.unit_id).count(),
        "unit_due": due_cases(supervisor, scope="unit").count(),
        "assessments": Assessment.objects.count(),
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.runs, args.reuse), ensure_ascii=False))
        return
    reports = []
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"== {size} cases", file=sys.stderr, flush=True)
        command = [sys.executable, __file__, "--one", str(size), "--runs", str(args.runs)]
        if args.reuse:
            command.append("--reuse")
        out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        reports.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print()
    headers = [f"{r['size']:,} cases: p50 / p95 (CPU p50) ms, queries" for r in reports]
    print("| scenario | " + " | ".join(headers) + " |")
    print("|---|" + "---|" * len(reports))
    for name in reports[0]["results"]:
        cells = ["{p50} / {p95} ({cpu}), {queries} q".format(**r["results"][name]) for r in reports]
        print(f"| {name} | {' | '.join(cells)} |")
    last = reports[-1]
    print()
    print(
        f"Database: {last['vendor']}; caseload {last['caseload']} cases, unit {last['unit_cases']} "
        f"cases ({last['unit_due']} due or overdue), {last['assessments']} assessments; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores."
    )


if __name__ == "__main__":
    main()
