"""The audit log page costs the same number of SQL queries whatever its entries name.

Counted as the server issues them: the test database's SAVEPOINT/RELEASE markers around
atomic blocks are not queries a production request sends."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.testing import World, logged_in_client

# What the page costs today, pinned so that a change shows up here whichever way it goes:
# the session, the signed-in DPO, her second factor and her roles; the kinds of record for
# the filter; the entry the look at the log leaves (lock a chain's head, insert, move the
# head); the rows of the page with the people who acted (one more than a page: the log is
# not counted); the numbers of every case the page names, in one query; and the staff the
# page names who did not act on it ("responsible: Dana Akhmetova", not "owner: 4"), in one
# query, skipped when everyone the page names acted on it. Agencies, units and regions add
# one query for each kind the page names (at most three), however many entries name them.
# On PostgreSQL one more: the page has its entries planned for the filter's values
# (``tirek.core.querying``), which a SET in its transaction asks for.
PINNED = 11


def _pinned() -> int:
    return PINNED + (connection.vendor == "postgresql")


def _queries(client: Client) -> int:
    client.get("/audit/")  # warm caches that last the process (content types, settings)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/audit/")
    assert response.status_code == 200
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE")))


def _entries(world: World, count: int, first: int) -> None:
    """``count`` entries by different people, each naming other staff and cases by id (all
    of them, in the end, different ones)."""
    for n in range(first, first + count):
        actor = world.staff(Role.SUPERVISOR) if n % 5 == 0 else f"worker-{n}"
        named = world.staff(Role.SOCIAL_WORKER) if n % 7 == 0 else None
        record(
            actor=actor,
            action=Action.UPDATE,
            object_type="cases.case",
            object_id=1000 + n,
            detail={
                "owner": named.pk if named else 5000 + n,
                "team_released": [6000 + n, 7000 + n],
                "case": 2000 + n,
                "cases": [3000 + n],
                "filters": {"actor": f"someone-{n}"},
                "fields": ["status", "phase"],
                "status": "closed",
            },
        )


@pytest.mark.parametrize("more", [0, 1])
def test_the_page_costs_the_same_whatever_the_entries_name(world: World, more: int) -> None:
    dpo = world.staff(Role.DPO, username="olga")
    client = logged_in_client(dpo)
    _entries(world, 3, first=0)
    few = _queries(client)
    _entries(world, 60 * more, first=3)  # a full page of 50 more, all naming others
    assert _queries(client) == few == _pinned()


def test_people_who_acted_on_the_page_are_named_without_a_query(world: World) -> None:
    dpo = world.staff(Role.DPO, username="olga")
    client = logged_in_client(dpo)
    chair, owner = world.staff(Role.SUPERVISOR), world.staff(Role.SOCIAL_WORKER)
    for actor, named in [(chair, owner), (owner, chair), (owner, dpo)]:
        record(actor=actor, action=Action.UPDATE, object_type="conferences.actionitem",
               object_id=1, detail={"owner": named.pk, "case": 1})  # fmt: skip
    assert _queries(client) == _pinned() - 1


def test_organisations_cost_one_query_for_each_kind_named(world: World) -> None:
    dpo = world.staff(Role.DPO, username="olga")
    client = logged_in_client(dpo)
    _entries(world, 3, first=0)
    agencies = [world.centre, world.school, world.clinic, world.police, world.ngo]
    for n, agency in enumerate(agencies):
        record(actor=f"admin-{n}", action=Action.PERMISSION_CHANGE, object_type="accounts.user",
               object_id=1, detail={"agency": [agency.pk, world.ministry.pk],
                                    "unit": [world.unit.pk, world.unit_almaty.pk],
                                    "region": [world.karaganda.pk, world.almaty.pk]})  # fmt: skip
    assert _queries(client) == _pinned() + 3
