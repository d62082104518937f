from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tirek.accounts import services as account_services
from tirek.accounts.models import Competency, User
from tirek.accounts.roles import Role
from tirek.interviews import services
from tirek.interviews.models import Interview, InterviewStatus, Matter, Readiness
from tirek.referrals.models import Notification, NotificationKind
from tirek.referrals.tests.conftest import Scene
from tirek.testing import api_client, logged_in_client

JSON = "application/json"


def certify(user: User, *, expires_in_days: int | None = 365) -> None:
    account_services.competency_grant(
        user=user,
        competency=Competency.CHILD_INTERVIEWING,
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        source="certificate TK-TEST",
    )


@dataclass
class Cast:
    scene: Scene
    officer: User  # certified police interviewer
    rookie: User  # police interviewer without the competency
    matter: Matter

    def request(self, **kwargs: Any) -> Interview:
        defaults: dict[str, Any] = {
            "by": self.scene.sup,
            "case": self.scene.case,
            "matter": self.matter,
            "kind": "forensic",
            "requesting_authority": "Следователь ДП Карагандинской области",
            "purpose": "Показания о жизни в лагере",
            "legal_basis": "УПК РК, ст. 215",
        }
        defaults.update(kwargs)
        return services.interview_request(**defaults)

    def ready(self, interview: Interview) -> Interview:
        return services.interview_readiness(
            by=self.scene.psych,
            interview=interview,
            version=interview.version,
            readiness=Readiness.READY,
            note="Спокойна, готова говорить в присутствии матери",
        )

    def plan(self, interview: Interview, interviewer: User | None = None) -> Interview:
        return services.interview_plan(
            by=self.scene.sup,
            interview=interview,
            version=interview.version,
            interviewer=interviewer or self.officer,
            scheduled_at=timezone.now() + timedelta(days=2),
            time_of_day="morning",
            language="ru",
            support_person="Психолог центра",
            room="Комната для бесед (детская)",
            child_friendly_room=True,
        )

    def hold(self, interview: Interview, **kwargs: Any) -> Interview:
        start = timezone.now() - timedelta(hours=2)
        defaults: dict[str, Any] = {
            "by": self.officer,
            "interview": interview,
            "version": interview.version,
            "started_at": start,
            "ended_at": start + timedelta(minutes=40),
            "breaks": 1,
            "observers": "Психолог за зеркалом Гезелла",
            "recorded": True,
            "recording_reference": "Архив ДП, диск 14/2026",
            "notes": "Рассказала о жизни в лагере",
            "summary": "Ребёнок описал условия в лагере",
        }
        defaults.update(kwargs)
        return services.interview_record(**defaults)

    def full(self, **kwargs: Any) -> Interview:
        interview = self.request(**kwargs)
        if interview.is_repeat:
            interview = services.interview_approve_repeat(
                by=self.scene.sup, interview=interview, version=interview.version
            )
        interview = self.plan(self.ready(interview))
        return self.hold(interview)


@pytest.fixture
def cast(scene: Scene) -> Cast:
    officer = scene.world.staff(Role.INTERVIEWER, username="daniyar")
    certify(officer)
    matter = services.matter_create(by=scene.sup, case=scene.case, title="Уголовное дело № 1")
    return Cast(
        scene=scene,
        officer=officer,
        rookie=scene.world.staff(Role.INTERVIEWER, username="rookie"),
        matter=matter,
    )


