from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tirek.accounts.roles import Role
from tirek.testing import World, api_client
from tirek.training import services

from .factories import attend, event, lessons, short_course


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def test_it_lists_courses_and_my_progress(world: World) -> None:
    learner = world.staff(Role.CASE_MANAGER)
    course = short_course()
    short_course(code="hidden", published=False)
    client = api_client(learner)
    listed = client.get("/api/v1/training/courses").json()
    assert [c["code"] for c in listed] == ["short"]
    assert (
        client.post(f"/api/v1/training/lessons/{lessons(course)[0].pk}/complete").json()["percent"]
        == 50
    )
    assert (
        client.post(f"/api/v1/training/lessons/{lessons(course)[1].pk}/complete").status_code == 403
    )
    progress = client.get("/api/v1/training/me/progress").json()
    assert progress[0]["lessons_done"] == 1 and progress[0]["lessons_total"] == 2
    detail = client.get(f"/api/v1/training/courses/{course.pk}").json()
    assert [lesson["done"] for lesson in detail["modules"][0]["lessons"]] == [True, False]


def test_it_verifies_certificates_without_a_token(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    learner = world.staff(Role.INTERVIEWER)
    participant = services.participant_add(
        by=coordinator, event=event(coordinator, short_course()), user=learner
    )
    attend(coordinator, participant, days=5, post=90)
    (certificate,) = services.certificate_issue_for_participant(
        by=coordinator, participant=participant
    )
    response = Client().get(f"/api/v1/training/certificates/verify/{certificate.code}")
    assert response.json() == {
        "status": "valid",
        "holder": participant.full_name,
        "course": "Короткий курс",
    }
    missing = Client().get("/api/v1/training/certificates/verify/AAAAAAAAAAAAAAAA")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    mine = api_client(learner).get("/api/v1/training/me/certificates").json()
    assert [c["code"] for c in mine] == [certificate.code]


def test_it_answers_events_by_role_and_refuses_bad_input(world: World) -> None:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    course = short_course()
    client = api_client(coordinator)
    payload = {
        "title": "Семинар",
        "kind": "workshop",
        "mode": "online",
        "start_date": "2026-04-01",
        "end_date": "2026-04-02",
        "course_ids": [course.pk],
    }
    created = client.post("/api/v1/training/events", payload, content_type="application/json")
    assert created.status_code == 201
    event_id = created.json()["id"]
    for bad in (
        {**payload, "end_date": "2026-03-01"},
        {**payload, "start_date": "2026-02-30"},
        {**payload, "title": "a\x00b"},
        {**payload, "title": "x" * 300},
        {**payload, "course_ids": [999999]},
        {**payload, "course_ids": []},
        {**payload, "kind": "party"},
    ):
        response = client.post("/api/v1/training/events", bad, content_type="application/json")
        assert response.status_code == 422, bad
    assert client.get("/api/v1/training/events?limit=100000").status_code == 422
    assert client.get("/api/v1/training/events/99999999999999999999999").status_code in (404, 422)
    added = client.post(
        f"/api/v1/training/events/{event_id}/participants",
        {"full_name": "Гость", "sex": "female"},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["full_name"] == "Гость"
    nul = client.post(
        f"/api/v1/training/events/{event_id}/participants",
        {"full_name": "Г\x00"},
        content_type="application/json",
    )
    assert nul.status_code == 422
    assert len(client.get(f"/api/v1/training/events/{event_id}/participants").json()) == 1
    learner = api_client(world.staff(Role.CASE_MANAGER))
    assert learner.get("/api/v1/training/events").status_code == 403
    assert learner.get(f"/api/v1/training/events/{event_id}").status_code == 404
    assert (
        learner.post(
            "/api/v1/training/events", payload, content_type="application/json"
        ).status_code
        == 403
    )
