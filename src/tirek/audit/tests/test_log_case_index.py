"""The data protection officer's filter by case reads an index on PostgreSQL, not the
whole log (which grows with every read of a child's record)."""

from __future__ import annotations

import pytest
from django.db import connection

from tirek.audit.models import Action
from tirek.audit.selectors import audit_entries
from tirek.audit.services import record, record_list
from tirek.testing import World


def _plan(case_number: str) -> str:
    sql, params = audit_entries(case=case_number).query.sql_with_params()
    with connection.cursor() as cursor:
        # A test log is a few rows, which PostgreSQL would rather read whole (or walk in
        # date order, filtering every entry): ask whether the query can be answered from
        # the indexes at all, as a bitmap of the entries each condition finds.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_filter_by_case_is_answered_from_the_detail_index(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no index over JSON contents")
    from tirek.cases.tests.factories import open_case

    manager = world.staff("case-manager")
    case, other = open_case(manager), open_case(manager)
    record(actor=manager, action=Action.UPDATE, object_type="cases.contactnote",
           object_id=5, detail={"case": case.pk})  # fmt: skip
    record_list(actor=manager, object_type="cases.case", rows=[case, other])
    record(actor=manager, action=Action.CREATE, object_type="incidents.incident",
           object_id=7, detail={"cases": [other.pk]})  # fmt: skip

    plan = _plan(case.number)
    assert "audit_detail_gin" in plan, plan
    assert "Seq Scan on audit_auditentry" not in plan, plan
    # The index finds what the filter finds on any database: the list and the incident
    # naming the other case, not the note about the first.
    found = {(e.object_type, e.object_id) for e in audit_entries(case=other.number)}
    assert {("cases.case", ""), ("incidents.incident", "7")} <= found
    assert ("cases.contactnote", "5") not in found


def test_the_filter_is_planned_for_its_case_however_often_it_runs(world: World) -> None:
    """psycopg prepares a query the sixth time a connection runs it, and PostgreSQL may then
    keep a generic plan, which reads the whole log (9 -> 250 ms at 300,000 entries): the
    log page has its entries planned for the case asked each time."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: prepared statements and their plans")
    from tirek.cases.tests.factories import open_case
    from tirek.testing import logged_in_client

    manager, dpo = world.staff("case-manager"), world.staff("dpo")
    case = open_case(manager)
    with connection.cursor() as cursor:  # as if PostgreSQL had settled on a generic plan
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    modes: list[str] = []

    def note_the_mode(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if 'FROM "audit_auditentry"' in sql and "ORDER BY" in sql and not modes:
            modes.append("")  # the next query is this one's own
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('plan_cache_mode')")
                modes[0] = cursor.fetchone()[0]
        return execute(sql, params, many, context)

    client = logged_in_client(dpo)
    with connection.execute_wrapper(note_the_mode):
        assert client.get("/audit/", {"case": case.number}).status_code == 200
    assert modes == ["force_custom_plan"]


def test_on_sqlite_the_filter_reads_the_log_in_table_order(world: World) -> None:
    """SQLite has no index over JSON contents, so the filter reads every entry; walking the
    date index for the newest first fetched each entry from the table on the way (600 ms
    at 300,000 entries, against 95 in the table's order)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL answers from the detail's index")
    from tirek.cases.tests.factories import open_case

    case = open_case(world.staff("case-manager"))
    sql, params = audit_entries(case=case.number).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SCAN audit_auditentry" in plan and "USING INDEX" not in plan, plan
