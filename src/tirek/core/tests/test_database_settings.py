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


@pytest.mark.django_db
def test_postgresql_plans_a_query_repeated_on_a_connection_once() -> None:
    """The same "my work" queries come on every load: after five runs PostgreSQL keeps
    the sixth's plan (a server-side prepared statement) instead of planning it again."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite keeps no prepared statements across queries")
    from tirek.accounts.models import User

    def prepared_user_queries() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%FROM "accounts_user"%'],
            )
            (count,) = cursor.fetchone()
        return int(count)

    connection.ensure_connection()
    before = prepared_user_queries()
    for number in range(6):
        User.objects.filter(username=f"nobody-{number}").exists()
    assert prepared_user_queries() == before + 1


def _postgresql_options(threshold: str | None) -> dict[str, object]:
    """The connection options the settings give for PostgreSQL with this environment."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": "postgres://tirek@127.0.0.1:5432/tirek",
        "TIREK_DEBUG": "1",
    }
    env.pop("TIREK_DB_PREPARE_THRESHOLD", None)
    if threshold is not None:
        env["TIREK_DB_PREPARE_THRESHOLD"] = threshold
    script = (
        "import json; from tirek import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    out = subprocess.run(  # noqa: S603  this interpreter, a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_prepared_statements_are_on_by_default_and_can_be_turned_off_for_a_pooler() -> None:
    default = _postgresql_options(None)
    assert default["server_side_binding"] is True
    assert default["prepare_threshold"] == 5
    # PgBouncer in transaction mode cannot keep a statement prepared on one connection.
    assert _postgresql_options("0")["prepare_threshold"] is None
    assert _postgresql_options("2")["prepare_threshold"] == 2
