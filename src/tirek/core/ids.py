"""A list of ids for ``field__in=``, sent to the database as one parameter when it is long.

Django writes ``field__in=[1, 2, ...]`` as ``IN (%s, %s, ...)``, one parameter per id. At a
supervisor's few hundred cases, repeated in several parts of one query, psycopg spends
about 12 ms quoting two thousand parameters and PostgreSQL 5 ms more parsing and planning
the long lists (docs/performance.md, "Long lists of ids"). ``IdList`` sends a long list
as one array instead: ``IN (SELECT unnest(%s::bigint[]))`` on PostgreSQL, ``IN (SELECT
value FROM json_each(%s))`` on SQLite. A short list stays ``IN (%s, ...)``, which the
planners handle best.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import BigIntegerField, Expression

# From this many ids on, one array parameter: below it the plain list plans as well or
# better (measured on PostgreSQL with the "my work" queries of each bench role).
ARRAY_FROM = 50


class IdList(Expression):
    """``ids`` (integers) as the right-hand side of an ``__in`` lookup."""

    output_field = BigIntegerField()

    def __init__(self, ids: Iterable[int]) -> None:
        super().__init__()
        self.ids: tuple[int, ...] = tuple(sorted({int(pk) for pk in ids}))

    def __repr__(self) -> str:
        return f"IdList({len(self.ids)} ids)"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.ids:
            raise EmptyResultSet  # as Django does for an empty list: the condition is false
        if len(self.ids) < ARRAY_FROM:
            # The lookup puts the parentheses around it: IN (%s, %s, ...).
            return ", ".join(["%s"] * len(self.ids)), self.ids
        if connection.vendor == "postgresql":
            return "SELECT unnest(%s::bigint[])", (list(self.ids),)
        return "SELECT value FROM json_each(%s)", (json.dumps(self.ids),)
