from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.audit.selectors import audit_entries
from tirek.cases import services as case_services
from tirek.cases.tests.factories import open_case
from tirek.conferences import services
from tirek.conferences.models import ActionItem, ActionStatus, Conference
from tirek.referrals.models import Notification, NotificationKind
from tirek.referrals.tests.conftest import Scene
from tirek.testing import api_client, logged_in_client

JSON = "application/json"


def _tomorrow() -> timezone.datetime:
    return timezone.now() + timedelta(days=1)


@pytest.fixture
def conference(scene: Scene) -> Conference:
    """A conference on the case with the liaison on the team (education only)."""
    case_services.team_member_add(
        by=scene.cm, case=scene.case, user=scene.liaison, role=Role.SCHOOL_LIAISON
    )
    return services.conference_schedule(
        by=scene.sup,
        cases=[scene.case],
        scheduled_at=_tomorrow(),
        location="Центр «Тірек», зал 2",
        agenda="Пересмотр плана",
        invite=[scene.cm, scene.psych, scene.liaison],
    )


def test_scheduling_invites_and_notifies_the_participants(
    scene: Scene, conference: Conference
) -> None:
    invited = set(conference.participants.values_list("user__username", flat=True))
    assert invited == {"zhanar", "aigerim", "marat", "svetlana"}
    notified = set(
        Notification.objects.filter(kind=NotificationKind.CONFERENCE_INVITED).values_list(
            "user__username", flat=True
        )
    )
    assert notified == {"aigerim", "marat", "svetlana"}


def test_only_those_who_manage_every_case_schedule(scene: Scene) -> None:
    other = open_case(scene.outsider)
    for who, cases in ((scene.psych, [scene.case]), (scene.cm, [scene.case, other])):
        with pytest.raises(PermissionDenied):
            services.conference_schedule(by=who, cases=cases, scheduled_at=_tomorrow())
    assert not Conference.objects.exists()


def test_action_items_appear_in_the_owners_my_work(scene: Scene, conference: Conference) -> None:
    item = services.action_add(
        by=scene.sup,
        conference=conference,
        case=scene.case,
        description="Организовать занятия с тьютором",
        owner=scene.liaison,
        due_date=timezone.localdate() + timedelta(days=14),
    )
    html = logged_in_client(scene.liaison).get("/").content.decode()
    assert 'data-testid="my-actions"' in html
    assert "Организовать занятия с тьютором" in html
    # The conference they are invited to waits with its place; not for someone else.
    assert "Ближайшие конференции" in html and "Центр «Тірек», зал 2" in html
    elsewhere = logged_in_client(scene.outsider).get("/").content.decode()
    assert "Ближайшие конференции" not in elsewhere
    assert (
        "Организовать занятия с тьютором"
        not in logged_in_client(scene.psych).get("/").content.decode()
    )
    mine = api_client(scene.liaison).get("/api/v1/conferences/actions/mine").json()
    assert [a["id"] for a in mine["items"]] == [item.pk]
    assert Notification.objects.filter(
        user=scene.liaison, kind=NotificationKind.CONFERENCE_ACTION
    ).exists()
    done = api_client(scene.liaison).post(
        f"/api/v1/conferences/actions/{item.pk}/close",
        data={"version": item.version, "note": "Начаты занятия"},
        content_type=JSON,
    )
    assert done.status_code == 200
    assert done.json()["status"] == ActionStatus.DONE
    assert (
        "Организовать занятия с тьютором"
        not in logged_in_client(scene.liaison).get("/").content.decode()
    )


def test_an_overdue_action_shows_on_the_supervisors_list(
    scene: Scene, conference: Conference
) -> None:
    from tirek.cases.tests.test_page_queries import queries

    supervisor = logged_in_client(scene.sup)
    cost = queries(supervisor, "/")
    item = services.action_add(
        by=scene.sup,
        conference=conference,
        case=scene.case,
        description="Собрать документы",
        owner=scene.cm,
        due_date=timezone.localdate() + timedelta(days=1),
    )
    late = timezone.localdate() - timedelta(days=3)
    ActionItem.objects.filter(pk=item.pk).update(due_date=late)
    html = logged_in_client(scene.sup).get("/").content.decode()
    assert "Собрать документы" in html
    assert queries(supervisor, "/") == cost  # read with the other "my work" rows
    # The line names the case, the child's initials, the action, who holds it and the date.
    heading = "Просроченные поручения в вашем подразделении"

    def others_overdue(user: object) -> list[str]:
        page = logged_in_client(user).get("/").content.decode()
        if heading not in page:
            return []
        block = page[page.index(heading) :]
        block = block[: block.index("</ul>")]
        items = re.findall(r"<li>(.*?)</li>", block, re.S)
        return [" ".join(re.sub(r"<[^>]+>", " ", i).split()) for i in items]

    person = scene.case.person
    owner = scene.cm.get_full_name() or scene.cm.username
    line = f"{scene.case.number} · {person.initials} : Собрать документы — {owner}, срок {late:%d.%m.%Y}"
    assert others_overdue(scene.sup) == [line]
    scene.cm.first_name = scene.cm.last_name = ""
    scene.cm.save(update_fields=["first_name", "last_name"])
    assert others_overdue(scene.sup) == [line.replace(owner, scene.cm.username)]
    # Not the holder's own list, nor another unit's supervisor's; not once done.
    assert others_overdue(scene.cm) == []
    assert (
        others_overdue(scene.world.staff(Role.SUPERVISOR, agency=scene.world.centre_almaty)) == []
    )
    ActionItem.objects.filter(pk=item.pk).update(status=ActionStatus.DONE)
    assert others_overdue(scene.sup) == []


