from __future__ import annotations

import json
from typing import Any

import pytest

from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseTeamMember
from tirek.testing import World, api_client

from .factories import open_case, person


def _json(client: Any, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_it_opens_a_case_through_the_api_and_reads_it_back(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person(created_by=manager)
    client = api_client(manager)
    response = _json(
        client, "post", "/api/v1/cases", {"person_id": subject.pk, "risk_level": "high"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["person_id"] == subject.pk
    assert data["status"] == "registered"
    assert data["risk_level"] == "high"
    assert data["version"] == 1
    assert data["number"].startswith("KZ-")
    again = client.get(f"/api/v1/cases/{data['id']}").json()
    assert {k: again[k] for k in ("id", "version", "status", "phase", "risk_level")} == {
        k: data[k] for k in ("id", "version", "status", "phase", "risk_level")
    }


def test_it_does_not_open_a_case_for_a_person_the_caller_may_not_see(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    stranger = person()  # registered by nobody the caller knows
    response = _json(api_client(manager), "post", "/api/v1/cases", {"person_id": stranger.pk})
    assert response.status_code == 404
    assert not Case.objects.exists()


def test_it_refuses_a_stale_patch_with_409_and_keeps_the_newer_edit(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    case = open_case(manager)
    first = _json(
        api_client(manager),
        "patch",
        f"/api/v1/cases/{case.pk}",
        {"version": 1, "phase": "reintegration"},
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = _json(
        api_client(supervisor),
        "patch",
        f"/api/v1/cases/{case.pk}",
        {"version": 1, "phase": "monitoring"},
    )
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert stale.json()["detail"]
    case.refresh_from_db()
    assert (case.phase, case.version) == ("reintegration", 2)


def test_it_saves_the_return_history_encrypted_and_reads_it_back(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    response = _json(
        api_client(manager),
        "patch",
        f"/api/v1/cases/{case.pk}",
        {
            "version": 1,
            "country_returned_from": "Сирия",
            "return_date": "2021-05-12",
            "return_history": "Семья жила в лагере три года.",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["return_history"]["return_history"] == "Семья жила в лагере три года."


BAD_PATCHES = [
    pytest.param(
        {"version": 1, "country_returned_from": "Сир\x00ия"}, "country_returned_from", id="nul"
    ),
    pytest.param(
        {"version": 1, "country_returned_from": "x" * 101}, "country_returned_from", id="overlong"
    ),
    pytest.param({"version": 1, "return_date": "2021-02-30"}, "return_date", id="impossible-date"),
    pytest.param({"version": 1, "phase": 7}, "phase", id="wrong-type"),
    pytest.param({"version": "one", "phase": "monitoring"}, "version", id="wrong-version-type"),
    pytest.param({"phase": "monitoring"}, "version", id="no-version"),
    pytest.param({"version": 1, "status": "archived"}, "status", id="unknown-status"),
    pytest.param({"version": 1, "status": None}, "status", id="null-status"),
    pytest.param(
        {"version": 1, "status": "registered", "phase": "monitoring", "x": 1},
        None,
        id="extra-field",
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_PATCHES)
def test_it_answers_bad_input_with_a_clear_error_and_changes_nothing(
    world: World, body: dict[str, Any], field: str | None
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    response = _json(api_client(manager), "patch", f"/api/v1/cases/{case.pk}", body)
    if field is None:
        # Unknown fields are ignored; the rest is applied.
        assert response.status_code == 200
        return
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["status"] == 422
    assert any(field in e["field"] for e in problem["errors"]), problem
    case.refresh_from_db()
    assert case.version == 1
    assert case.country_returned_from == ""


def test_it_refuses_an_illegal_status_change(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    client = api_client(manager)
    response = _json(
        client, "patch", f"/api/v1/cases/{case.pk}", {"version": 1, "status": "reopened"}
    )
    assert response.status_code == 422
    # Closing skips no checklist: it goes through the closure page and a supervisor.
    closed = _json(client, "patch", f"/api/v1/cases/{case.pk}", {"version": 1, "status": "closed"})
    assert closed.status_code == 422
    case.refresh_from_db()
    assert case.status != "closed" and case.closed_at is None and case.version == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?offset=-1", 422),
        ("?limit=abc", 422),
        ("?offset=99999999999999999999", 422),
        ("?status=archived", 422),
        ("?q=%00", 422),
        ("?q=" + "x" * 101, 422),
        ("?limit=1000000000000000000000", 200),
        ("?limit=-5", 200),
        ("?offset=100000", 200),
    ],
)
def test_it_clamps_or_refuses_out_of_range_list_parameters(
    world: World, query: str, status: int
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    open_case(manager)
    response = api_client(manager).get(f"/api/v1/cases{query}")
    assert response.status_code == status, response.content
    if status == 200:
        assert 1 <= response.json()["limit"] <= 100
    else:
        assert response["Content-Type"] == "application/problem+json"


def test_it_pages_filters_and_searches_the_list(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    cases = [open_case(manager) for _ in range(5)]
    special = open_case(manager, person=person(given_name="Зарина", family_name="Омарова"))
    client = api_client(manager)
    page = client.get("/api/v1/cases?limit=2&offset=2").json()
    assert page["count"] == 6
    assert len(page["items"]) == 2
    assert all("given_name" not in item for item in page["items"])  # discreet: initials only
    by_name = client.get("/api/v1/cases?q=омаров").json()
    assert [i["id"] for i in by_name["items"]] == [special.pk]
    tail = cases[0].number.rsplit("-", 1)[1]
    by_number = client.get(f"/api/v1/cases?q={tail}").json()
    assert [i["id"] for i in by_number["items"]] == [cases[0].pk]
    _json(client, "patch", f"/api/v1/cases/{special.pk}", {"version": 1, "phase": "monitoring"})
    monitoring = client.get("/api/v1/cases?phase=monitoring").json()
    assert [i["id"] for i in monitoring["items"]] == [special.pk]
    almaty = client.get("/api/v1/cases?region=kz-almaty").json()
    assert almaty["count"] == 0
    assert client.get("/api/v1/cases?region=kz-karaganda").json()["count"] == 6


def test_it_does_not_let_the_risk_filter_reveal_risk_to_roles_that_may_not_see_it(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    school = world.staff(Role.SCHOOL_LIAISON)
    high = open_case(manager, team=[(school, Role.SCHOOL_LIAISON)], risk_level="high")
    client = api_client(school)
    assert client.get("/api/v1/cases").json()["items"][0]["risk_level"] is None
    assert client.get("/api/v1/cases?risk_level=high").json()["count"] == 0
    assert (
        api_client(manager).get("/api/v1/cases?risk_level=high").json()["items"][0]["id"] == high.pk
    )


def test_it_manages_the_team_through_the_api_with_audit(world: World) -> None:
    from tirek.audit.models import Action, AuditEntry

    manager = world.staff(Role.CASE_MANAGER)
    lawyer = world.staff(Role.LAWYER)
    case = open_case(manager)
    client = api_client(manager)
    added = _json(
        client, "post", f"/api/v1/cases/{case.pk}/team", {"user_id": lawyer.pk, "role": "lawyer"}
    )
    assert added.status_code == 201, added.content
    member_id = added.json()["id"]
    wrong_role = _json(
        client,
        "post",
        f"/api/v1/cases/{case.pk}/team",
        {"user_id": lawyer.pk, "role": "psychologist"},
    )
    assert wrong_role.status_code == 422
    assert api_client(lawyer).get(f"/api/v1/cases/{case.pk}").status_code == 200
    removed = client.delete(f"/api/v1/cases/{case.pk}/team/{member_id}")
    assert removed.status_code == 204
    assert api_client(lawyer).get(f"/api/v1/cases/{case.pk}").status_code == 404
    changes = AuditEntry.objects.filter(
        action=Action.PERMISSION_CHANGE, object_type="cases.case", object_id=str(case.pk)
    )
    details = [e.detail for e in changes]
    assert any(d.get("team_added") == lawyer.pk for d in details)
    assert any(d.get("team_removed") == lawyer.pk for d in details)
    lead = CaseTeamMember.objects.get(case=case, user=manager)
    assert client.delete(f"/api/v1/cases/{case.pk}/team/{lead.pk}").status_code == 403


def test_it_creates_notes_through_the_api_only_in_sections_one_may_write(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    case = open_case(manager, team=[(psychologist, Role.PSYCHOLOGIST)])
    note = {
        "kind": "session",
        "section": "psychological",
        "occurred_on": "2026-01-05",
        "narrative": "Встреча.",
    }
    assert (
        _json(api_client(psychologist), "post", f"/api/v1/cases/{case.pk}/notes", note).status_code
        == 201
    )
    refused = _json(api_client(manager), "post", f"/api/v1/cases/{case.pk}/notes", note)
    assert refused.status_code == 422
    future = dict(note, occurred_on="2999-01-01")
    assert (
        _json(
            api_client(psychologist), "post", f"/api/v1/cases/{case.pk}/notes", future
        ).status_code
        == 422
    )
    empty = dict(note, narrative="")
    assert (
        _json(api_client(psychologist), "post", f"/api/v1/cases/{case.pk}/notes", empty).status_code
        == 422
    )
    listed = api_client(manager).get(f"/api/v1/cases/{case.pk}/notes").json()
    assert listed["count"] == 0  # the case manager does not read psychological notes


def test_it_describes_the_case_endpoints_in_openapi(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/team",
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/cases/{case_id}/emergency-access",
        "/api/v1/consents",
    ):
        assert path in paths, path
