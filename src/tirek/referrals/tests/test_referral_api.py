"""The referral endpoints and pages walked as an access matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.cases import services as case_services
from tirek.referrals import selectors
from tirek.referrals.models import Referral, ReferralStatus
from tirek.testing import api_client, logged_in_client, today

from .conftest import Scene

JSON = "application/json"


def _payload(scene: Scene, **extra: object) -> dict:
    return {
        "case_id": scene.case.pk,
        "provider_id": scene.provider.pk,
        "service_id": scene.service.pk,
        "role": Role.SCHOOL_LIAISON,
        "to_user_id": scene.liaison.pk,
        "reason": "Трудности с чтением, нужна поддержка тьютора",
        "urgency": "priority",
        "sections": ["education"],
        **extra,
    }


def test_the_api_refuses_without_consent_and_lets_the_supervisor_override(scene: Scene) -> None:
    refused = api_client(scene.cm).post(
        "/api/v1/referrals", data=_payload(scene), content_type=JSON
    )
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert "Согласие не распространяется" in refused.json()["detail"]
    assert not Referral.objects.exists()
    basis = {"legal_basis": "Приказ о социальной реабилитации, п. 12"}
    by_cm = api_client(scene.cm).post(
        "/api/v1/referrals", data=_payload(scene, **basis), content_type=JSON
    )
    assert by_cm.status_code == 403
    by_sup = api_client(scene.sup).post(
        "/api/v1/referrals", data=_payload(scene, **basis), content_type=JSON
    )
    assert by_sup.status_code == 201
    body = by_sup.json()
    assert body["consent_covered"] is False
    assert body["sections"] == ["core", "education"]
    assert body["respond_by"] == str(timezone.localdate() + timedelta(days=3))


def _sent(scene: Scene) -> Referral:
    scene.consent()
    return scene.send()


@pytest.mark.parametrize(
    "who, status",
    [
        ("cm", 200),  # case manager on the team
        ("psych", 200),  # psychologist on the team (sees the plan)
        ("sup", 200),  # supervisor of the unit
        ("outsider", 404),  # case manager of another region
        ("liaison", 200),  # the receiver, before accepting
        ("liaison2", 404),  # a colleague, when the receiver is named
    ],
)
def test_who_sees_a_referral(scene: Scene, who: str, status: int) -> None:
    referral = _sent(scene)
    response = api_client(getattr(scene, who)).get(f"/api/v1/referrals/{referral.pk}")
    assert response.status_code == status


def test_a_team_member_without_the_plan_does_not_see_the_referrals(scene: Scene) -> None:
    nurse = scene.world.staff(Role.HEALTH_WORKER)
    case_services.team_member_add(by=scene.cm, case=scene.case, user=nurse, role=Role.HEALTH_WORKER)
    referral = _sent(scene)
    client = api_client(nurse)
    assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    assert client.get("/api/v1/referrals", {"case_id": scene.case.pk}).json()["count"] == 0


def test_the_receiver_sees_only_the_referral_before_accepting(scene: Scene) -> None:
    referral = _sent(scene)
    client = api_client(scene.liaison)
    body = client.get(f"/api/v1/referrals/{referral.pk}").json()
    assert body["subject"]["case_number"] == scene.case.number
    assert body["subject"]["initials"] == "А. К."
    today = timezone.localdate()
    expected_age = today.year - 2015 - ((today.month, today.day) < (3, 1))
    assert body["subject"]["age"] == expected_age
    assert body["reason"].startswith("Поддержка в учёбе")
    assert body["sections"] == ["core", "education"]
    assert "Касымова" not in str(body) and "Амина" not in str(body)
    # The case itself stays closed to them.
    assert client.get(f"/api/v1/cases/{scene.case.pk}").status_code == 404
    page = logged_in_client(scene.liaison).get(f"/cases/{scene.case.pk}/")
    assert page.status_code == 404


def test_accepting_through_the_api_opens_exactly_the_shared_sections(scene: Scene) -> None:
    from tirek.cases.services import note_create

    scene.case.return_history = "Возвращена из лагеря в 2019 году"
    scene.case.save()
    note_create(
        by=scene.cm,
        case=scene.case,
        kind="school_visit",
        section=Section.EDUCATION,
        occurred_on=today(),
        narrative="Нужна поддержка в чтении",
    )
    referral = _sent(scene)
    client = api_client(scene.liaison)
    for who in (scene.liaison2, scene.outsider):
        denied = api_client(who).post(
            f"/api/v1/referrals/{referral.pk}/accept",
            data={"version": referral.version},
            content_type=JSON,
        )
        assert denied.status_code == 404
    not_receiver = api_client(scene.cm).post(
        f"/api/v1/referrals/{referral.pk}/accept",
        data={"version": referral.version},
        content_type=JSON,
    )
    assert not_receiver.status_code == 403
    accepted = client.post(
        f"/api/v1/referrals/{referral.pk}/accept",
        data={"version": referral.version},
        content_type=JSON,
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == ReferralStatus.ACCEPTED
    case = client.get(f"/api/v1/cases/{scene.case.pk}")
    assert case.status_code == 200
    page = logged_in_client(scene.liaison).get(f"/cases/{scene.case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Возвращена из лагеря" not in html
    assert 'data-testid="return-history"' not in html
    notes = logged_in_client(scene.liaison).get(f"/cases/{scene.case.pk}/sections/notes/")
    assert "Нужна поддержка в чтении" in notes.content.decode()
    # The referrals of the case (the plan section) stay closed to the school.
    assert (
        logged_in_client(scene.liaison).get(f"/referrals/case/{scene.case.pk}/").status_code == 404
    )
    again = client.post(
        f"/api/v1/referrals/{referral.pk}/accept",
        data={"version": referral.version},
        content_type=JSON,
    )
    assert again.status_code == 409
    row = selectors.directory_services().get(pk=scene.service.pk)
    assert row.open_referrals == 1


def test_withdrawing_through_the_api_closes_the_case_again(scene: Scene) -> None:
    referral = _sent(scene)
    liaison = api_client(scene.liaison)
    accepted = liaison.post(
        f"/api/v1/referrals/{referral.pk}/accept",
        data={"version": referral.version},
        content_type=JSON,
    ).json()
    withdrawn = api_client(scene.cm).post(
        f"/api/v1/referrals/{referral.pk}/withdraw",
        data={"version": accepted["version"], "reason": "Семья переехала в другой район"},
        content_type=JSON,
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == ReferralStatus.WITHDRAWN
    assert liaison.get(f"/api/v1/cases/{scene.case.pk}").status_code == 404
    # The receiver still sees the referral (and why it was withdrawn), not the case.
    assert liaison.get(f"/api/v1/referrals/{referral.pk}").json()["withdraw_reason"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"reason": "a\x00b"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 4001}, "reason"),
        ({"sections": ["security"]}, "sections"),
        ({"sections": "education"}, "sections"),
        ({"urgency": "tomorrow"}, "urgency"),
        ({"role": "admin"}, "role"),
        ({"case_id": "abc"}, "case_id"),
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(scene: Scene, change: dict, field: str) -> None:
    scene.consent()
    response = api_client(scene.cm).post(
        "/api/v1/referrals", data=_payload(scene, **change), content_type=JSON
    )
    assert response.status_code == 422, response.content
    assert any(e["field"].startswith(field) for e in response.json()["errors"])
    assert not Referral.objects.exists()


def test_an_invisible_case_is_a_404_when_referring(scene: Scene) -> None:
    scene.consent()
    response = api_client(scene.outsider).post(
        "/api/v1/referrals", data=_payload(scene), content_type=JSON
    )
    assert response.status_code == 404
    missing = api_client(scene.cm).post(
        "/api/v1/referrals", data=_payload(scene, case_id=999999), content_type=JSON
    )
    assert missing.status_code == 404


def test_the_lists_show_each_side_its_referrals(scene: Scene) -> None:
    referral = _sent(scene)
    incoming = api_client(scene.liaison).get("/api/v1/referrals", {"box": "incoming"}).json()
    assert [r["id"] for r in incoming["items"]] == [referral.pk]
    outgoing = api_client(scene.cm).get("/api/v1/referrals", {"box": "outgoing"}).json()
    assert [r["id"] for r in outgoing["items"]] == [referral.pk]
    assert api_client(scene.cm).get("/api/v1/referrals", {"box": "incoming"}).json()["count"] == 0
    assert api_client(scene.outsider).get("/api/v1/referrals").json()["count"] == 0
    assert api_client(scene.cm).get("/api/v1/referrals", {"box": "nope"}).status_code == 422


def test_the_inbox_page_shows_the_minimum_identification(scene: Scene) -> None:
    _sent(scene)
    html = logged_in_client(scene.liaison).get("/referrals/?box=incoming").content.decode()
    assert scene.case.number in html
    assert "А. К." in html
    assert "Касымова" not in html and "Амина" not in html


def test_an_overdue_referral_shows_on_both_sides_my_work(scene: Scene) -> None:
    referral = _sent(scene)
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.localdate() - timedelta(days=2)
    )
    for user in (scene.cm, scene.sup, scene.liaison):
        html = logged_in_client(user).get("/").content.decode()
        assert 'data-testid="overdue-referrals"' in html, user.username
        assert scene.case.number in html
    html = logged_in_client(scene.outsider).get("/").content.decode()
    assert scene.case.number not in html


def test_my_work_names_each_referral_by_number_initials_and_dates(scene: Scene) -> None:
    """What a line of the panel says: the receiver sees the child's number, initials and
    age, the urgency and the date to answer by, marked overdue once it has passed; the
    sender sees the provider, the status and the date it was due."""
    import re

    from django.utils import translation

    referral = _sent(scene)
    late = timezone.localdate() - timedelta(days=2)
    Referral.objects.filter(pk=referral.pk).update(respond_by=late)
    referral.refresh_from_db()
    person = referral.case.person
    age = selectors.age_on(person.birth_date)
    assert age is not None

    def line(user: object, testid: str) -> str:
        html = logged_in_client(user).get("/").content.decode()
        block = html[html.index(f'data-testid="{testid}"') :]
        item = block[block.index("<li>") : block.index("</li>")]
        return " ".join(re.sub(r"<[^>]+>", " ", item).split())

    with translation.override("ru"):
        urgency = str(referral.get_urgency_display())
        status = str(referral.get_status_display())
    due = late.strftime("%d.%m.%Y")
    incoming = line(scene.liaison, "incoming-referrals")
    assert incoming.startswith(f"{referral.case.number} · {person.initials} · {age} ")
    assert f"— {urgency}, ответить до {due} просрочено" in incoming
    assert person.family_name not in incoming
    overdue = line(scene.cm, "overdue-referrals")
    assert overdue == (
        f"{referral.case.number} · {person.initials} → {referral.provider.name} — "
        f"{status}, срок {due}"
    )


def test_an_incoming_referral_waits_in_the_receivers_my_work(scene: Scene) -> None:
    referral = _sent(scene)
    html = logged_in_client(scene.liaison).get("/").content.decode()
    assert 'data-testid="incoming-referrals"' in html
    assert 'data-testid="notification-bell"' in html
    assert 'data-testid="overdue-referrals"' not in html
    # To be answered today: waiting, not yet overdue.
    Referral.objects.filter(pk=referral.pk).update(respond_by=timezone.localdate())
    html = logged_in_client(scene.liaison).get("/").content.decode()
    assert 'data-testid="incoming-referrals"' in html
    assert 'data-testid="overdue-referrals"' not in html


def test_an_unnamed_referral_waits_for_every_colleague_in_the_role_and_no_one_else(
    scene: Scene,
) -> None:
    scene.consent()
    referral = scene.send(to_user=None)
    world = scene.world
    other_school = world.staff(Role.SCHOOL_LIAISON, agency=world.ngo, unit=None)
    nurse = world.staff(Role.HEALTH_WORKER, agency=world.school, unit=None)
    for user in (scene.liaison, scene.liaison2):
        home = logged_in_client(user).get("/").content.decode()
        assert 'data-testid="incoming-referrals"' in home, user.username
        assert scene.case.number in home
        inbox = api_client(user).get("/api/v1/referrals", {"box": "incoming"}).json()
        assert [r["id"] for r in inbox["items"]] == [referral.pk], user.username
    # Another agency's liaison, a colleague in another role: nothing waits for them.
    for user in (other_school, nurse):
        assert scene.case.number not in logged_in_client(user).get("/").content.decode()
        inbox = api_client(user).get("/api/v1/referrals", {"box": "incoming"}).json()
        assert inbox["count"] == 0, user.username


def test_the_referral_pages_work_for_both_sides(scene: Scene) -> None:
    scene.consent()
    cm = logged_in_client(scene.cm)
    form = cm.get(f"/referrals/case/{scene.case.pk}/to/{scene.service.pk}/")
    assert form.status_code == 200
    sent = cm.post(
        f"/referrals/case/{scene.case.pk}/to/{scene.service.pk}/",
        {
            "role": Role.SCHOOL_LIAISON,
            "to_user": scene.liaison.pk,
            "urgency": "routine",
            "sections": ["education"],
            "reason": "Поддержка в учёбе",
        },
    )
    assert sent.status_code == 302
    referral = Referral.objects.get()
    liaison = logged_in_client(scene.liaison)
    detail = liaison.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'data-testid="accept"' in detail
    assert 'data-testid="open-case"' not in detail
    liaison.post(f"/referrals/{referral.pk}/accept/", {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    detail = liaison.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'data-testid="open-case"' in detail
    assert logged_in_client(scene.outsider).get(f"/referrals/{referral.pk}/").status_code == 404


def test_the_case_page_shows_the_coordination_panels_to_the_team_only(scene: Scene) -> None:
    from tirek.cases import services as case_services

    case_services.team_member_add(
        by=scene.cm, case=scene.case, user=scene.liaison2, role=Role.SCHOOL_LIAISON
    )
    _sent(scene)
    cm = logged_in_client(scene.cm)
    html = cm.get(f"/cases/{scene.case.pk}/sections/referrals/").content.decode()
    assert 'data-testid="case-referrals"' in html
    assert scene.provider.name in html
    interviews = cm.get(f"/cases/{scene.case.pk}/sections/interviews/").content.decode()
    assert 'data-testid="interview-count"' in interviews
    liaison = logged_in_client(scene.liaison2)
    school = liaison.get(f"/cases/{scene.case.pk}/").content.decode()
    assert 'data-testid="case-referrals"' not in school
    assert 'data-testid="interview-count"' not in school
    assert scene.provider.name not in school
    for hidden in ("referrals", "interviews", "plan"):
        assert liaison.get(f"/cases/{scene.case.pk}/sections/{hidden}/").status_code == 404


def test_listing_referrals_takes_a_fixed_number_of_queries(
    scene: Scene, django_assert_max_num_queries
) -> None:
    scene.consent()
    for n in range(8):
        scene.send(reason=f"Причина {n}")
    client = api_client(scene.cm)
    client.get("/api/v1/referrals")  # warm up: token touch, caches
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/referrals", {"limit": 50}).json()
    assert body["count"] == 8


def test_the_referral_list_pages_take_the_same_queries_for_one_referral_or_eight(
    scene: Scene,
) -> None:
    scene.consent()
    scene.send(reason="Причина 0")
    pages = {
        scene.cm: ["/referrals/?box=outgoing", f"/referrals/case/{scene.case.pk}/"],
        scene.liaison: ["/referrals/?box=incoming"],
    }
    clients = {user: logged_in_client(user) for user in pages}

    def queries() -> dict[str, int]:
        counted = {}
        for user, urls in pages.items():
            for url in urls:
                clients[user].get(url)  # warm up: session, caches
                with CaptureQueriesContext(connection) as run:
                    assert clients[user].get(url).status_code == 200
                counted[url] = len(run.captured_queries)
        return counted

    one = queries()
    for n in range(1, 8):
        scene.send(reason=f"Причина {n}")
    assert queries() == one


def test_my_work_counts_every_unread_notification_and_lists_the_five_newest(
    scene: Scene,
) -> None:
    from tirek.referrals.models import Notification, NotificationKind

    start = timezone.now() - timedelta(days=10)
    for n in range(7):
        Notification.objects.create(
            user=scene.outsider,
            kind=NotificationKind.REFERRAL_RECEIVED,
            label=f"R-{n}",
            url="/referrals/",
            created_at=start + timedelta(hours=n),
            read_at=timezone.now() if n == 6 else None,  # the newest has been read
        )
    html = logged_in_client(scene.outsider).get("/").content.decode()
    assert "6 непрочитанных уведомлений" in html
    assert sorted(n for n in range(7) if f"R-{n}<" in html) == [1, 2, 3, 4, 5]
