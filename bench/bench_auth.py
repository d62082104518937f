"""Sign-in and audit benchmark: what a sign-in costs, and what one audit entry adds to a
read request.

    .venv/bin/python bench/bench_auth.py [--runs 200] [--audit-rows 50000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_auth .venv/bin/python bench/bench_auth.py

Uses its own database: by default a fresh SQLite file var/bench/bench_auth.sqlite3; with
DATABASE_URL, a PostgreSQL database whose name starts with ``tirek_bench`` is dropped
and created afresh (any other database is refused, so nothing real is touched). Requests
go through the whole middleware stack with Django's test client (in process, no
network), and each figure is a server-side time: median and p95 over ``--runs``.

Measured:
- sign-in: the password step (POST /accounts/login/, one Argon2 check), the code step
  (POST /accounts/2fa/authenticate/), and the first page after it (GET /);
- audit: the same read request (the account page) with and without one
  ``audit.record`` call, on an audit table already holding ``--audit-rows`` entries,
  plus ``audit.record`` timed on its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _prepare_database() -> str:
    """Point Django at the bench database (fresh each run) before settings load."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = ROOT / "var" / "bench" / "bench_auth.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path.relative_to(ROOT)}"
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if not name.startswith("tirek_bench"):
        raise SystemExit(
            f"Refusing to use database {name!r}: its name must start with tirek_bench."
        )
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"PostgreSQL {name}"


DATABASE = _prepare_database()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
# Demo mode only for the development secrets; the bench accounts are not demo accounts,
# so they sign in with a password and a code like anyone.
os.environ.setdefault("TIREK_DEMO", "1")

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

import tirek.wsgi  # noqa: E402, F401  (loaded as tirek serve's workers load it)

Sample = tuple[float, float]


def timed(fn: Callable[[], object], runs: int, before: Callable[[], None] | None = None) -> Sample:
    """Median and p95 in milliseconds; ``before`` runs untimed ahead of each sample."""
    fn()  # warm-up: imports, template compilation, connection
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def timed_pair(
    a: Callable[[], object], b: Callable[[], object], runs: int
) -> tuple[Sample, Sample, float]:
    """``timed`` for two variants run alternately, so that a busy machine slows both
    alike; also the median of the paired differences b - a."""
    a(), b()
    first: list[float] = []
    second: list[float] = []
    for _ in range(runs):
        for fn, bucket in ((a, first), (b, second)):
            start = time.perf_counter()
            fn()
            bucket.append((time.perf_counter() - start) * 1000)
    difference = statistics.median(y - x for x, y in zip(first, second, strict=True))

    def summary(bucket: list[float]) -> Sample:
        ordered = sorted(bucket)
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]

    return summary(first), summary(second), difference


def fill_audit_log(rows: int) -> None:
    """``rows`` entries spread over the chains, heads moved to match (fast bulk insert;
    the MACs are not real, which the timing does not care about)."""
    from tirek.audit.models import CHAIN_COUNT, Action, AuditChain, AuditEntry
    from tirek.audit.services import record

    record(actor="bench", action=Action.READ, object_type="bench")  # creates the chain heads
    AuditEntry.objects.all().delete()
    batch = []
    for i in range(rows):
        batch.append(
            AuditEntry(
                chain=i % CHAIN_COUNT,
                seq=i // CHAIN_COUNT + 1,
                actor_name=f"user-{i % 500}",
                action=Action.READ,
                object_type="cases.case",
                object_id=str(i % 20000),
                detail={"section": "core"},
                prev_mac="0" * 64,
                mac="0" * 64,
            )
        )
        if len(batch) == 5000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)
    for chain in range(CHAIN_COUNT):
        last = AuditEntry.objects.filter(chain=chain).order_by("-seq").first()
        AuditChain.objects.filter(pk=chain).update(seq=last.seq if last else 0, head_mac="0" * 64)