def test_an_uncertified_interviewer_is_refused(cast: Cast) -> None:
    interview = cast.ready(cast.request())
    from tirek.core.exceptions import Refused

    with pytest.raises(Refused):
        cast.plan(interview, interviewer=cast.rookie)
    interview.refresh_from_db()
    assert interview.interviewer is None
    assert interview.status == InterviewStatus.REQUESTED
    response = api_client(cast.scene.sup).post(
        f"/api/v1/interviews/{interview.pk}/plan",
        data={
            "version": interview.version,
            "interviewer_id": cast.rookie.pk,
            "scheduled_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
        content_type=JSON,
    )
    assert response.status_code == 403
    assert "допуск" in response.json()["detail"]


def test_an_expired_competency_is_refused_at_the_interview(cast: Cast) -> None:
    interview = cast.plan(cast.ready(cast.request()))
    cast.officer.competencies.update(expires_at=timezone.now() - timedelta(days=1))
    from tirek.core.exceptions import Refused

    with pytest.raises(Refused):
        cast.hold(interview)
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.PLANNED


def test_a_second_interview_on_the_same_matter_needs_justification_and_approval(cast: Cast) -> None:
    from tirek.core.exceptions import Refused

    cast.full()
    with pytest.raises(ValidationError) as error:
        cast.request()
    assert "repeat_justification" in error.value.message_dict
    second = cast.request(repeat_justification="Новые обстоятельства: появился свидетель")
    assert second.is_repeat and second.needs_approval
    second = cast.ready(second)
    with pytest.raises(Refused):
        cast.plan(second)
    # Even if someone had planned it before, recording without approval is refused.
    Interview.objects.filter(pk=second.pk).update(
        status=InterviewStatus.PLANNED, interviewer=cast.officer
    )
    second.refresh_from_db()
    with pytest.raises(Refused):
        cast.hold(second)
    with pytest.raises(PermissionDenied):
        services.interview_approve_repeat(
            by=cast.scene.cm, interview=second, version=second.version
        )
    second = services.interview_approve_repeat(
        by=cast.scene.sup, interview=second, version=second.version
    )
    assert cast.hold(second).status == InterviewStatus.HELD


def test_a_different_matter_is_not_a_repeat(cast: Cast) -> None:
    cast.full()
    other = services.matter_create(by=cast.scene.sup, case=cast.scene.case, title="Опека")
    assert cast.request(matter=other, kind="social").is_repeat is False
    # The same matter under the same name (any case) is not a new matter.
    same = services.matter_create(
        by=cast.scene.sup, case=cast.scene.case, title="уголовное  дело № 1"
    )
    assert same == cast.matter


def test_the_child_must_be_judged_ready_by_the_psychologist(cast: Cast) -> None:
    from tirek.core.exceptions import Refused

    interview = cast.plan(cast.request())
    with pytest.raises(Refused):
        cast.hold(interview)
    with pytest.raises(PermissionDenied):
        services.interview_readiness(
            by=cast.scene.cm, interview=interview, version=interview.version, readiness="ready"
        )
    interview = cast.ready(interview)
    assert cast.hold(interview).status == InterviewStatus.HELD


def test_only_the_assigned_interviewer_records(cast: Cast) -> None:
    other = cast.scene.world.staff(Role.INTERVIEWER, username="other-officer")
    certify(other)
    interview = cast.plan(cast.ready(cast.request()))
    with pytest.raises(PermissionDenied):
        cast.hold(interview, by=other)


def test_the_content_is_encrypted_at_rest(cast: Cast) -> None:
    interview = cast.full()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notes, summary, purpose FROM interviews_interview WHERE id = %s", [interview.pk]
        )
        row = cursor.fetchone()
    assert all(value.startswith(("enc1:", "enc2:")) for value in row)
    assert "лагере" not in "".join(row)


