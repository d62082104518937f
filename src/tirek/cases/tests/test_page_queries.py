"""The everyday pages cost the same number of SQL queries whatever the caseload
(DESIGN.md section 8: at most 15 each). Counted as the server issues them: the test
database's SAVEPOINT/RELEASE markers around atomic blocks are not queries a production
request sends (there the outermost block is a plain transaction)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case, ContactNote, NoteKind
from tirek.privacy.services import consent_record
from tirek.testing import World, logged_in_client

from .factories import notes_in_every_section, open_case

LIMIT = 15
# What each page costs today (a manager with a caseload, counted as below), pinned so
# that a change shows up here whichever way it goes. "my work" shares one read of the
# open caseload (with its consent records, from which the consent reminder counts too)
# between the panels of three apps, and reads the rows of the incident, conference,
# transfer and family-task panels in one UNION ALL query; the policy reads the case's
# team once with the case (and the emergency flag in the same row); the timeline reads
# the cases app's entries in one query and the plans, referrals and conferences apps' in
# another; the header's journey is one query. Without JavaScript a section comes with
# the summary (``page:`` entries). The session is written at most once a minute, so
# these counts have no session write. "My work" reads the user's visible case ids once
# for all its panels (one query that spares each panel's query the access policy's
# nested subquery); the plans app's due tasks come from the cases of the user's teams
# read with the open caseload. A supervisor's "my work" adds the unit's panels: the
# count of its open cases (from the relations read once), and the overdue cases with
# their total in one query; waiting plans, closures, merge requests, consent overrides
# and others' overdue actions come with the other apps' rows in the UNION ALL query, and
# so do the courses the user is taking. A "my work" page that shows someone's data
# writes its audit entry (``AUDIT_ENTRY`` queries: the manager's page here shows due
# tasks; the supervisor's nothing yet).
AUDIT_ENTRY = 3  # lock a chain's head, insert the entry, move the head
SUPERVISOR_MY_WORK = 12
PINNED = {
    "summary": 12,
    "case-list": 11,
    "my-work": 15,
    "plan": 12,
    "notes": 11,
    "family": 14,
    "referrals": 12,
    "interviews": 11,
    "consent": 11,
    "timeline": 12,
    "page:notes": 13,
    "page:timeline": 13,
}
SECTIONS = ["plan", "notes", "family", "referrals", "interviews", "consent", "timeline"]


def queries(client: Client, url: str, *, htmx: bool = False) -> int:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.get(url, **headers)  # warm caches that last the process (settings, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE")))


def grow_caseload(manager: User, world: World, cases: int) -> Case:
    """``cases`` open cases on the manager's team, each with notes and consent."""
    psychologist = world.staff(Role.PSYCHOLOGIST)
    first = None
    for _n in range(cases):
        case = open_case(manager, team=[(psychologist, Role.PSYCHOLOGIST)])
        notes_in_every_section(case, manager)
        consent_record(
            by=manager,
            person=case.person,
            purposes=["case_management"],
            given_by="guardian",
            valid_from=case.opened_at.date(),
        )
        first = first or case
    assert first is not None
    return first


def page_costs(client: Client, case: Case) -> dict[str, int]:
    costs = {
        "summary": queries(client, f"/cases/{case.pk}/"),
        "case-list": queries(client, "/cases/"),
        "my-work": queries(client, "/"),
    }
    for name in SECTIONS:
        costs[name] = queries(client, f"/cases/{case.pk}/sections/{name}/", htmx=True)
    for name in ("notes", "timeline"):
        costs[f"page:{name}"] = queries(client, f"/cases/{case.pk}/sections/{name}/")
    return costs


def test_the_case_page_the_case_list_and_my_work_cost_the_same_for_any_caseload(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = grow_caseload(manager, world, 2)
    client = logged_in_client(manager)
    small = page_costs(client, case)
    boss = logged_in_client(world.staff(Role.SUPERVISOR))  # the unit of the manager's cases
    small_unit = queries(boss, "/")

    grow_caseload(manager, world, 30)
    for n in range(40):  # and a longer history on the case itself
        ContactNote.objects.create(
            case=case,
            kind=NoteKind.HOME_VISIT,
            section="social",
            occurred_on=date(2026, 2, 1 + n % 28),
            narrative=f"visit {n}",
            author=manager,
        )
    large = page_costs(client, case)
    assert queries(boss, "/") == small_unit == SUPERVISOR_MY_WORK

    assert large == small, (small, large)
    over = {p: c for p, c in large.items() if c > LIMIT}
    assert over == {}, large
    assert large == PINNED, large
