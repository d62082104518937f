"""Pages of a list that is not counted.

The audit log grows with every read, and "page 3 of 6,125" counted the whole log on every
look at it: tens of milliseconds on PostgreSQL at 300,000 entries, and on SQLite, filtered
by case, a second pass over every entry's detail (docs/performance.md). A page reads one row more
than it shows to know whether another page follows; the pager then says "page 3" with
links to the previous and next pages, without a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Model)

# Beyond any real use (50 million rows at 500 a page), and small enough that the offset
# stays an integer every database takes, whatever number the address carries.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class OpenPage(Generic[T]):
    """What ``core/pager_open.html`` needs of a page, as Django's ``Page`` names it."""

    number: int
    rows: list[T]
    has_next: bool

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def page_number(requested: Any) -> int:
    """The page an address asks for: 1 for anything that is not a page number."""
    try:
        number = int(requested)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def open_page(rows: QuerySet[M], size: int, requested: Any) -> OpenPage[M]:
    """Page ``requested`` (a page number as an address gives it) of ``rows`` (a queryset:
    sliced, so only ``size + 1`` rows are read), ``size`` rows a page."""
    number = page_number(requested)
    start = (number - 1) * size
    found = list(rows[start : start + size + 1])
    return OpenPage(number, found[:size], len(found) > size)
