"""The database connection is set up for Tirek's short, per-user queries."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_does_not_spend_longer_compiling_a_query_than_running_it() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite compiles no query to machine code")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    assert jit == "off"