def test_an_owner_must_work_on_the_case(scene: Scene, conference: Conference) -> None:
    with pytest.raises(ValidationError):
        services.action_add(
            by=scene.sup,
            conference=conference,
            case=scene.case,
            description="Что-то сделать",
            owner=scene.outsider,
            due_date=timezone.localdate(),
        )
    response = api_client(scene.sup).post(
        f"/api/v1/conferences/{conference.pk}/actions",
        data={
            "case_id": scene.case.pk,
            "description": "x",
            "owner_id": scene.outsider.pk,
            "due_date": "2030-01-01",
        },
        content_type=JSON,
    )
    assert response.status_code == 422
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize(
    "who, status, minutes",
    [
        ("sup", 200, True),
        ("cm", 200, True),
        ("psych", 200, True),
        ("liaison", 200, False),  # on the team for education only: no minutes
        ("outsider", 404, None),
        ("liaison2", 404, None),
    ],
)
def test_who_sees_the_conference_and_its_minutes(
    scene: Scene, conference: Conference, who: str, status: int, minutes: bool | None
) -> None:
    services.conference_update(
        by=scene.sup,
        conference=conference,
        version=conference.version,
        changes={
            "child_views": "Хочет ходить в школу с сестрой",
            "decisions": "Зачислить во 2 класс",
        },
    )
    client = api_client(getattr(scene, who))
    response = client.get(f"/api/v1/conferences/{conference.pk}")
    assert response.status_code == status
    pdf = client.get(f"/api/v1/conferences/{conference.pk}/minutes.pdf")
    if status == 404:
        assert pdf.status_code == 404
        return
    body = response.json()
    if minutes:
        assert body["minutes"]["child_views"] == "Хочет ходить в школу с сестрой"
        assert pdf.status_code == 200
    else:
        assert body["minutes"] is None
        assert "Хочет ходить" not in response.content.decode()
        assert pdf.status_code == 404


def test_a_family_conference_keeps_each_childs_plan_to_its_team(scene: Scene) -> None:
    sibling = open_case(scene.cm)  # the psychologist is not on the sibling's team
    conference = services.conference_schedule(
        by=scene.cm, cases=[scene.case, sibling], scheduled_at=_tomorrow()
    )
    body = api_client(scene.psych).get(f"/api/v1/conferences/{conference.pk}").json()
    assert body["minutes"] is None
    assert (
        api_client(scene.cm).get(f"/api/v1/conferences/{conference.pk}").json()["minutes"]
        is not None
    )


