"""The individual plan: goals, entry criteria, supervisor approval, versions and the PDF."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from tirek.assessments.tests.factories import CHILD_BASELINE, Team, complete, make_team
from tirek.audit.models import AuditEntry
from tirek.core.exceptions import Conflict, Refused
from tirek.plans import selectors, services
from tirek.plans.models import Goal, Plan, PlanStatus, PlanVersion
from tirek.testing import World, api_client, logged_in_client


def add_goal(team: Team, title: str = "Ребёнок посещает школу", **extra: Any) -> Goal:
    data: dict[str, Any] = {
        "domain": "education",
        "title": title,
        "indicator": "Посещаемость не ниже 90 % за четверть",
        "target_date": timezone.localdate() + timedelta(days=120),
        "responsible_agency_id": team.case.supervising_unit.agency_id,
        "responsible_user_id": team.manager.pk,
    }
    data.update(extra)
    return services.goal_create(user=team.manager, case_id=team.case.pk, **data)


def submitted(world: World) -> Team:
    team = make_team(world)
    complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    goal = add_goal(team)
    services.intervention_create(
        user=team.manager,
        goal_id=goal.pk,
        title="Дополнительные занятия по казахскому языку",
        frequency="2 раза в неделю",
        provider_id=world.school.pk,
        responsible_name="Учитель казахского языка",
    )
    plan = Plan.objects.get(case=team.case)
    services.plan_submit(user=team.manager, case_id=team.case.pk, expected_version=plan.version)
    return team


def version_of(team: Team) -> int:
    return Plan.objects.get(case=team.case).version


def test_it_refuses_to_submit_without_a_completed_comprehensive_assessment(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    add_goal(team)
    with pytest.raises(Refused, match="комплексн|comprehensive"):
        services.plan_submit(
            user=team.manager, case_id=team.case.pk, expected_version=version_of(team)
        )
    assert Plan.objects.get(case=team.case).status == PlanStatus.DRAFT


def test_it_refuses_goals_without_indicator_date_or_responsible(
    world: World, instruments: None
) -> None:
    team = make_team(world)
    complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    add_goal(team, indicator="", responsible_agency_id=None, responsible_user_id=None)
    with pytest.raises(Refused) as caught:
        services.plan_submit(
            user=team.manager, case_id=team.case.pk, expected_version=version_of(team)
        )
    assert "индикатор" in str(caught.value) or "indicator" in str(caught.value)


def test_it_lets_only_the_case_manager_submit(world: World, instruments: None) -> None:
    team = make_team(world)
    complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    add_goal(team)
    with pytest.raises(PermissionDenied):
        services.plan_submit(
            user=team.psychologist, case_id=team.case.pk, expected_version=version_of(team)
        )


def test_it_lets_a_supervisor_of_the_unit_approve(world: World, instruments: None) -> None:
    team = submitted(world)
    version = services.plan_approve(
        user=team.supervisor,
        case_id=team.case.pk,
        expected_version=version_of(team),
        comment="Согласовано",
    )
    plan = Plan.objects.get(case=team.case)
    assert (plan.status, plan.approved_number, version.number) == (PlanStatus.APPROVED, 1, 1)
    assert plan.first_approved_at is not None
    assert version.snapshot["goals"][0]["title"] == "Ребёнок посещает школу"
    assert version.snapshot["goals"][0]["interventions"][0]["provider"] == world.school.name
    assert AuditEntry.objects.filter(
        object_type="plans.plan", object_id=str(plan.pk), detail__decision="approved"
    ).exists()


@pytest.mark.parametrize("who", ["manager", "psychologist", "social_worker"])
def test_it_refuses_approval_to_team_members(world: World, instruments: None, who: str) -> None:
    team = submitted(world)
    user = getattr(team, who)
    with pytest.raises(PermissionDenied):
        services.plan_approve(user=user, case_id=team.case.pk, expected_version=version_of(team))
    response = api_client(user).post(
        f"/api/v1/cases/{team.case.pk}/plan/approve",
        {"version": version_of(team)},
        content_type="application/json",
    )
    assert response.status_code == 403
    page = logged_in_client(user).post(
        f"/cases/{team.case.pk}/plan/decide/", {"version": version_of(team), "decision": "approve"}
    )
    assert page.status_code == 302
    assert Plan.objects.get(case=team.case).status == PlanStatus.SUBMITTED
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize("who", ["other_supervisor", "outsider"])
def test_it_hides_the_plan_from_supervisors_of_other_units(
    world: World, instruments: None, who: str
) -> None:
    team = submitted(world)
    user = getattr(team, who)
    with pytest.raises(Http404):
        services.plan_approve(user=user, case_id=team.case.pk, expected_version=version_of(team))
    response = api_client(user).post(
        f"/api/v1/cases/{team.case.pk}/plan/approve",
        {"version": version_of(team)},
        content_type="application/json",
    )
    assert response.status_code == 404
    client = logged_in_client(user)
    assert client.get(f"/cases/{team.case.pk}/plan/").status_code == 404
    assert (
        client.post(
            f"/cases/{team.case.pk}/plan/decide/", {"version": 1, "decision": "approve"}
        ).status_code
        == 404
    )
    assert Plan.objects.get(case=team.case).status == PlanStatus.SUBMITTED


def test_it_needs_four_eyes(world: World, instruments: None) -> None:
    team = make_team(world)
    complete(team.supervisor, team.case, "tirek-child-needs", CHILD_BASELINE)
    # A supervisor who also leads the case cannot approve their own submission.
    team.case.case_manager = team.supervisor
    team.case.save(update_fields=["case_manager"])
    add_goal(team)
    services.plan_submit(
        user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
    )
    with pytest.raises(Refused):
        services.plan_approve(
            user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
        )


def test_it_returns_a_plan_with_comments_and_resubmits(world: World, instruments: None) -> None:
    team = submitted(world)
    with pytest.raises(ValidationError):
        services.plan_return(
            user=team.supervisor,
            case_id=team.case.pk,
            expected_version=version_of(team),
            comment=" ",
        )
    services.plan_return(
        user=team.supervisor,
        case_id=team.case.pk,
        expected_version=version_of(team),
        comment="Добавьте цель по документам.",
    )
    plan = Plan.objects.get(case=team.case)
    assert plan.status == PlanStatus.RETURNED
    page = logged_in_client(team.manager).get(f"/cases/{team.case.pk}/plan/").content.decode()
    assert "Добавьте цель по документам." in page
    add_goal(team, "Получено свидетельство о рождении", domain="legal")
    services.plan_submit(user=team.manager, case_id=team.case.pk, expected_version=version_of(team))
    assert Plan.objects.get(case=team.case).status == PlanStatus.SUBMITTED


def test_it_freezes_the_plan_while_waiting_for_approval(world: World, instruments: None) -> None:
    team = submitted(world)
    with pytest.raises(Refused):
        add_goal(team, "Новая цель")
    goal = Goal.objects.get(plan__case=team.case)
    with pytest.raises(Refused):
        services.goal_update(
            user=team.manager, goal_id=goal.pk, expected_version=goal.version, title="Другое"
        )


def test_it_versions_each_approval_and_shows_what_changed(world: World, instruments: None) -> None:
    team = submitted(world)
    services.plan_approve(
        user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
    )
    first_goal = Goal.objects.get(plan__case=team.case)
    # A progress update during implementation keeps the plan approved...
    services.goal_update(
        user=team.manager,
        goal_id=first_goal.pk,
        expected_version=first_goal.version,
        progress=2,
        status="in_progress",
    )
    assert Plan.objects.get(case=team.case).status == PlanStatus.APPROVED
    # ...changing the plan's content starts a revision that needs approval again.
    first_goal.refresh_from_db()
    services.goal_update(
        user=team.manager,
        goal_id=first_goal.pk,
        expected_version=first_goal.version,
        target_date=timezone.localdate() + timedelta(days=200),
    )
    assert Plan.objects.get(case=team.case).status == PlanStatus.DRAFT
    add_goal(team, "Получено свидетельство о рождении", domain="legal")
    services.plan_submit(user=team.manager, case_id=team.case.pk, expected_version=version_of(team))
    services.plan_approve(
        user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
    )
    # Version 3 drops the legal goal again.
    legal = Goal.objects.get(plan__case=team.case, domain="legal")
    services.goal_delete(user=team.manager, goal_id=legal.pk, expected_version=legal.version)
    services.plan_submit(user=team.manager, case_id=team.case.pk, expected_version=version_of(team))
    services.plan_approve(
        user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
    )

    v1, v2, v3 = (PlanVersion.objects.get(plan__case=team.case, number=n) for n in (1, 2, 3))
    changes = selectors.diff(v1.snapshot, v2.snapshot)
    assert [(c.kind, c.goal["title"]) for c in changes] == [
        ("changed", "Ребёнок посещает школу"),
        ("added", "Получено свидетельство о рождении"),
    ]
    assert {name for name, _old, _new in changes[0].fields} == {"target_date", "status", "progress"}
    assert [(c.kind, c.goal["title"]) for c in selectors.diff(v2.snapshot, v3.snapshot)] == [
        ("removed", "Получено свидетельство о рождении")
    ]
    assert v1.snapshot["goals"][0]["progress"] == 0  # old versions stay as approved

    page = logged_in_client(team.supervisor).get(f"/cases/{team.case.pk}/plan/versions/2/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="changes"' in html
    assert "Получено свидетельство о рождении" in html
    api = api_client(team.manager).get(f"/api/v1/cases/{team.case.pk}/plan/versions/3").json()
    assert api["changes_from_previous"][0]["kind"] == "removed"
    listed = api_client(team.manager).get(f"/api/v1/cases/{team.case.pk}/plan/versions").json()
    assert [v["number"] for v in listed] == [3, 2, 1]


def test_it_refuses_stale_versions(world: World, instruments: None) -> None:
    team = submitted(world)
    stale = version_of(team) - 1
    with pytest.raises(Conflict):
        services.plan_approve(user=team.supervisor, case_id=team.case.pk, expected_version=stale)
    goal = Goal.objects.get(plan__case=team.case)
    response = api_client(team.manager).patch(
        f"/api/v1/cases/{team.case.pk}/plan/goals/{goal.pk}",
        {"version": goal.version + 5, "progress": 3},
        content_type="application/json",
    )
    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.progress == 0


def test_it_prints_the_plan_as_pdf_for_the_team_and_audits_it(
    world: World, instruments: None
) -> None:
    team = submitted(world)
    services.plan_approve(
        user=team.supervisor,
        case_id=team.case.pk,
        expected_version=version_of(team),
        comment="Согласовано",
    )
    response = logged_in_client(team.social_worker).get(f"/cases/{team.case.pk}/plan/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert team.case.number in flat
    assert team.case.person.family_name in flat and "Амина" in flat
    assert "Ребёнок посещает школу" in flat
    assert "Дополнительные занятия по казахскому языку" in flat
    assert "Учитель казахского языка" in flat
    assert "Индивидуальный план реабилитации и реинтеграции" in flat
    assert "Согласовано" in flat
    export = AuditEntry.objects.get(action="export", actor=team.social_worker)
    assert export.object_id == str(team.case.pk) and export.detail["version"] == 1
    assert (
        logged_in_client(team.outsider).get(f"/cases/{team.case.pk}/plan/pdf/").status_code == 404
    )


def test_it_prints_in_english_for_an_english_user(world: World, instruments: None) -> None:
    team = submitted(world)
    client = logged_in_client(team.manager)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(f"/cases/{team.case.pk}/plan/pdf/")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "Individual rehabilitation and reintegration plan" in text
    assert "Draft" in text  # not approved yet
    assert "Ребёнок посещает школу" in text


GOAL_BAD = [
    ({"domain": "education", "title": "a\x00b"}, "title"),
    ({"domain": "education", "title": "x" * 301}, "title"),
    ({"domain": "astrology", "title": "Цель"}, "domain"),
    ({"domain": "education", "title": "Цель", "target_date": "2026-02-30"}, "target_date"),
    ({"domain": "education", "title": "Цель", "target_date": "2400-01-01"}, "target_date"),
    ({"domain": "education", "title": "Цель", "progress": "lots"}, "progress"),
    (
        {"domain": "education", "title": "Цель", "responsible_agency_id": 987654},
        "responsible_agency_id",
    ),
    (
        {"domain": "education", "title": "Цель", "responsible_user_id": 10**20},
        "responsible_user_id",
    ),
    ({"domain": "education"}, "title"),
]


@pytest.mark.parametrize(("payload", "field"), GOAL_BAD)
def test_it_refuses_bad_goals_clearly_and_changes_nothing(
    world: World, instruments: None, payload: dict, field: str
) -> None:
    team = make_team(world)
    response = api_client(team.manager).post(
        f"/api/v1/cases/{team.case.pk}/plan/goals", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()
    assert not Goal.objects.exists()


def test_it_edits_goals_through_the_pages(world: World, instruments: None) -> None:
    team = make_team(world)
    client = logged_in_client(team.manager)
    form = {
        "domain": "legal",
        "title": "Получен документ, удостоверяющий личность",
        "indicator": "Документ выдан",
        "target_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "responsible_agency": world.ngo.pk,
        "responsible_user": "",
        "responsible_name": "",
        "status": "planned",
        "progress": "0",
    }
    assert client.post(f"/cases/{team.case.pk}/plan/goals/new/", form).status_code == 302
    goal = Goal.objects.get(plan__case=team.case)
    bad = client.post(
        f"/cases/{team.case.pk}/plan/goals/{goal.pk}/",
        {**form, "version": goal.version, "title": ""},
    )
    assert bad.status_code == 422
    goal.refresh_from_db()
    assert goal.title == "Получен документ, удостоверяющий личность"
    gone = client.post(
        f"/cases/{team.case.pk}/plan/goals/{goal.pk}/",
        {"version": goal.version, "action": "delete"},
    )
    assert gone.status_code == 302 and not Goal.objects.exists()
