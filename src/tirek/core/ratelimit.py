"""A fixed-window rate limit on the shared cache (Redis in production)."""

from __future__ import annotations

import time

from django.core.cache import cache


class RateLimited(Exception):  # noqa: N818  (reads as "rate limited" at the raise site)
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def check(key: str, *, limit: int, window_seconds: int) -> None:
    """Count one hit for ``key``; raise RateLimited past ``limit`` hits in the window."""
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        hits = 1
    if hits > limit:
        raise RateLimited(retry_after=window_seconds - int(time.time()) % window_seconds)
