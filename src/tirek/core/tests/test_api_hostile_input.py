"""Hostile input at the API (issue 10): ids beyond the database's integers, negative and
zero ids, far dates, null where the database requires a value. Every answer is a 4xx
problem detail; validation problems name the field."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from tirek.accounts.roles import Role
from tirek.testing import World, api_client

HUGE = 2**63
FAR_TIME = "9999-12-31T23:59:59-12:00"


def _send(client: Any, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _a_problem(response: Any, *, field: str | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code and body["title"] and body["detail"]
    if field is not None:
        assert response.status_code == 422
        assert field in [e["field"].split(".")[0] for e in body["errors"]], body
    return body


@pytest.fixture
def scene(world: World) -> dict[str, Any]:
    from tirek.people.tests.helpers import open_case, register

    cache.clear()
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)
    person = register(manager, birth_date=date(2015, 8, 1))
    case = open_case(manager, person)
    return {"manager": manager, "supervisor": supervisor, "person": person, "case": case}


def _bodies(scene: dict[str, Any], bad: Any) -> list[tuple[str, str, Any, str]]:
    """(method, url, body, field) with ``bad`` in an id field."""
    case, person = scene["case"], scene["person"]
    return [
        ("post", "/api/v1/conferences", {"case_ids": [bad], "scheduled_at": "2030-01-01T10:00:00Z"}, "case_ids"),
        ("post", "/api/v1/conferences", {"case_ids": [case.pk], "scheduled_at": "2030-01-01T10:00:00Z", "invite_ids": [bad]}, "invite_ids"),
        ("post", "/api/v1/cases", {"person_id": bad}, "person_id"),
        ("post", "/api/v1/interviews", {"case_id": bad, "reason": "x"}, "case_id"),
        ("post", "/api/v1/consents", {"person_id": person.pk, "purpose": "referral", "recipient_ids": [bad], "valid_from": "2026-01-01"}, "recipient_ids"),
        ("post", "/api/v1/consents", {"person_id": bad, "purpose": "referral", "valid_from": "2026-01-01"}, "person_id"),
        ("post", "/api/v1/services/providers", {"agency_id": bad, "name": "x"}, "agency_id"),
        ("post", "/api/v1/services/providers", {"agency_id": 1, "name": "x", "region_ids": [bad]}, "region_ids"),
        ("post", "/api/v1/services", {"provider_id": bad, "category": "other", "name": "x"}, "provider_id"),
        ("post", "/api/v1/referrals", {"case_id": bad, "provider_id": 1, "reason": "xxxxxxxx"}, "case_id"),
        ("post", "/api/v1/notifications/read", {"ids": [bad]}, "ids"),
        ("post", "/api/v1/training/events", {"title": "x", "start_date": "2030-01-01", "end_date": "2030-01-02", "course_ids": [bad]}, "course_ids"),
        ("post", f"/api/v1/cases/{case.pk}/team", {"user_id": bad, "role": "psychologist"}, "user_id"),
        ("post", f"/api/v1/persons/{person.pk}/relationships", {"relative_id": bad, "kind": "mother"}, "relative_id"),
        ("post", f"/api/v1/cases/{case.pk}/plan/goals", {"domain": "family", "title": "x", "responsible_user_id": bad}, "responsible_user_id"),
    ]  # fmt: skip


@pytest.mark.parametrize("bad", [HUGE, -(2**63) - 1, -1, 0])
@pytest.mark.parametrize("who", ["manager", "supervisor"])
def test_out_of_range_ids_in_bodies_are_refused_as_invalid_fields(
    scene: dict[str, Any], bad: int, who: str
) -> None:
    client = api_client(scene[who])
    for method, url, body, field in _bodies(scene, bad):
        _a_problem(_send(client, method, url, body), field=field)


@pytest.mark.parametrize("bad", [str(HUGE), "-1", "0", str(10**30)])
def test_out_of_range_ids_in_paths_and_queries_are_4xx(scene: dict[str, Any], bad: str) -> None:
    client = api_client(scene["manager"])
    for url in (
        f"/api/v1/cases/{bad}", f"/api/v1/persons/{bad}", f"/api/v1/conferences/{bad}",
        f"/api/v1/referrals/{bad}", f"/api/v1/interviews/{bad}", f"/api/v1/assessments/{bad}",
        f"/api/v1/cases/{bad}/plan", f"/api/v1/services/{bad}", f"/api/v1/training/events/{bad}",
        f"/api/v1/services?region_id={bad}", f"/api/v1/cases?limit={bad}&offset={bad}",
        f"/api/v1/persons?limit={bad}&offset={bad}", f"/api/v1/indicators/values?region_id={bad}",
    ):  # fmt: skip
        _a_problem(client.get(url)) if client.get(url).status_code >= 400 else None
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("when", [FAR_TIME, "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z"])
def test_a_conference_at_a_far_time_is_an_invalid_field(scene: dict[str, Any], when: str) -> None:
    client = api_client(scene["supervisor"])
    body = {"case_ids": [scene["case"].pk], "scheduled_at": when}
    _a_problem(_send(client, "post", "/api/v1/conferences", body), field="scheduled_at")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1000-01-01"])
def test_far_dates_are_invalid_fields(scene: dict[str, Any], day: str) -> None:
    client = api_client(scene["manager"])
    case, person = scene["case"], scene["person"]
    for method, url, body, field in [
        ("post", "/api/v1/persons", {"given_name": "А", "family_name": "Б", "birth_date": day}, "birth_date"),
        ("patch", f"/api/v1/persons/{person.pk}", {"version": person.version, "birth_date": day}, "birth_date"),
        ("patch", f"/api/v1/cases/{case.pk}", {"version": case.version, "return_date": day}, "return_date"),
        ("post", f"/api/v1/cases/{case.pk}/plan/goals", {"domain": "family", "title": "x", "target_date": day}, "target_date"),
        ("post", "/api/v1/persons/duplicates", {"given_name": "А", "family_name": "Б", "birth_date": day}, "birth_date"),
    ]:  # fmt: skip
        _a_problem(_send(client, method, url, body), field=field)


def test_a_value_no_schema_bounded_is_still_a_422_not_a_crash(
    scene: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: OverflowError from a database driver or a date
    computation is the client's input, answered 422 (and logged for a schema bound)."""
    from tirek.cases import api as cases_api

    def overflow(*args: Any, **kwargs: Any) -> Any:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(cases_api.policy, "get_case", overflow)
    response = api_client(scene["manager"]).get(f"/api/v1/cases/{scene['case'].pk}")
    assert _a_problem(response)["status"] == 422
