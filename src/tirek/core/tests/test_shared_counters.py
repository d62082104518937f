"""Rate limits and lockout counters hold across worker processes and servers (issue 10:
60 sign-ins a minute got through instead of 30, because each process counted alone)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache

from tirek.core.ratelimit import RateLimited, check

LIMIT = 30  # sign-ins per address per minute, as LOGIN_RATE_PER_MINUTE


def _admitted(first: BaseCache, second: BaseCache, attempts: int = 60) -> int:
    """Sign-in attempts from one address, alternating between two servers' caches."""
    admitted = 0
    for number in range(attempts):
        try:
            check("login:203.0.113.9", limit=LIMIT, window_seconds=3600,
                  backend=first if number % 2 else second)  # fmt: skip
        except RateLimited:
            continue
        admitted += 1
    return admitted


def test_the_default_cache_is_the_shared_database_table() -> None:
    if os.environ.get("TIREK_REDIS_URL"):
        pytest.skip("TIREK_REDIS_URL is set: the cache is Redis here")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_two_processes_share_one_budget_in_the_database(db: None) -> None:
    # Two backend instances on the same table, as two worker processes (or servers) have.
    first, second = DatabaseCache("tirek_cache", {}), DatabaseCache("tirek_cache", {})
    assert _admitted(first, second) == LIMIT


def test_per_process_memory_would_let_twice_as_many_through() -> None:
    """What the attack found, to show the test above can fail: separate memories count alone."""
    first, second = LocMemCache("process-1", {}), LocMemCache("process-2", {})
    assert _admitted(first, second) == 2 * LIMIT


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379 to test against")
def test_two_servers_share_one_budget_in_redis() -> None:
    from django.core.cache.backends.redis import RedisCache

    location = "redis://127.0.0.1:6379/2"
    first, second = RedisCache(location, {}), RedisCache(location, {})
    first.clear()
    try:
        assert _admitted(first, second) == LIMIT
    finally:
        first.clear()


def test_tirek_redis_url_switches_the_cache_to_redis() -> None:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tirek.settings'; "
        "django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
    )
    env = {**os.environ, "TIREK_REDIS_URL": "redis://127.0.0.1:6379/2", "TIREK_DEBUG": "1"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/2",
    ]


_WORKER = """
import os, sys, time
import django
django.setup()
from django.core.management import call_command
from tirek.core.ratelimit import RateLimited, check
if sys.argv[1] == "setup":
    call_command("createcachetable", verbosity=0)
    sys.exit(0)
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
admitted = 0
for _ in range(40):
    try:
        check("login:203.0.113.9", limit=30, window_seconds=3600)
    except RateLimited:
        continue
    admitted += 1
print(admitted)
"""


def test_two_worker_processes_hammering_at_once_admit_thirty(tmp_path) -> None:
    """Two real processes on one SQLite file, counting at the same instant."""
    import time

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tirek.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "TIREK_VAR_DIR": str(tmp_path),
        "TIREK_DEBUG": "1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("TIREK_REDIS_URL", None)
    subprocess.run([sys.executable, "-c", _WORKER, "setup"], env=env, check=True)  # noqa: S603
    start = str(time.time() + 4)  # both start counting at this instant
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", _WORKER, "run", start],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _worker in range(2)
    ]
    admitted = [int(worker.communicate(timeout=120)[0]) for worker in workers]
    assert sum(admitted) == LIMIT
