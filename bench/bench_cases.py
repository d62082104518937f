"""Case benchmark: "my case list" (filtered, paged), "my work", the referral lists and the case page, at 1k and 100k cases.

    .venv/bin/python bench/bench_cases.py                      # SQLite, sizes 1000 and 100000
    .venv/bin/python bench/bench_cases.py --sizes 100000 --reuse
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_cases \\
        .venv/bin/python bench/bench_cases.py

Each size gets its own generated database (``bench/generate.py``: people, cases, teams,
encrypted notes, consents, audit rows): SQLite files var/bench/cases-<size>.sqlite3, or
PostgreSQL databases ``<name>_<size>`` (names must start with tirek_bench). ``--reuse``
keeps a database generated earlier when it already holds that many cases.

Requests go through the whole stack with Django's test client, signed in as a case manager
with a realistic caseload (40 cases) and as the supervisor of a unit (about 400 cases);
every case page read writes its audit entry, as in production. The application is loaded
as ``tirek serve`` loads it (``tirek.wsgi``). Figures are server-side milliseconds, median
and p95 over ``--runs`` requests after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

TARGET_MS = 30.0  # DESIGN.md section 8: p95 of server time for the everyday pages


def _database_for(size: int, reuse: bool) -> tuple[str, bool]:
    """Set DATABASE_URL for this size; returns (label, needs generating)."""
    from generate import prepare_database

    base = os.environ.get("DATABASE_URL", "")
    if base:
        import dj_database_url

        config = dj_database_url.parse(base)
        name = f"{config['NAME']}_{size}"
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
        if reuse and _pg_has_cases(os.environ["DATABASE_URL"], size):
            return f"PostgreSQL {name} (reused)", False
        return prepare_database(), True
    path = ROOT / "var" / "bench" / f"cases-{size}.sqlite3"
    if reuse and path.exists():
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path.relative_to(ROOT)} (reused)", False
    return prepare_database(f"cases-{size}"), True


def _pg_has_cases(url: str, size: int) -> bool:
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
            row = conn.execute("SELECT count(*) FROM cases_case").fetchone()
            return bool(row and row[0] == size)
    except psycopg.Error:
        return False


def _p50_p95(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def timed(fn: Callable[[int], object], runs: int) -> tuple[float, float, float, float]:
    """Wall-clock p50/p95 and this process's CPU p50/p95, in ms. On a shared machine the
    CPU time is the fairer figure for SQLite (the database runs in this process too):
    it leaves out the time spent waiting for other programs to give the CPU back."""
    for i in range(10):  # warm-up: templates, connection, caches
        fn(i)
    wall, cpu = [], []
    for i in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (*_p50_p95(wall), *_p50_p95(cpu))


def _own_panels_only() -> None:
    """The case page carries panels and timeline entries of other apps (people, plans,
    referrals...): measured once more with only this app's own, to tell the shares apart."""
    from tirek.cases import panels, timeline

    own = ("tirek.cases", "tirek.privacy")
    panels.case_panels[:] = [p for p in panels.case_panels if p[1].__module__.startswith(own)]
    # A RowSource's module is the cases app's; the app it belongs to is its rows' module.
    timeline.sources[:] = [
        s for s in timeline.sources if getattr(s, "rows", s).__module__.startswith(own)
    ]


def _data_protection_officer() -> Any:
    """The DPO who reads the audit log (made here for data sets generated without one)."""
    from tirek.accounts.models import User, UserRole
    from tirek.accounts.roles import Role

    user, made = User.objects.get_or_create(
        username="bench-dpo-00000",
        defaults={"password": "!"},  # noqa: S106 - unusable password marker
    )
    if made:
        UserRole.objects.create(user=user, role=Role.DPO)
    return user


