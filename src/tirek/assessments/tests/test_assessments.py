"""Filling in assessments on a case: who may, drafts, completion, comparison and trends."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.assessments import services
from tirek.assessments.models import Assessment, AssessmentStatus, DomainScore
from tirek.audit.models import AuditEntry
from tirek.cases.models import CaseTeamMember
from tirek.core.exceptions import Conflict, Refused
from tirek.testing import World, api_client, logged_in_client

from .factories import CHILD_BASELINE, CHILD_IMPROVED, complete, make_team, scores


def test_it_saves_a_draft_then_completes_and_scores_it(world: World, instruments: None) -> None:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-child-needs"
    )
    assert draft.status == AssessmentStatus.DRAFT and draft.kind == "comprehensive"
    saved = services.assessment_answer(
        user=team.manager,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers=CHILD_BASELINE,
    )
    assert saved.answers["ed_enrolment"] == "not_enrolled"
    assert not DomainScore.objects.filter(assessment=saved).exists()
    # The stored answers are encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_json FROM assessments_assessment WHERE id = %s", [saved.pk])
        assert "not_enrolled" not in cursor.fetchone()[0]
    with pytest.raises(ValidationError) as missing:
        services.assessment_complete(
            user=team.manager, assessment_id=saved.pk, expected_version=saved.version
        )
    assert "own_views" in missing.value.message_dict  # no assessment without the child's views
    saved = services.assessment_answer(
        user=team.manager,
        assessment_id=saved.pk,
        expected_version=saved.version,
        own_views="Хочу учиться и дружить.",
    )
    done = services.assessment_complete(
        user=team.manager, assessment_id=saved.pk, expected_version=saved.version
    )
    assert done.status == AssessmentStatus.COMPLETED
    assert done.overall_severity == "high"  # education
    assert scores(done)["education"] == (9, 15, "high")
    with pytest.raises(Refused):
        services.assessment_answer(
            user=team.manager,
            assessment_id=done.pk,
            expected_version=done.version,
            answers={"safety_home": "safe"},
        )


def test_it_requires_the_required_questions(world: World, instruments: None) -> None:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-child-needs"
    )
    saved = services.assessment_answer(
        user=team.manager,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers={"safety_home": "safe"},
        own_views="Всё хорошо.",
    )
    with pytest.raises(ValidationError) as caught:
        services.assessment_complete(
            user=team.manager, assessment_id=saved.pk, expected_version=saved.version
        )
    assert "answers.ph_general" in caught.value.message_dict
    assert Assessment.objects.get(pk=saved.pk).status == AssessmentStatus.DRAFT


def test_it_leaves_psychological_domains_to_the_psychologist(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-child-needs"
    )
    with pytest.raises(ValidationError) as caught:
        services.assessment_answer(
            user=team.manager,
            assessment_id=draft.pk,
            expected_version=draft.version,
            answers={"mh_distress": 3},
        )
    assert "answers.mh_distress" in caught.value.message_dict
    saved = services.assessment_answer(
        user=team.psychologist,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers={"mh_distress": 3, "mh_trauma": "often"},
    )
    assert saved.answers == {"mh_distress": 3, "mh_trauma": "often"}
    # PSC-17 is all psychological: only the psychologist starts it.
    with pytest.raises(Refused):
        services.assessment_create(
            user=team.manager, case_id=team.case.pk, instrument_code="psc-17"
        )
    assert services.assessment_create(
        user=team.psychologist, case_id=team.case.pk, instrument_code="psc-17"
    ).pk


def test_it_hides_psychological_answers_from_others_but_shows_the_scores(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.psychologist, case_id=team.case.pk, instrument_code="tirek-child-needs"
    )
    services.assessment_answer(
        user=team.psychologist,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers={**CHILD_BASELINE, "mh_distress": 4, "mh_notes": "marker-psy-notes-91"},
        own_views="Мне страшно ночью.",
    )
    done = services.assessment_complete(
        user=team.psychologist, assessment_id=draft.pk, expected_version=draft.version + 1
    )
    url = f"/cases/{team.case.pk}/assessments/{done.pk}/"
    for_psychologist = logged_in_client(team.psychologist).get(url).content.decode()
    for_manager = logged_in_client(team.manager).get(url).content.decode()
    assert "marker-psy-notes-91" in for_psychologist
    assert "marker-psy-notes-91" not in for_manager
    assert "Психическое здоровье и психосоциальное благополучие" in for_manager  # the score row
    api = api_client(team.social_worker).get(f"/api/v1/assessments/{done.pk}").json()
    assert "mh_notes" not in api["answers"] and api["hidden_domains"] == ["mental_health"]
    assert any(s["domain"] == "mental_health" for s in api["scores"])


def test_it_compares_a_reassessment_with_the_earlier_one_and_draws_the_trend(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    today = timezone.localdate()
    complete(
        team.manager, team.case, "tirek-child-needs", CHILD_BASELINE, on=today - timedelta(days=90)
    )
    later = complete(team.manager, team.case, "tirek-child-needs", CHILD_IMPROVED, on=today)
    client = logged_in_client(team.manager)
    body = client.get(f"/cases/{team.case.pk}/assessments/{later.pk}/").content.decode()
    assert 'data-testid="comparison"' in body
    assert 'class="change-better">лучше' in body
    page = client.get(f"/cases/{team.case.pk}/assessments/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") >= 6  # one small chart per scored domain
    assert 'role="img"' in html and "<desc" in html
    assert 'data-testid="trend-table"' in html
    assert "9/15" in html and "4/15" in html  # education, before and after, as text
    assert "style=" not in html.split("<main", 1)[1]  # the CSP forbids inline styles
    assert "<script" not in html.split("<main", 1)[1]


@pytest.mark.parametrize("who", ["outsider", "other_supervisor", "lawyer", "school", "admin"])
def test_it_answers_404_to_those_who_may_not_see_the_plan_section(
    world: World, instruments: None, who: str
) -> None:
    team = make_team(world)
    done = complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    users = {
        "outsider": team.outsider,
        "other_supervisor": team.other_supervisor,
        "lawyer": world.staff(Role.LAWYER),
        "school": world.staff(Role.SCHOOL_LIAISON),
        "admin": world.staff(Role.ADMIN, agency=world.ministry),
    }
    user = users[who]
    if who in ("lawyer", "school"):  # on the team, but without the plan section
        role = Role.LAWYER if who == "lawyer" else Role.SCHOOL_LIAISON
        CaseTeamMember.objects.create(case=team.case, user=user, role=role)
    client = logged_in_client(user)
    assert client.get(f"/cases/{team.case.pk}/assessments/").status_code == 404
    assert client.get(f"/cases/{team.case.pk}/assessments/{done.pk}/").status_code == 404
    api = api_client(user)
    assert api.get(f"/api/v1/assessments/{done.pk}").status_code == 404
    assert api.get(f"/api/v1/cases/{team.case.pk}/assessments").status_code == 404
    created = api.post(
        f"/api/v1/cases/{team.case.pk}/assessments",
        {"instrument": "tirek-initial"},
        content_type="application/json",
    )
    assert created.status_code == 404
    with pytest.raises(Http404):
        services.assessment_create(user=user, case_id=team.case.pk, instrument_code="tirek-initial")


def test_it_lets_the_team_and_supervisor_in(world: World, instruments: None) -> None:
    team = make_team(world)
    for user in (team.manager, team.psychologist, team.social_worker, team.supervisor):
        assert logged_in_client(user).get(f"/cases/{team.case.pk}/assessments/").status_code == 200


def test_it_fills_in_and_completes_through_the_pages(world: World, instruments: None) -> None:
    team = make_team(world)
    client = logged_in_client(team.manager)
    started = client.post(
        f"/cases/{team.case.pk}/assessments/start/",
        {"instrument": "tirek-initial", "assessed_on": timezone.localdate().isoformat()},
    )
    assessment = Assessment.objects.get(case=team.case)
    assert started["Location"] == f"/cases/{team.case.pk}/assessments/{assessment.pk}/"
    form = {
        "version": assessment.version,
        "assessed_on": timezone.localdate().isoformat(),
        "q_init_danger": "no",
        "q_init_caregiver": "stable",
        "q_init_urgent_care": "no",
        "q_init_shelter": "temporary",
        "own_views": "",
        "action": "complete",
    }
    refused = client.post(started["Location"], form)
    assert refused.status_code == 422
    assert "Запишите собственное мнение" in refused.content.decode()
    assessment.refresh_from_db()
    assert (
        assessment.status == AssessmentStatus.DRAFT
        and assessment.answers["init_shelter"] == "temporary"
    )
    form.update(version=assessment.version, own_views="Хочу домой к бабушке.")
    done = client.post(started["Location"], form)
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert scores(assessment)["basic_needs"] == (1, 9, "low")


def test_it_refuses_a_stale_version(world: World, instruments: None) -> None:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-initial"
    )
    services.assessment_answer(
        user=team.manager, assessment_id=draft.pk, expected_version=1, answers={"init_food": True}
    )
    with pytest.raises(Conflict):
        services.assessment_answer(
            user=team.social_worker,
            assessment_id=draft.pk,
            expected_version=1,
            answers={"init_food": False},
        )
    assert Assessment.objects.get(pk=draft.pk).answers == {"init_food": True}
    api = api_client(team.manager).patch(
        f"/api/v1/assessments/{draft.pk}",
        {"version": 1, "answers": {"init_food": False}},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api["Content-Type"] == "application/problem+json"


def test_it_refuses_an_instrument_for_the_wrong_age(world: World, instruments: None) -> None:
    from datetime import date

    team = make_team(world, birth_date=date(2024, 1, 1))  # two years old
    with pytest.raises(ValidationError):
        services.assessment_create(
            user=team.psychologist, case_id=team.case.pk, instrument_code="psc-17"
        )
    with pytest.raises(ValidationError):
        services.assessment_create(
            user=team.manager, case_id=team.case.pk, instrument_code="tirek-adult-needs"
        )


def test_it_lets_emergency_access_read_but_not_write(world: World, instruments: None) -> None:
    team = make_team(world)
    from tirek.privacy.models import EmergencyAccess

    reader = world.staff(Role.CASE_MANAGER)
    fields = {f.name for f in EmergencyAccess._meta.get_fields()}
    data = {"user": reader, "case": team.case, "expires_at": timezone.now() + timedelta(hours=1)}
    if "justification" in fields:
        data["justification"] = "Ребёнок поступил ночью в больницу"
    EmergencyAccess.objects.create(**data)
    assert logged_in_client(reader).get(f"/cases/{team.case.pk}/assessments/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            user=reader, case_id=team.case.pk, instrument_code="tirek-initial"
        )


BAD_PATCHES = [
    ({"version": 1, "own_views": "a\x00b"}, "own_views"),
    ({"version": 1, "own_views": "x" * 4001}, "own_views"),
    ({"version": 1, "answers": {"init_food": "maybe"}}, "answers.init_food"),
    ({"version": 1, "answers": {"init_nutrition": 3}}, "answers.init_nutrition"),
    ({"version": 1, "answers": "nope"}, "answers"),
    ({"version": "one"}, "version"),
    ({"version": 1, "assessed_on": "2026-02-30"}, "assessed_on"),
    ({"version": 1, "assessed_on": "2999-01-01"}, "assessed_on"),
    ({"version": 1, "remarks": "r" * 1001}, "remarks"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_PATCHES)
def test_it_answers_bad_input_with_a_clear_error_and_changes_nothing(
    world: World, instruments: None, payload: dict, field: str
) -> None:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-initial"
    )
    response = api_client(team.manager).patch(
        f"/api/v1/assessments/{draft.pk}", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    problem = response.json()
    assert any(e["field"] == field for e in problem["errors"]), problem
    draft.refresh_from_db()
    assert (draft.version, draft.answers, draft.own_views) == (1, {}, "")


def test_it_creates_and_completes_through_the_api(world: World, instruments: None) -> None:
    team = make_team(world)
    client = api_client(team.manager)
    created = client.post(
        f"/api/v1/cases/{team.case.pk}/assessments",
        {"instrument": "tirek-child-needs"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    patched = client.patch(
        f"/api/v1/assessments/{body['id']}",
        {"version": body["version"], "answers": CHILD_BASELINE, "own_views": "Хочу в школу."},
        content_type="application/json",
    ).json()
    completed = client.post(
        f"/api/v1/assessments/{body['id']}/complete",
        {"version": patched["version"]},
        content_type="application/json",
    )
    assert completed.status_code == 200
    listed = client.get(f"/api/v1/cases/{team.case.pk}/assessments").json()
    education = next(s for s in listed[0]["scores"] if s["domain"] == "education")
    assert (education["score"], education["severity"]) == (9, "high")
    assert client.get("/api/v1/assessments/999999999").status_code == 404
    assert client.get(f"/api/v1/cases/{10**30}/assessments").status_code in (404, 422)


def test_it_audits_reads_and_writes(world: World, instruments: None) -> None:
    team = make_team(world)
    done = complete(
        team.manager,
        team.case,
        "tirek-initial",
        {
            "init_danger": False,
            "init_caregiver": "stable",
            "init_urgent_care": False,
            "init_shelter": "secure",
        },
    )
    assert AuditEntry.objects.filter(
        object_type="assessments.assessment", object_id=str(done.pk), action="create"
    ).exists()
    logged_in_client(team.social_worker).get(f"/cases/{team.case.pk}/assessments/{done.pk}/")
    read = AuditEntry.objects.filter(
        object_type="cases.case",
        object_id=str(team.case.pk),
        action="read",
        actor=team.social_worker,
    ).first()
    assert read is not None and read.detail["section"] == "plan"