def install_bench_urls() -> None:
    """Two twin read views: the account page as it is, and the same page plus one audit
    entry, so the difference is the audit write alone."""
    from django.http import HttpResponse

    from tirek import urls as tirek_urls
    from tirek.accounts.views import security
    from tirek.audit.models import Action
    from tirek.audit.services import record
    from tirek.core.http import AuthenticatedHttpRequest

    def read_audited(request: AuthenticatedHttpRequest) -> HttpResponse:
        response = security(request)
        record(actor=request.user, action=Action.READ, obj=request.user, request=request)
        return response

    module = types.ModuleType("bench_auth_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/read/", security),
        path("bench/read-audited/", read_audited),
        *tirek_urls.urlpatterns,
    ]
    module.handler404 = tirek_urls.handler404  # type: ignore[attr-defined]
    sys.modules["bench_auth_urls"] = module
    settings.ROOT_URLCONF = "bench_auth_urls"
    clear_url_caches()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--audit-rows", type=int, default=50_000)
    args = parser.parse_args()

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tirek.accounts.roles import Role
    from tirek.audit.models import Action, AuditEntry
    from tirek.audit.services import record
    from tirek.testing import PASSWORD, build_world

    print(f"Preparing {DATABASE} …", flush=True)
    call_command("migrate", verbosity=0)
    # The test client's host; setup_test_environment() would also instrument every
    # template render, which is not what production pays.
    settings.ALLOWED_HOSTS.append("testserver")
    world = build_world()
    user = world.staff(Role.CASE_MANAGER, username="bench-user")
    secret = "JBSWY3DPEHPK3PXP"  # noqa: S105
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    fill_audit_log(args.audit_rows)
    install_bench_urls()

    def fresh_state() -> None:
        # Rate-limit counters and "code already used" marks live in the cache.
        cache.clear()

    def code() -> str:
        return format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    def password_step() -> None:
        response = Client().post("/accounts/login/", {"login": "bench-user", "password": PASSWORD})
        assert response.status_code == 302, response.status_code

    class Stage(TypedDict, total=False):
        client: Client  # signed in with the password, waiting for the code
        code: str

    stage: Stage = {}

    def before_code_step() -> None:
        fresh_state()
        client = Client()
        client.post("/accounts/login/", {"login": "bench-user", "password": PASSWORD})
        stage["client"] = client
        stage["code"] = code()

    def code_step() -> None:
        response = stage["client"].post("/accounts/2fa/authenticate/", {"code": stage["code"]})
        assert response.status_code == 302, response.status_code

    before_code_step()
    signed_in = stage["client"]
    signed_in.post("/accounts/2fa/authenticate/", {"code": stage["code"]})
    assert signed_in.get("/").status_code == 200

    def home() -> None:
        assert signed_in.get("/").status_code == 200

    def read_plain() -> None:
        assert signed_in.get("/bench/read/").status_code == 200

    def read_audited() -> None:
        assert signed_in.get("/bench/read-audited/").status_code == 200

    def record_alone() -> None:
        record(actor=user, action=Action.READ, obj=user)

    runs = args.runs
    plain, audited, difference = timed_pair(read_plain, read_audited, runs * 3)
    results = [
        ("sign-in: password step   POST /accounts/login/", timed(password_step, runs, fresh_state)),
        (
            "sign-in: code step       POST /accounts/2fa/authenticate/",
            timed(code_step, runs, before_code_step),
        ),
        ("first page after it      GET /", timed(home, runs)),
        ("read request, no audit   GET account page", plain),
        ("same, + 1 audit entry    GET account page + audit.record", audited),
        ("audit.record on its own", timed(record_alone, runs)),
    ]
    print()
    print(f"database: {DATABASE} ({connection.vendor}); runs: {runs} ", end="")
    print(f"({runs * 3} for the read pair); audit rows: {AuditEntry.objects.count():,}")
    print(f"{'':62} {'median':>9} {'p95':>9}")
    for label, (median, p95) in results:
        print(f"{label:62} {median:7.2f}ms {p95:7.2f}ms")
    print(
        f"audit adds {difference:+.2f} ms to a read request (median of paired differences, "
        f"{difference / plain[0] * 100:+.1f} % of the median request)"
    )
    signin = results[0][1][0] + results[1][1][0] + results[2][1][0]
    print(f"whole sign-in (password + code + first page), sum of medians: {signin:.1f} ms")


if __name__ == "__main__":
    main()