def run_one(size: int, runs: int, reuse: bool, only: str = "") -> dict[str, object]:
    label, fresh = _database_for(size, reuse)
    from generate import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if fresh:
        from generate import generate

        generate(size, log=lambda m: print(m, file=sys.stderr, flush=True))
    else:
        call_command("migrate", verbosity=0)
    from generate import load_application

    load_application()

    from tirek.accounts.models import User
    from tirek.cases.models import Case
    from tirek.testing import api_client, logged_in_client

    manager = User.objects.get(username="bench-cm-00000")
    supervisor = User.objects.get(username="bench-sup-00000")
    # A school's liaison answers the referrals to its school (1 in 20 of the programme's).
    school = User.objects.get(username="bench-school-00000")
    # A psychologist works on about 100 cases; an interviewer conducts planned interviews.
    psychologist = User.objects.get(username="bench-psy-00000")
    interviewer = User.objects.get(username="bench-int-00000")
    dpo = _data_protection_officer()
    my_cases = list(
        Case.objects.filter(team__user=manager, team__removed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    numbers = list(Case.objects.filter(pk__in=my_cases).values_list("number", flat=True))
    # No setup_test_environment(): its template instrumentation (for assertions on
    # context) would slow every page; the clients just use an allowed host name.
    browser, boss, liaison, psy, inter, officer, api = (
        logged_in_client(manager),
        logged_in_client(supervisor),
        logged_in_client(school),
        logged_in_client(psychologist),
        logged_in_client(interviewer),
        logged_in_client(dpo),
        api_client(manager),
    )
    for client in (browser, boss, liaison, psy, inter, officer, api):
        client.defaults["SERVER_NAME"] = "localhost"

    def ok(response: object) -> None:
        status = response.status_code  # type: ignore[attr-defined]
        assert status == 200, status

    scenarios: dict[str, Callable[[int], object]] = {
        "my case list (page 1)": lambda i: ok(browser.get("/cases/")),
        "my case list, filtered": lambda i: ok(
            browser.get("/cases/?status=active&phase=reintegration")
        ),
        "my case list, page 2": lambda i: ok(browser.get("/cases/?page=2")),
        "my case list, search by number": lambda i: ok(
            browser.get(f"/cases/?q={numbers[i % len(numbers)][-6:]}")
        ),
        "unit list (supervisor), filtered, page 3": lambda i: ok(
            boss.get("/cases/?scope=unit&status=active&page=3")
        ),
        "API: GET /api/v1/cases?limit=20": lambda i: ok(api.get("/api/v1/cases?limit=20")),
        "my work": lambda i: ok(browser.get("/")),
        "my work (school liaison)": lambda i: ok(liaison.get("/")),
        "my work (psychologist)": lambda i: ok(psy.get("/")),
        "my work (interviewer)": lambda i: ok(inter.get("/")),
        "my work (supervisor)": lambda i: ok(boss.get("/")),
        "referrals sent by my cases": lambda i: ok(browser.get("/referrals/?box=outgoing")),
        "referrals sent by the unit's cases (supervisor)": lambda i: ok(
            boss.get("/referrals/?box=outgoing")
        ),
        "referrals to my school (school liaison), page 2": lambda i: ok(
            liaison.get("/referrals/?box=incoming&page=2")
        ),
        "API: GET /api/v1/referrals?box=all": lambda i: ok(api.get("/api/v1/referrals?box=all")),
        "case page": lambda i: ok(browser.get(f"/cases/{my_cases[i % len(my_cases)]}/")),
        "case timeline (htmx section)": lambda i: ok(
            browser.get(
                f"/cases/{my_cases[i % len(my_cases)]}/sections/timeline/",
                HTTP_HX_REQUEST="true",
            )
        ),
        "API: GET /api/v1/cases/{id}": lambda i: ok(
            api.get(f"/api/v1/cases/{my_cases[i % len(my_cases)]}")
        ),
        # The DPO's log (300,000 entries at 100,000 cases), and filtered by a case number:
        # the entries about the case and what other apps keep about it.
        "audit log (DPO)": lambda i: ok(officer.get("/audit/")),
        "audit log (DPO), filtered by case": lambda i: ok(
            officer.get("/audit/", {"case": numbers[i % len(numbers)]})
        ),
    }
    results = {}

    def measure(name: str, fn: Callable[[int], object]) -> None:
        p50, p95, cpu50, cpu95 = timed(fn, runs)
        results[name] = {
            "p50": round(p50, 1),
            "p95": round(p95, 1),
            "cpu_p50": round(cpu50, 1),
            "cpu_p95": round(cpu95, 1),
        }
        print(
            f"  {name:48s} p50 {p50:6.1f}  p95 {p95:6.1f}   cpu p50 {cpu50:6.1f}  p95 {cpu95:6.1f} ms",
            file=sys.stderr,
            flush=True,
        )

    for name, fn in scenarios.items():
        if only in name:
            measure(name, fn)
    if not only:  # a subset (e.g. to compare two versions) leaves this out
        _own_panels_only()
        measure("case page, cases and consent panels only", scenarios["case page"])
    return {
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "size": size,
        "database": label,
        "vendor": connection.vendor,
        "caseload": len(my_cases),
        "unit_cases": Case.objects.filter(supervising_unit_id=supervisor.unit_id).count(),
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--only", default="", help='the scenarios whose name has this, e.g. "my work"'
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        report = run_one(args.one, args.runs, args.reuse, args.only)
        print(json.dumps(report, ensure_ascii=False))
        return
    # One process per size: Django binds to one database per process.
    reports = []
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"== {size} cases", file=sys.stderr, flush=True)
        command = [sys.executable, __file__, "--one", str(size), "--runs", str(args.runs)]
        command += ["--only", args.only]
        if args.reuse:
            command.append("--reuse")
        out = subprocess.run(
            command, check=True, capture_output=False, stdout=subprocess.PIPE, text=True
        )
        reports.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print()
    headers = [f"{r['size']:,} cases: p50 / p95 (CPU p50 / p95)" for r in reports]
    print("| scenario, ms | " + " | ".join(headers) + " |")
    print("|---|" + "---|" * len(reports))
    for name in reports[0]["results"]:
        cells = [
            "{p50} / {p95} ({cpu_p50} / {cpu_p95})".format(**r["results"][name]) for r in reports
        ]
        print(f"| {name} | {' | '.join(cells)} |")
    worst = max(v["p95"] for r in reports for v in r["results"].values())
    print()
    loads = ", ".join(str(r["load_average"][0]) for r in reports)
    print(f"Load average (1 min) at the end of each run: {loads} on {os.cpu_count()} CPUs.")
    print(
        f"Database: {reports[0]['vendor']}; caseload {reports[0]['caseload']} cases, "
        f"unit {reports[-1]['unit_cases']} cases; worst p95 {worst} ms (target {TARGET_MS:.0f} ms)."
    )


if __name__ == "__main__":
    main()
