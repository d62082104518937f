from __future__ import annotations

from datetime import date

import pytest

from tirek.accounts.roles import Role
from tirek.core.exceptions import Conflict
from tirek.testing import World, logged_in_client
from tirek.training import services
from tirek.training.models import Attendance, Event

from .factories import attend, event, short_course


@pytest.fixture
def setup(world: World) -> dict:
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    course = short_course()
    trainer = world.staff(Role.TRAINER, username="trainer-own")
    other_trainer = world.staff(Role.TRAINER, username="trainer-other")
    ev = event(coordinator, course, title="Своё мероприятие")
    services.trainer_assign(by=coordinator, event=ev, user=trainer, is_master=True)
    foreign = event(coordinator, course, title="Чужое мероприятие")
    services.trainer_assign(by=coordinator, event=foreign, user=other_trainer, is_master=True)
    return {"coordinator": coordinator, "trainer": trainer, "event": ev, "foreign": foreign}


def test_it_shows_events_by_role(setup: dict, world: World) -> None:
    coordinator_page = (
        logged_in_client(setup["coordinator"]).get("/training/events/").content.decode()
    )
    assert "Своё мероприятие" in coordinator_page and "Чужое мероприятие" in coordinator_page
    trainer = logged_in_client(setup["trainer"])
    page = trainer.get("/training/events/").content.decode()
    assert "Своё мероприятие" in page and "Чужое мероприятие" not in page
    assert trainer.get(f"/training/events/{setup['event'].pk}/").status_code == 200
    assert trainer.get(f"/training/events/{setup['foreign'].pk}/").status_code == 404
    for role in (Role.CASE_MANAGER, Role.ADMIN):
        client = logged_in_client(world.staff(role))
        assert client.get("/training/events/").status_code == 403
        assert client.get(f"/training/events/{setup['event'].pk}/").status_code == 404


def test_it_shows_nav_items_by_role(setup: dict, world: World) -> None:
    learner_page = (
        logged_in_client(world.staff(Role.CASE_MANAGER)).get("/training/").content.decode()
    )
    assert (
        "Обучение</a>" in learner_page
        and 'href="/training/events/">Мероприятия' not in learner_page
    )
    trainer_page = logged_in_client(setup["trainer"]).get("/training/").content.decode()
    assert 'href="/training/events/">Мероприятия</a>' in trainer_page


def test_it_lets_a_trainer_record_attendance_and_tests_of_their_event(
    setup: dict, world: World
) -> None:
    ev, trainer = setup["event"], setup["trainer"]
    learner = world.staff(Role.PSYCHOLOGIST)
    participant = services.participant_add(by=setup["coordinator"], event=ev, user=learner)
    client = logged_in_client(trainer)
    days = [f"{participant.pk}@{d.isoformat()}" for d in ev.days[:4]]
    assert (
        client.post(f"/training/events/{ev.pk}/attendance/", {"present": days}).status_code == 302
    )
    assert Attendance.objects.filter(participant=participant).count() == 4
    response = client.post(
        f"/training/events/{ev.pk}/scores/",
        {f"pre_{participant.pk}": "45", f"post_{participant.pk}": "82,5"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.pre_score, participant.post_score, participant.gain) == (45, 82.5, 37.5)
    page = client.get(f"/training/events/{ev.pk}/").content.decode()
    assert "80%" in page
    # The trainer records; issuing certificates stays with the coordinator.
    assert "Issue certificate" not in page and "Выдать сертификат" not in page


@pytest.mark.parametrize(
    "pre,post", [("150", "50"), ("abc", ""), ("-1", "20"), ("NaN", "1"), ("1e999", "")]
)
def test_it_refuses_impossible_scores_without_changes(
    setup: dict, world: World, pre: str, post: str
) -> None:
    ev = setup["event"]
    participant = services.participant_add(by=setup["coordinator"], event=ev, full_name="Внешний")
    attend(setup["coordinator"], participant, days=5, post=60)
    response = logged_in_client(setup["trainer"]).post(
        f"/training/events/{ev.pk}/scores/",
        {f"pre_{participant.pk}": pre, f"post_{participant.pk}": post},
    )
    assert response.status_code == 422
    participant.refresh_from_db()
    assert participant.post_score == 60


def test_it_refuses_attendance_outside_the_events_days(setup: dict) -> None:
    ev = setup["event"]
    participant = services.participant_add(by=setup["coordinator"], event=ev, full_name="Внешний")
    client = logged_in_client(setup["trainer"])
    for bad in (
        f"{participant.pk}@2001-01-01",
        f"{participant.pk}@2026-02-31",
        "x@y",
        f"999999@{ev.start_date}",
    ):
        response = client.post(
            f"/training/events/{ev.pk}/attendance/", {"present": [bad]}, follow=True
        )
        assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_it_creates_an_event_and_refuses_bad_dates(setup: dict) -> None:
    client = logged_in_client(setup["coordinator"])
    course = setup["event"].courses.get()
    data = {
        "title": "Вебинар",
        "kind": Event.Kind.WEBINAR,
        "mode": Event.Mode.ONLINE,
        "start_date": "2026-05-10",
        "end_date": "2026-05-09",
        "language": "ru",
        "courses": [course.pk],
        "attendance_threshold": 80,
        "pass_mark": 70,
    }
    assert client.post("/training/events/new/", data).status_code == 422
    assert (
        client.post("/training/events/new/", {**data, "end_date": "2026-02-30"}).status_code == 422
    )
    assert client.post("/training/events/new/", {**data, "title": "x\x00"}).status_code == 422
    assert not Event.objects.filter(title="Вебинар").exists()
    assert (
        client.post("/training/events/new/", {**data, "end_date": "2026-05-10"}).status_code == 302
    )
    assert Event.objects.get(title="Вебинар").days == [date(2026, 5, 10)]
    assert logged_in_client(setup["trainer"]).post("/training/events/new/", data).status_code == 403


def test_it_refuses_a_stale_event_edit(setup: dict) -> None:
    ev = setup["event"]
    services.event_update(by=setup["coordinator"], event=ev, version=ev.version, place="Астана")
    with pytest.raises(Conflict):
        services.event_update(by=setup["coordinator"], event=ev, version=ev.version, place="Алматы")
    ev.refresh_from_db()
    assert ev.place == "Астана" and ev.version == 2


def test_it_keeps_learners_scores_private(setup: dict, world: World) -> None:
    ev = setup["event"]
    first, second = world.staff(Role.SOCIAL_WORKER), world.staff(Role.SOCIAL_WORKER)
    for user in (first, second):
        services.participant_add(by=setup["coordinator"], event=ev, user=user)
    client = logged_in_client(first)
    assert client.get(f"/training/events/{ev.pk}/").status_code == 404
    assert client.get(f"/training/events/{ev.pk}/export.csv").status_code == 404
    page = client.get("/training/").content.decode()
    assert "Своё мероприятие" in page  # their own participation
    assert second.username not in page
