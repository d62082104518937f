"""/api/v1/legal-status and /api/v1/incidents: the policy, problem details, nothing written
on bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from tirek.accounts.roles import Role
from tirek.cases.tests.factories import open_case, person
from tirek.incidents.models import Incident
from tirek.justice.models import LegalStatus
from tirek.testing import World, api_client, today


@pytest.fixture
def scene(world: World) -> dict:
    manager = world.staff(Role.CASE_MANAGER)
    probation = world.staff(Role.PROBATION_OFFICER, agency=world.police, unit=None)
    liaison = world.staff(Role.SCHOOL_LIAISON)
    mother = open_case(
        manager,
        person=person(birth_date=date(1989, 1, 2)),
        team=[(probation, Role.PROBATION_OFFICER)],
    )
    child = open_case(manager, team=[(liaison, Role.SCHOOL_LIAISON)])
    return {"manager": manager, "probation": probation, "liaison": liaison,
            "mother": mother, "child": child}  # fmt: skip


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_legal_status_through_the_api(scene: dict) -> None:
    probation = api_client(scene["probation"])
    mother = scene["mother"]
    body = {"case_id": mother.pk, "status": "probation",
            "start_date": (today() - timedelta(days=5)).isoformat(),
            "next_review": (today() + timedelta(days=30)).isoformat()}  # fmt: skip
    created = _post(probation, "/api/v1/legal-status", body)
    assert created.status_code == 201, created.content
    listed = probation.get(f"/api/v1/legal-status?case_id={mother.pk}")
    assert listed.status_code == 200 and listed.json()["current"]["status"] == "probation"
    # Welfare roles: the same 404 problem as a missing case.
    manager = api_client(scene["manager"])
    hidden = manager.get(f"/api/v1/legal-status?case_id={mother.pk}")
    missing = manager.get("/api/v1/legal-status?case_id=999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden["Content-Type"] == "application/problem+json"
    # Bad input: 422 problem naming the field; a child's case is refused; nothing written.
    for bad, field in (
        ({**body, "start_date": "2090-01-01"}, "start_date"),
        ({**body, "end_date": (today() - timedelta(days=50)).isoformat()}, "end_date"),
        ({**body, "status": "escaped"}, "status"),
        ({**body, "start_date": "99999-01-01"}, "start_date"),
    ):
        answer = _post(probation, "/api/v1/legal-status", bad)
        assert answer.status_code == 422, (bad, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
        assert field in {e["field"] for e in answer.json()["errors"]}
    assert _post(probation, "/api/v1/legal-status",
                 {**body, "case_id": scene["child"].pk}).status_code == 404  # fmt: skip
    assert LegalStatus.objects.count() == 1


def test_incidents_through_the_api(scene: dict) -> None:
    liaison = api_client(scene["liaison"])
    child = scene["child"]
    body = {"case_ids": [child.pk], "kind": "bullying", "place": "school",
            "occurred_on": (today() - timedelta(days=1)).isoformat(),
            "reported_by": "Teacher"}  # fmt: skip
    created = _post(liaison, "/api/v1/incidents", body)
    assert created.status_code == 201, created.content
    incident_id = created.json()["id"]
    assert liaison.get(f"/api/v1/incidents/{incident_id}").status_code == 200
    assert len(liaison.get(f"/api/v1/incidents?case_id={child.pk}").json()) == 1
    probation = api_client(scene["probation"])
    assert probation.get(f"/api/v1/incidents/{incident_id}").status_code == 404
    for bad in (
        {**body, "case_ids": [999999]},
        {**body, "case_ids": [scene["mother"].pk]},  # the liaison is not on her team
        {**body, "occurred_on": (today() + timedelta(days=3)).isoformat()},
        {**body, "child_account": "What I saw"},  # no safeguard
        {**body, "case_ids": []},
    ):
        answer = _post(liaison, "/api/v1/incidents", bad)
        assert answer.status_code == 422, (bad, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
    assert Incident.objects.count() == 1
