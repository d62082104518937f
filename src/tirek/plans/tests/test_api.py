"""The plan API end to end, and the edges: no token, unknown ids, huge ids, OpenAPI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.assessments.tests.factories import CHILD_BASELINE, complete, make_team
from tirek.testing import World, api_client, logged_in_client


def test_it_builds_and_approves_a_plan_through_the_api(world: World, instruments: None) -> None:
    team = make_team(world)
    manager, supervisor = api_client(team.manager), api_client(team.supervisor)
    url = f"/api/v1/cases/{team.case.pk}"
    empty = manager.get(f"{url}/plan").json()
    assert (empty["id"], empty["status"], empty["goals"]) == (None, "draft", [])
    assert len(empty["submit_problems"]) == 2  # no assessment, no goal
    goal = manager.post(
        f"{url}/plan/goals",
        {
            "domain": "family",
            "title": "Оформлена опека бабушки",
            "indicator": "Решение органа опеки",
            "target_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "responsible_agency_id": world.ngo.pk,
        },
        content_type="application/json",
    )
    assert goal.status_code == 201
    goal_id = goal.json()["id"]
    item = manager.post(
        f"{url}/plan/goals/{goal_id}/interventions",
        {"title": "Консультация юриста", "provider_id": world.ngo.pk, "frequency": "раз в месяц"},
        content_type="application/json",
    )
    assert item.status_code == 201
    bad_period = manager.patch(
        f"{url}/plan/interventions/{item.json()['id']}",
        {
            "version": 1,
            "start_date": timezone.localdate().isoformat(),
            "end_date": (timezone.localdate() - timedelta(days=5)).isoformat(),
        },
        content_type="application/json",
    )
    assert bad_period.status_code == 422
    assert bad_period.json()["errors"][0]["field"] == "end_date"
    plan = manager.get(f"{url}/plan").json()
    refused = manager.post(
        f"{url}/plan/submit", {"version": plan["version"]}, content_type="application/json"
    )
    assert refused.status_code == 403  # no completed comprehensive assessment yet
    complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    submitted = manager.post(
        f"{url}/plan/submit", {"version": plan["version"]}, content_type="application/json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    stale = supervisor.post(
        f"{url}/plan/approve", {"version": plan["version"]}, content_type="application/json"
    )
    assert stale.status_code == 409
    approved = supervisor.post(
        f"{url}/plan/approve",
        {"version": submitted.json()["version"], "comment": "Да"},
        content_type="application/json",
    )
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["approved_number"]) == ("approved", 1)
    assert [d["decision"] for d in body["decisions"]] == ["approved", "submitted"]
    journey = manager.get(f"{url}/journey").json()
    assert journey["step"] in ("implementation", "review")
    assert {i["step"] for i in journey["schedule"]} >= {"initial_assessment", "plan", "review"}
    review = manager.post(
        f"{url}/reviews",
        {
            "held_on": timezone.localdate().isoformat(),
            "child_views": "Живу с бабушкой, всё хорошо.",
            "decisions": "Продолжать.",
            "progress": [{"goal_id": goal_id, "progress": 2, "status": "in_progress"}],
        },
        content_type="application/json",
    )
    assert review.status_code == 201
    assert review.json()["progress"][0]["progress"] == 2
    assert len(manager.get(f"{url}/reviews").json()) == 1
    closure = manager.get(f"{url}/closure").json()
    assert closure["case_status"] == "active" and len(closure["criteria"]) == 6


def test_it_refuses_calls_without_a_token(db: None) -> None:
    response = Client().get("/api/v1/cases/1/plan")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/999999/plan",
        "/api/v1/cases/999999/reviews",
        "/api/v1/cases/999999/closure",
        "/api/v1/cases/999999/journey",
        "/api/v1/cases/999999/plan/versions/1",
    ],
)
def test_it_answers_404_for_unknown_cases(world: World, path: str) -> None:
    response = api_client(world.staff(Role.SUPERVISOR)).get(path)
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path", ["plan", "reviews", "closure", "assessments"])
def test_it_never_fails_on_a_huge_id(world: World, path: str) -> None:
    user = world.staff(Role.CASE_MANAGER)
    huge = "9" * 30
    assert api_client(user).get(f"/api/v1/cases/{huge}/{path}").status_code in (404, 422)
    assert logged_in_client(user).get(f"/cases/{huge}/{path}/").status_code == 404


def test_it_describes_every_endpoint_in_openapi(world: World) -> None:
    doc = api_client(world.staff(Role.CASE_MANAGER)).get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/instruments",
        "/api/v1/cases/{case_id}/assessments",
        "/api/v1/assessments/{assessment_id}/complete",
        "/api/v1/cases/{case_id}/plan/approve",
        "/api/v1/cases/{case_id}/reviews",
        "/api/v1/cases/{case_id}/closure/approve",
        "/api/v1/cases/{case_id}/reopen",
        "/api/v1/cases/{case_id}/follow-ups/{follow_up_id}",
        "/api/v1/tasks",
    ):
        assert path in paths, path
    schemas = doc["components"]["schemas"]
    assert {"PlanReviewIn", "CaseworkVersionIn", "AssessmentVersionIn"} <= set(schemas)
