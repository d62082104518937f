"""Queries that PostgreSQL must plan for their values.

psycopg prepares a query the sixth time a connection runs it (``prepare_threshold`` in
settings), and PostgreSQL may then keep one generic plan for any values. That is what
"my work" wants, but not a search whose best plan depends on the values: the audit log
filtered by case asks "does the detail contain this case", which the detail's GIN index
answers in a few milliseconds; the generic plan reads the whole log (9 -> 250 ms at
300,000 entries, docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def planned_for_their_values() -> Iterator[None]:
    """The queries of the block are planned for their values every time, prepared or not
    (PostgreSQL's ``plan_cache_mode``, for this transaction only; elsewhere nothing)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
