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


def test_connections_outlive_a_request() -> None:
    # Opening a SQLite connection costs milliseconds a request (pragmas, Django's SQL
    # functions, the schema), a PostgreSQL one a round trip and authentication: neither
    # is reopened per request. (A test database in memory is never closed, so asking
    # whether a request reused it would prove nothing on SQLite.)
    assert connection.settings_dict["CONN_MAX_AGE"] >= 60