def test_the_minutes_pdf_is_a_pdf_and_is_audited(scene: Scene, conference: Conference) -> None:
    services.action_add(
        by=scene.sup,
        conference=conference,
        case=scene.case,
        description="Консультация психолога",
        owner=scene.psych,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    response = logged_in_client(scene.cm).get(f"/conferences/{conference.pk}/minutes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(
        action=Action.EXPORT, object_type="conferences.conference", object_id=str(conference.pk)
    ).exists()


def test_the_minutes_are_encrypted_at_rest(scene: Scene, conference: Conference) -> None:
    from django.db import connection

    services.conference_update(
        by=scene.sup,
        conference=conference,
        version=conference.version,
        changes={"child_views": "Скучает по маме"},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child_views FROM conferences_conference WHERE id = %s", [conference.pk]
        )
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:") and "маме" not in stored


def test_a_stale_version_is_a_409(scene: Scene, conference: Conference) -> None:
    client = api_client(scene.sup)
    url = f"/api/v1/conferences/{conference.pk}"
    first = client.patch(
        url, data={"version": conference.version, "decisions": "A"}, content_type=JSON
    )
    assert first.status_code == 200
    second = client.patch(
        url, data={"version": conference.version, "decisions": "B"}, content_type=JSON
    )
    assert second.status_code == 409
    conference.refresh_from_db()
    assert conference.decisions == "A"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"decisions": "a\x00b"}, "decisions"),
        ({"status": "finished"}, "status"),
        ({"scheduled_at": "2026-02-30T10:00"}, "scheduled_at"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_bad_input_is_a_422(
    scene: Scene, conference: Conference, payload: dict, field: str
) -> None:
    response = api_client(scene.sup).patch(
        f"/api/v1/conferences/{conference.pk}",
        data={"version": conference.version, **payload},
        content_type=JSON,
    )
    assert response.status_code == 422, response.content
    assert any(e["field"].startswith(field) for e in response.json()["errors"])
    conference.refresh_from_db()
    assert conference.version == 1


def test_only_the_team_runs_the_conference(scene: Scene, conference: Conference) -> None:
    response = api_client(scene.liaison).post(
        f"/api/v1/conferences/{conference.pk}/participants",
        data={"name": "Мать ребёнка", "capacity": "законный представитель"},
        content_type=JSON,
    )
    assert response.status_code == 403
    ok = api_client(scene.cm).post(
        f"/api/v1/conferences/{conference.pk}/participants",
        data={"name": "Мать ребёнка", "capacity": "законный представитель"},
        content_type=JSON,
    )
    assert ok.status_code == 201
    attendance = api_client(scene.cm).patch(
        f"/api/v1/conferences/{conference.pk}/participants/{ok.json()['id']}",
        data={"attendance": "present"},
        content_type=JSON,
    )
    assert attendance.json()["attendance"] == "present"


def test_the_conference_pages(scene: Scene, conference: Conference) -> None:
    client = logged_in_client(scene.sup)
    assert client.get("/conferences/").status_code == 200
    page = client.get(f"/conferences/{conference.pk}/")
    assert page.status_code == 200
    assert "Центр «Тірек», зал 2" in page.content.decode()
    saved = client.post(
        f"/conferences/{conference.pk}/minutes/",
        {
            "version": conference.version,
            "scheduled_at": "2030-05-01T10:00",
            "location": "Зал 3",
            "status": "held",
            "agenda": "План",
            "child_views": "Хочет в кружок",
            "family_views": "",
            "decisions": "Записать в кружок",
        },
    )
    assert saved.status_code == 302
    conference.refresh_from_db()
    assert conference.status == "held" and conference.held_at is not None
    new = client.get(f"/conferences/new/?case={scene.case.pk}")
    assert new.status_code == 200
    assert logged_in_client(scene.outsider).get(f"/conferences/{conference.pk}/").status_code == 404


def test_a_conference_approves_a_submitted_plan(scene: Scene, conference: Conference) -> None:
    plans = pytest.importorskip("tirek.plans.models")
    plan = plans.Plan.objects.create(
        case=scene.case, status="submitted", submitted_by=scene.cm, submitted_at=timezone.now()
    )
    with pytest.raises(PermissionDenied):
        services.conference_approve_plan(
            by=scene.cm,
            conference=conference,
            version=conference.version,
            case=scene.case,
            plan_version=plan.version,
        )
    response = api_client(scene.sup).post(
        f"/api/v1/conferences/{conference.pk}/approve-plan",
        data={
            "version": conference.version,
            "case_id": scene.case.pk,
            "plan_version": plan.version,
        },
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert response.json()["approved_plan_id"] == plan.pk
    plan.refresh_from_db()
    assert plan.status == "approved"
    approval = plan.versions.get()
    assert approval.approved_by == scene.sup
    assert str(conference.pk) in approval.comment


def test_listing_conferences_takes_a_fixed_number_of_queries(
    scene: Scene, django_assert_max_num_queries
) -> None:
    for n in range(1, 9):
        conference = services.conference_schedule(
            by=scene.sup,
            cases=[scene.case],
            scheduled_at=timezone.now() + timedelta(days=n),
            invite=[scene.cm, scene.psych],
        )
        services.action_add(
            by=scene.sup,
            conference=conference,
            case=scene.case,
            description=f"Поручение {n}",
            owner=scene.psych,
            due_date=timezone.localdate() + timedelta(days=n),
        )
    client = api_client(scene.cm)
    client.get("/api/v1/conferences")
    with django_assert_max_num_queries(14):
        body = client.get("/api/v1/conferences").json()
    assert body["count"] == 8
    assert all(item["minutes"] is not None and len(item["actions"]) == 1 for item in body["items"])


def test_my_work_records_the_actions_and_meetings_it_read(
    scene: Scene, conference: Conference
) -> None:
    item = services.action_add(
        by=scene.sup,
        conference=conference,
        case=scene.case,
        description="Собрать документы",
        owner=scene.cm,
        due_date=timezone.localdate() + timedelta(days=1),
    )
    assert "Собрать документы" in logged_in_client(scene.cm).get("/").content.decode()
    read = {
        entry.object_type: entry.detail
        for entry in AuditEntry.objects.filter(
            actor=scene.cm, action=Action.READ, detail__kind="my work"
        )
    }
    assert read["conferences.actionitem"] == {
        "kind": "my work",
        "shown": 1,
        "ids": [item.pk],
        "cases": [scene.case.pk],  # the DPO finds it by the child's case
    }
    assert read["conferences.conference"]["ids"] == [conference.pk]  # the meeting ahead
    by_case = audit_entries(case=scene.case.number).filter(actor=scene.cm, detail__kind="my work")
    assert "conferences.actionitem" in set(by_case.values_list("object_type", flat=True))
