"""SQL helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db.models import FloatField, Func


class DaysBetween(Func):
    """Days (with fractions) from ``start`` to ``end``; dates or date-times."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return end_sql, start_sql, [*end_params, *start_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        end, start, params = self._parts(compiler, connection)
        return f"(julianday({end}) - julianday({start}))", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        end, start, params = self._parts(compiler, connection)
        delta = f"CAST({end} AS timestamptz) - CAST({start} AS timestamptz)"
        sql = f"CAST(EXTRACT(EPOCH FROM ({delta})) / 86400.0 AS double precision)"
        return sql, params