@pytest.mark.parametrize(
    "who, status, level",
    [
        ("officer", 200, "content"),  # assigned, on the team through the interview
        ("sup", 200, "request"),  # approves repeats: the request, not the content
        ("cm", 200, "dates"),
        ("psych", 200, "dates"),
        ("liaison", 404, None),  # school liaison on the team
        ("outsider", 404, None),
        ("rookie", 404, None),
    ],
)
def test_who_sees_how_much(cast: Cast, who: str, status: int, level: str | None) -> None:
    from tirek.cases import services as case_services

    case_services.team_member_add(
        by=cast.scene.cm, case=cast.scene.case, user=cast.scene.liaison, role=Role.SCHOOL_LIAISON
    )
    interview = cast.full()
    user = getattr(cast, who, None) or getattr(cast.scene, who)
    response = api_client(user).get(f"/api/v1/interviews/{interview.pk}")
    assert response.status_code == status
    if status != 200:
        return
    body = response.json()
    assert body["level"] == level
    text = response.content.decode()
    if level == "content":
        assert body["record"]["summary"] == "Ребёнок описал условия в лагере"
        assert body["record"]["recording_reference"] == "Архив ДП, диск 14/2026"
    else:
        assert body["record"] is None
        assert "лагере" not in text and "Архив ДП" not in text
    if level == "dates":
        assert body["request"] is None
        assert "УПК" not in text and "Следователь" not in text
        assert body["started_at"] is not None
    page = logged_in_client(user).get(f"/interviews/{interview.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ("Ребёнок описал условия" in html) == (level == "content")


def test_the_count_is_visible_and_an_alert_fires_above_the_threshold(cast: Cast) -> None:
    first = cast.full()
    body = (
        api_client(cast.scene.cm).get("/api/v1/interviews", {"case_id": cast.scene.case.pk}).json()
    )
    assert body["held"] == 1 and body["above_threshold"] is False
    assert [i["id"] for i in body["items"]] == [first.pk]
    for n in (2, 3):
        cast.full(repeat_justification=f"Новые обстоятельства {n}")
    alerts = Notification.objects.filter(kind=NotificationKind.INTERVIEW_COUNT)
    assert set(alerts.values_list("user__username", flat=True)) == {"aigerim", "marat", "zhanar"}
    body = (
        api_client(cast.scene.psych)
        .get("/api/v1/interviews", {"case_id": cast.scene.case.pk})
        .json()
    )
    assert body["held"] == 3 and body["above_threshold"] is True
    html = logged_in_client(cast.scene.cm).get("/").content.decode()
    assert 'data-testid="interview-alerts"' in html
    assert cast.scene.case.number in html
    # The case manager, the psychologist and the supervisor, in "my work" and on the list of
    # interviews; nobody else, not a social worker on the same team.
    from tirek.cases.models import CaseTeamMember

    social_worker = cast.scene.world.staff(Role.SOCIAL_WORKER)
    CaseTeamMember.objects.create(case=cast.scene.case, user=social_worker, role=Role.SOCIAL_WORKER)
    scene = cast.scene
    for user, alerted in (
        (scene.cm, True),
        (scene.psych, True),
        (scene.sup, True),
        (social_worker, False),
        (scene.outsider, False),
        (cast.officer, False),
    ):
        for url in ("/", "/interviews/"):
            html = logged_in_client(user).get(url).content.decode()
            shown = 'data-testid="interview-alerts"' in html
            assert shown == alerted, (user.username, url)
            assert (f"{scene.case.number} · " in html) == alerted, (user.username, url)


@override_settings(INTERVIEW_ALERT_THRESHOLD=0)
def test_the_threshold_is_a_setting(cast: Cast) -> None:
    cast.full()
    assert Notification.objects.filter(kind=NotificationKind.INTERVIEW_COUNT).exists()


def test_earlier_interviews_are_shown_before_a_new_one(cast: Cast) -> None:
    first = cast.full()
    client = logged_in_client(cast.scene.sup)
    page = client.get(f"/interviews/case/{cast.scene.case.pk}/new/", {"matter": cast.matter.pk})
    html = page.content.decode()
    assert 'data-testid="earlier-interviews"' in html
    assert 'data-testid="earlier-warning"' in html
    assert "Ребёнок описал условия" not in html  # the supervisor does not read content
    officer = logged_in_client(cast.officer)
    html = officer.get(
        f"/interviews/case/{cast.scene.case.pk}/new/", {"matter": cast.matter.pk}
    ).content.decode()
    assert "Ребёнок описал условия" in html  # the law-enforcement interviewer does
    earlier = api_client(cast.officer).get(
        "/api/v1/interviews/earlier", {"case_id": cast.scene.case.pk, "matter_id": cast.matter.pk}
    )
    assert [i["id"] for i in earlier.json()] == [first.pk]


def test_the_interview_request_notifies_the_welfare_team_without_details(cast: Cast) -> None:
    cast.request()
    notes = Notification.objects.filter(kind=NotificationKind.INTERVIEW_REQUESTED)
    assert set(notes.values_list("user__username", flat=True)) == {"aigerim", "marat"}
    assert all("Следователь" not in n.label for n in notes)


def test_planning_puts_the_interviewer_on_the_team_and_cancelling_takes_it_back(cast: Cast) -> None:
    from tirek.access.policy import Section, sections_for

    interview = cast.plan(cast.ready(cast.request()))
    assert Section.SECURITY in sections_for(cast.officer, cast.scene.case)
    services.interview_cancel(
        by=cast.scene.sup, interview=interview, version=interview.version, reason="Отозван запрос"
    )
    assert sections_for(cast.officer, cast.scene.case) == frozenset()


@pytest.mark.parametrize("who", ["cm", "psych", "liaison", "outsider"])
def test_welfare_staff_cannot_request_an_interview(cast: Cast, who: str) -> None:
    response = api_client(getattr(cast.scene, who)).post(
        "/api/v1/interviews",
        data={
            "case_id": cast.scene.case.pk,
            "matter_id": cast.matter.pk,
            "kind": "social",
            "requesting_authority": "Суд",
            "purpose": "x",
            "legal_basis": "y",
        },
        content_type=JSON,
    )
    assert response.status_code in (403, 404)
    assert response.status_code == (404 if who in ("liaison", "outsider") else 403)
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"purpose": "a\x00b"}, "purpose"),
        ({"kind": "secret"}, "kind"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"requesting_authority": "x" * 201}, "requesting_authority"),
    ],
)
def test_bad_requests_are_422(cast: Cast, change: dict, field: str) -> None:
    response = api_client(cast.scene.sup).post(
        "/api/v1/interviews",
        data={
            "case_id": cast.scene.case.pk,
            "matter_id": cast.matter.pk,
            "kind": "social",
            "requesting_authority": "Суд",
            "purpose": "Опрос",
            "legal_basis": "ГПК",
            **change,
        },
        content_type=JSON,
    )
    assert response.status_code == 422, response.content
    assert any(e["field"].startswith(field) for e in response.json()["errors"])
    assert not Interview.objects.exists()


