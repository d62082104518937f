"""The one PATCH rule (DESIGN.md section 7), endpoint by endpoint: a field left out is
unchanged; null clears a field that may be empty; null on a field that may not be empty
is a 422 naming the field, and nothing changes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.testing import World, api_client


def _patch(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


def test_the_rule_is_written_in_the_openapi_document(client: Any, db: None) -> None:
    description = client.get("/api/v1/openapi.json").json()["info"]["description"]
    assert "left out of the body is unchanged" in description
    assert "`null` on a" in description and "refused (422)" in description


def test_cases(world: World) -> None:
    from tirek.people.tests.helpers import open_case, register

    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager, register(manager))
    client, url = api_client(manager), f"/api/v1/cases/{case.pk}"
    first = _patch(client, url, {"version": case.version, "return_history": "Вернулась в 2019."})
    assert first.status_code == 200
    version = first.json()["version"]
    # Left out: unchanged.
    kept = _patch(client, url, {"version": version, "country_returned_from": "SY"})
    assert kept.status_code == 200
    case.refresh_from_db()
    assert case.return_history == "Вернулась в 2019." and case.country_returned_from == "SY"
    # null on a field that may not be empty: refused, nothing changed.
    _refused(_patch(client, url, {"version": kept.json()["version"], "risk_level": None,
                                  "return_history": None}), "risk_level")  # fmt: skip
    case.refresh_from_db()
    assert case.return_history == "Вернулась в 2019."
    # null on a field that may be empty: the explicit erase.
    erased = _patch(client, url, {"version": kept.json()["version"], "return_history": None})
    assert erased.status_code == 200
    case.refresh_from_db()
    assert case.return_history == "" and case.country_returned_from == "SY"


def test_persons(world: World) -> None:
    from tirek.people.tests.helpers import register

    manager = world.staff(Role.CASE_MANAGER)
    person = register(manager, patronymic="Рустамовна", birth_place="Ракка")
    client, url = api_client(manager), f"/api/v1/persons/{person.pk}"
    _refused(_patch(client, url, {"version": person.version, "given_name": None}), "given_name")
    _refused(_patch(client, url, {"version": person.version, "sex": None}), "sex")
    kept = _patch(client, url, {"version": person.version, "languages": ["ru"]})
    assert kept.status_code == 200
    person.refresh_from_db()
    assert person.patronymic == "Рустамовна" and person.birth_date == date(2015, 8, 1)
    cleared = _patch(
        client, url, {"version": person.version, "patronymic": None, "birth_date": None}
    )
    assert cleared.status_code == 200, cleared.content
    person.refresh_from_db()
    assert person.patronymic == "" and person.birth_date is None
    assert person.given_name == "Айша" and person.birth_place == "Ракка"


@pytest.fixture
def plan_items(world: World, instruments: None) -> tuple[Any, str, dict[str, Any], dict[str, Any]]:
    from tirek.assessments.tests.factories import make_team

    team = make_team(world)
    client, url = api_client(team.manager), f"/api/v1/cases/{team.case.pk}"
    goal = client.post(
        f"{url}/plan/goals",
        {"domain": "family", "title": "Опека бабушки", "indicator": "Решение органа опеки",
         "target_date": (timezone.localdate() + timedelta(days=60)).isoformat()},
        content_type="application/json",
    ).json()  # fmt: skip
    item = client.post(
        f"{url}/plan/goals/{goal['id']}/interventions",
        {"title": "Консультация юриста", "frequency": "раз в месяц"},
        content_type="application/json",
    ).json()
    return client, url, goal, item


@pytest.fixture
def instruments(db: None) -> None:
    from tirek.assessments.services import instruments_load

    instruments_load()


def test_plan_goals(plan_items: tuple[Any, str, dict[str, Any], dict[str, Any]]) -> None:
    client, url, goal, _item = plan_items
    goal_url = f"{url}/plan/goals/{goal['id']}"
    for field in ("title", "domain", "status", "progress"):
        _refused(_patch(client, goal_url, {"version": goal["version"], field: None}), field)
    cleared = _patch(
        client, goal_url, {"version": goal["version"], "indicator": None, "target_date": None}
    )
    assert cleared.status_code == 200, cleared.content
    body = cleared.json()
    assert body["indicator"] == "" and body["target_date"] is None
    assert body["title"] == "Опека бабушки"


def test_plan_interventions(plan_items: tuple[Any, str, dict[str, Any], dict[str, Any]]) -> None:
    client, url, _goal, item = plan_items
    item_url = f"{url}/plan/interventions/{item['id']}"
    for field in ("title", "status"):
        _refused(_patch(client, item_url, {"version": item["version"], field: None}), field)
    cleared = _patch(client, item_url, {"version": item["version"], "frequency": None})
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["frequency"] == "" and cleared.json()["title"] == "Консультация юриста"


def test_conferences(world: World) -> None:
    from tirek.conferences import services
    from tirek.conferences.models import Conference
    from tirek.referrals.tests.conftest import build_scene

    scene = build_scene(world)
    conference = services.conference_schedule(
        by=scene.sup, cases=[scene.case], scheduled_at=timezone.now() + timedelta(days=1),
        location="Зал 2", agenda="Пересмотр плана", invite=[scene.cm],
    )  # fmt: skip
    client, url = api_client(scene.sup), f"/api/v1/conferences/{conference.pk}"
    _refused(_patch(client, url, {"version": conference.version, "scheduled_at": None}),
             "scheduled_at")  # fmt: skip
    _refused(_patch(client, url, {"version": conference.version, "status": None}), "status")
    kept = _patch(client, url, {"version": conference.version, "decisions": "Продолжить план."})
    assert kept.status_code == 200, kept.content
    cleared = _patch(client, url, {"version": kept.json()["version"], "location": None})
    assert cleared.status_code == 200, cleared.content
    conference = Conference.objects.get(pk=conference.pk)
    assert conference.location == "" and conference.agenda == "Пересмотр плана"
    assert conference.decisions == "Продолжить план."
    attendance = conference.participants.first()
    _refused(
        _patch(client, f"{url}/participants/{attendance.pk}", {"attendance": None}), "attendance"
    )


def test_service_directory(world: World) -> None:
    from tirek.referrals import services

    sup = world.staff(Role.SUPERVISOR)
    provider = services.provider_create(
        by=sup, agency=world.centre, name="Психологи", phone="+7 700 000 00 00"
    )
    client, url = api_client(sup), f"/api/v1/services/providers/{provider.pk}"
    _refused(_patch(client, url, {"version": 1, "name": None}), "name")
    _refused(_patch(client, url, {"version": 1, "region_ids": None}), "region_ids")
    cleared = _patch(client, url, {"version": 1, "phone": None, "languages": None})
    assert cleared.status_code == 200, cleared.content
    provider.refresh_from_db()
    assert provider.phone == "" and provider.languages == [] and provider.name == "Психологи"
    service = services.service_create(
        by=sup, provider=provider, category="psychological", name="Консультации", capacity=5
    )
    service_url = f"/api/v1/services/{service.pk}"
    _refused(_patch(client, service_url, {"version": 1, "name": None}), "name")
    _refused(_patch(client, service_url, {"version": 1, "is_active": None}), "is_active")
    cleared = _patch(client, service_url, {"version": 1, "capacity": None})
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["capacity"] is None and cleared.json()["name"] == "Консультации"


def test_assessments(world: World, instruments: None) -> None:
    from tirek.assessments import services
    from tirek.assessments.models import Assessment
    from tirek.assessments.tests.factories import make_team

    team = make_team(world)
    draft = services.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-child-needs"
    )
    client, url = api_client(team.manager), f"/api/v1/assessments/{draft.pk}"
    saved = _patch(client, url, {"version": draft.version, "remarks": "Психолог дополнит."})
    assert saved.status_code == 200, saved.content
    version = saved.json()["version"]
    _refused(_patch(client, url, {"version": version, "assessed_on": None}), "assessed_on")
    kept = _patch(client, url, {"version": version, "own_views": "Хочу в школу."})
    assert kept.status_code == 200
    assert Assessment.objects.get(pk=draft.pk).remarks == "Психолог дополнит."
    cleared = _patch(client, url, {"version": kept.json()["version"], "remarks": None})
    assert cleared.status_code == 200, cleared.content
    draft.refresh_from_db()
    assert draft.remarks == "" and draft.own_views == "Хочу в школу."
