"""API paging: one largest page for every list.

MAX_LIMIT is 100: the lists that clamp (cases, notes, people, families, emergency access)
already answered at most 100 rows, and 100 rows keep a page's audit entry and response small
on the slow links the field offices use.

Two ways to hold a page to it, one limit: :class:`Page`, the query schema of the lists that
refuse a page too large (422), and :func:`clamp` / :func:`clamp_limit` for the lists that
clamp it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

MAX_LIMIT = 100
MAX_OFFSET = 10**9

_M = TypeVar("_M", bound=Model)


class Page(Schema):
    """``?limit=&offset=`` of an API list: 50 rows unless asked, at most MAX_LIMIT (a larger
    limit is refused with 422). Lists with filters subclass it."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def window(self, rows: QuerySet[_M]) -> QuerySet[_M]:
        """The rows of this page."""
        return rows[self.offset : self.offset + self.limit]


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
