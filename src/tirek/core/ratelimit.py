"""A fixed-window rate limit on the shared cache.

The cache is shared by every process and server (the database cache by default, Redis
when configured), so a limit holds however many workers serve the requests. Redis
increments atomically; the database cache reads and writes, so the count is taken under
a lock (an advisory lock on PostgreSQL; SQLite's write lock otherwise) so that two
processes counting at the same instant cannot both see the same number.
"""

from __future__ import annotations

import time
import zlib

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class RateLimited(Exception):  # noqa: N818  (reads as "rate limited" at the raise site)
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def check(key: str, *, limit: int, window_seconds: int, backend: BaseCache | None = None) -> None:
    """Count one hit for ``key``; raise RateLimited past ``limit`` hits in the window."""
    window = int(time.time() // window_seconds)
    hits = count(f"ratelimit:{key}:{window}", timeout=window_seconds + 1, backend=backend)
    if hits > limit:
        raise RateLimited(retry_after=window_seconds - int(time.time()) % window_seconds)


def count(cache_key: str, *, timeout: int, backend: BaseCache | None = None) -> int:
    """Add one to the counter ``cache_key`` (created with ``timeout`` seconds to live) and
    return its new value, atomically across processes."""
    backend = backend or caches["default"]
    if isinstance(backend, DatabaseCache):
        return _count_in_database(backend, cache_key, timeout)
    backend.add(cache_key, 0, timeout=timeout)
    try:
        return int(backend.incr(cache_key))
    except ValueError:  # expired between add and incr
        backend.set(cache_key, 1, timeout=timeout)
        return 1


def _count_in_database(backend: DatabaseCache, cache_key: str, timeout: int) -> int:
    alias = router.db_for_write(backend.cache_model_class)
    connection = connections[alias]
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            # Serialises the read-and-write of this one key until the transaction ends.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(cache_key)])
        # On SQLite the transaction (BEGIN IMMEDIATE) already holds the database's write lock.
        hits = int(backend.get(cache_key) or 0) + 1
        backend.set(cache_key, hits, timeout=timeout)
    return hits


def _lock_id(cache_key: str) -> int:
    # A stable signed 32-bit number per key (advisory locks take a bigint).
    return zlib.crc32(cache_key.encode()) - 2**31