def test_a_record_that_ends_before_it_starts_is_refused(cast: Cast) -> None:
    interview = cast.plan(cast.ready(cast.request()))
    start = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError):
        cast.hold(interview, started_at=start, ended_at=start - timedelta(minutes=5))
    with pytest.raises(ValidationError):
        cast.hold(interview, recorded=True, recording_reference="")
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.PLANNED


def test_stale_versions_are_409(cast: Cast) -> None:
    interview = cast.request()
    client = api_client(cast.scene.psych)
    url = f"/api/v1/interviews/{interview.pk}/readiness"
    assert (
        client.post(url, data={"version": 1, "readiness": "ready"}, content_type=JSON).status_code
        == 200
    )
    assert (
        client.post(
            url, data={"version": 1, "readiness": "not_ready"}, content_type=JSON
        ).status_code
        == 409
    )
    interview.refresh_from_db()
    assert interview.readiness == Readiness.READY


def test_follow_up_support_after_the_interview(cast: Cast) -> None:
    interview = cast.full()
    done = services.interview_follow_up(
        by=cast.scene.psych,
        interview=interview,
        version=interview.version,
        follow_up="Две встречи с психологом после опроса",
    )
    assert done.follow_up_by == cast.scene.psych
    with pytest.raises(PermissionDenied):
        services.interview_follow_up(
            by=cast.scene.liaison, interview=done, version=done.version, follow_up="x"
        )


def test_the_interview_pages(cast: Cast) -> None:
    sup = logged_in_client(cast.scene.sup)
    response = sup.post(
        f"/interviews/case/{cast.scene.case.pk}/new/",
        {
            "matter": cast.matter.pk,
            "kind": "social",
            "requesting_authority": "Орган опеки",
            "purpose": "Мнение ребёнка об опеке",
            "legal_basis": "Кодекс о браке и семье",
        },
    )
    assert response.status_code == 302
    interview = Interview.objects.get()
    assert sup.get(f"/interviews/case/{cast.scene.case.pk}/").status_code == 200
    psych = logged_in_client(cast.scene.psych)
    psych.post(
        f"/interviews/{interview.pk}/readiness/",
        {"version": interview.version, "readiness": "ready"},
    )
    interview.refresh_from_db()
    assert interview.readiness == Readiness.READY
    assert psych.get("/interviews/").status_code == 200
    assert (
        logged_in_client(cast.scene.liaison).get(f"/interviews/{interview.pk}/").status_code == 404
    )


def test_my_work_gives_each_person_their_own_interview_tasks(cast: Cast) -> None:
    """Readiness is the child's psychologist's to judge, the interview its interviewer's to
    conduct; the case manager on the same team has neither task."""
    scene = cast.scene
    planned = cast.plan(cast.ready(cast.request()))
    other_matter = services.matter_create(by=scene.sup, case=scene.case, title="Дело № 2")
    waiting = cast.request(matter=other_matter)
    readiness = "Запросы на опрос: оцените готовность ребёнка"
    conduct = "Опросы, которые проводите вы"

    def tasks(user: User) -> dict[str, bool]:
        html = logged_in_client(user).get("/").content.decode()
        return {heading: heading in html for heading in (readiness, conduct)} | {
            "detail": f"/interviews/{waiting.pk}/" in html or f"/interviews/{planned.pk}/" in html
        }

    assert tasks(scene.psych) == {readiness: True, conduct: False, "detail": True}
    assert tasks(cast.officer) == {readiness: False, conduct: True, "detail": True}
    assert tasks(scene.cm) == {readiness: False, conduct: False, "detail": False}
    # A psychologist who is not on the child's team judges nothing here.
    other = scene.world.staff(Role.PSYCHOLOGIST)
    assert tasks(other) == {readiness: False, conduct: False, "detail": False}
