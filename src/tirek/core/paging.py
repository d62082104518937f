"""API paging: one largest page for every list.

MAX_LIMIT is 100: the lists that clamp (cases, notes, people, families, emergency access)
already answered at most 100 rows, and 100 rows keep a page's audit entry and response small
on the slow links the field offices use.
"""

from __future__ import annotations

from typing import Any

MAX_LIMIT = 100
MAX_OFFSET = 10**9


def clamp_limit(limit: int) -> int:
    """``limit`` held to 1..MAX_LIMIT (larger values are clamped, smaller raised to 1)."""
    return max(1, min(limit, MAX_LIMIT))


def clamp(limit: Any, offset: Any, *, default: int = 20) -> tuple[int, int]:
    """Limit and offset from loose input: unreadable values fall back, then both are held."""
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        limit = default
    try:
        offset = int(offset)
    except (TypeError, ValueError):
        offset = 0
    return clamp_limit(limit), max(0, min(offset, MAX_OFFSET))
