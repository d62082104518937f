"""Reviews, closure against criteria, reopening and follow-up records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tirek.assessments.tests.factories import Team, make_team
from tirek.audit.models import AuditEntry
from tirek.cases.models import Case, CaseStatus
from tirek.core.exceptions import Conflict, Refused
from tirek.plans import services
from tirek.plans.models import Closure, ClosureStatus, FollowUp, Goal, Review
from tirek.testing import InDays, World, api_client, logged_in_client

from .test_plan import add_goal, submitted, version_of

ALL_CRITERIA = [
    "safe",
    "goals_reviewed",
    "services_in_place",
    "documents",
    "views_heard",
    "follow_up_agreed",
]


def approved(world: World) -> Team:
    team = submitted(world)
    services.plan_approve(
        user=team.supervisor, case_id=team.case.pk, expected_version=version_of(team)
    )
    return team


def test_it_needs_an_approved_plan_for_a_review(world: World, instruments: None) -> None:
    team = make_team(world)
    with pytest.raises(Refused):
        services.review_create(
            user=team.manager,
            case_id=team.case.pk,
            held_on=timezone.localdate(),
            child_views="—",
            decisions="—",
        )
    page = logged_in_client(team.manager).get(f"/cases/{team.case.pk}/reviews/")
    assert "Пересмотры начинаются после утверждения плана." in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_on": InDays(1)}, "held_on"),
        ({"next_review_on": InDays(-1)}, "next_review_on"),
        ({"next_review_on": InDays(400)}, "next_review_on"),
        ({"assessment_id": 999999}, "assessment_id"),
        ({"child_views": "a\x00b"}, "child_views"),
        ({"child_views": ""}, "child_views"),
        ({"progress": [{"goal_id": 999999, "progress": 2}]}, "progress.0.goal_id"),
        ({"progress": [{"goal_id": "GOAL", "progress": 9}]}, "progress.0.progress"),
    ],
)
def test_it_refuses_a_bad_review_and_records_nothing(
    world: World, instruments: None, changes: dict, field: str
) -> None:
    team = approved(world)
    goal = Goal.objects.get(plan__case=team.case)
    for item in changes.get("progress", []):
        if item["goal_id"] == "GOAL":
            item["goal_id"] = goal.pk
    payload = {
        "held_on": timezone.localdate(),
        "child_views": "Хорошо.",
        "decisions": "Продолжать.",
        **changes,
    }
    for key in ("held_on", "next_review_on"):
        if key in payload:
            payload[key] = payload[key].isoformat()
    response = api_client(team.manager).post(
        f"/api/v1/cases/{team.case.pk}/reviews", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()
    assert not Review.objects.exists()
    goal.refresh_from_db()
    assert goal.progress == 0


def test_it_records_a_review_through_the_page(world: World, instruments: None) -> None:
    team = approved(world)
    goal = Goal.objects.get(plan__case=team.case)
    response = logged_in_client(team.social_worker).post(
        f"/cases/{team.case.pk}/reviews/",
        {
            "held_on": timezone.localdate().isoformat(),
            "child_views": "Нравится заниматься.",
            "family_views": "",
            "decisions": "Продолжить занятия.",
            "next_review_on": "",
            f"progress_{goal.pk}": "3",
            f"status_{goal.pk}": "in_progress",
            f"comment_{goal.pk}": "Ходит регулярно",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(case=team.case)
    assert review.next_review_on == timezone.localdate() + timedelta(days=90)  # medium risk
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (3, "in_progress")
    page = logged_in_client(team.manager).get(f"/cases/{team.case.pk}/reviews/").content.decode()
    assert "Нравится заниматься." in page and "Ходит регулярно" in page


def test_it_closes_only_against_the_criteria(world: World, instruments: None) -> None:
    team = approved(world)
    with pytest.raises(ValidationError) as caught:
        services.closure_request(
            user=team.manager,
            case_id=team.case.pk,
            reason="goals_achieved",
            checklist=ALL_CRITERIA[:-1],
        )
    assert "checklist" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.closure_request(
            user=team.manager, case_id=team.case.pk, reason="goals_achieved", checklist=ALL_CRITERIA
        )
    assert "open_goals_explanation" in caught.value.message_dict  # the goal is still planned
    assert not Closure.objects.exists()
    with pytest.raises(PermissionDenied):
        services.closure_request(
            user=team.social_worker,
            case_id=team.case.pk,
            reason="moved",
            checklist=ALL_CRITERIA,
            open_goals_explanation="Семья переехала, случай передан.",
        )
    closure = services.closure_request(
        user=team.manager,
        case_id=team.case.pk,
        reason="moved",
        checklist=ALL_CRITERIA,
        open_goals_explanation="Семья переехала в Алматы, цель передана новой команде.",
    )
    assert closure.status == ClosureStatus.REQUESTED
    with pytest.raises(Refused):
        services.closure_request(
            user=team.manager, case_id=team.case.pk, reason="moved", checklist=ALL_CRITERIA
        )


@pytest.mark.parametrize("who", ["manager", "psychologist"])
def test_it_lets_only_the_supervisor_approve_closing(
    world: World, instruments: None, who: str
) -> None:
    team = approved(world)
    Goal.objects.filter(plan__case=team.case).update(status="achieved")
    services.closure_request(
        user=team.manager, case_id=team.case.pk, reason="goals_achieved", checklist=ALL_CRITERIA
    )
    with pytest.raises(PermissionDenied):
        services.closure_approve(user=getattr(team, who), case_id=team.case.pk, expected_version=1)
    response = api_client(team.other_supervisor).post(
        f"/api/v1/cases/{team.case.pk}/closure/approve",
        {"version": 1},
        content_type="application/json",
    )
    assert response.status_code == 404
    team.case.refresh_from_db()
    assert team.case.status != CaseStatus.CLOSED and not FollowUp.objects.exists()


def test_it_closes_schedules_follow_ups_and_reopens(world: World, instruments: None) -> None:
    team = approved(world)
    Goal.objects.filter(plan__case=team.case).update(status="achieved")
    client = logged_in_client(team.manager)
    response = client.post(
        f"/cases/{team.case.pk}/closure/",
        {"action": "request", "reason": "goals_achieved", "checklist": ALL_CRITERIA},
    )
    assert response.status_code == 302
    closure = Closure.objects.get(case=team.case)
    version_before = Case.objects.get(pk=team.case.pk).version
    supervisor = logged_in_client(team.supervisor)
    home = supervisor.get("/").content.decode()
    assert "Закрытия, ожидающие моего утверждения" in home and team.case.number in home
    response = supervisor.post(
        f"/cases/{team.case.pk}/closure/",
        {"action": "approve", "version": closure.version, "comment": ""},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=team.case.pk)
    assert case.status == CaseStatus.CLOSED and case.version == version_before + 1
    assert list(FollowUp.objects.filter(case=case).values_list("months", flat=True)) == [6, 12]
    # A closed case's plan cannot change.
    with pytest.raises(Refused):
        add_goal(team, "Новая цель")
    # Reopening needs a reason and the case's current version.
    with pytest.raises(ValidationError):
        services.case_reopen(
            user=team.manager, case_id=case.pk, expected_version=case.version, reason=" "
        )
    with pytest.raises(Conflict):
        services.case_reopen(
            user=team.manager,
            case_id=case.pk,
            expected_version=case.version - 1,
            reason="Новые сведения",
        )
    with pytest.raises(PermissionDenied):
        services.case_reopen(
            user=team.psychologist,
            case_id=case.pk,
            expected_version=case.version,
            reason="Новые сведения",
        )
    services.case_reopen(
        user=team.manager,
        case_id=case.pk,
        expected_version=case.version,
        reason="Школа сообщила о травле, нужна помощь.",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED and case.closed_at is None
    assert not FollowUp.objects.filter(case=case, cancelled_at__isnull=True).exists()
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.REOPENED and closure.reopen_reason.startswith("Школа")
    assert AuditEntry.objects.filter(
        object_type="cases.case", object_id=str(case.pk), detail__reopened=True, actor=team.manager
    ).exists()


def test_it_records_follow_ups_with_clear_errors(world: World, instruments: None) -> None:
    team = approved(world)
    Goal.objects.filter(plan__case=team.case).update(status="achieved")
    services.closure_request(
        user=team.manager, case_id=team.case.pk, reason="goals_achieved", checklist=ALL_CRITERIA
    )
    services.closure_approve(user=team.supervisor, case_id=team.case.pk, expected_version=1)
    six = FollowUp.objects.get(case=team.case, months=6)
    client = api_client(team.social_worker)
    url = f"/api/v1/cases/{team.case.pk}/follow-ups/{six.pk}"
    bad = [
        {"version": 1, "done_on": "2026-13-01", "outcome": "stable", "notes": "ok"},
        {
            "version": 1,
            "done_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "outcome": "stable",
            "notes": "ok",
        },
        {
            "version": 1,
            "done_on": timezone.localdate().isoformat(),
            "outcome": "great",
            "notes": "ok",
        },
        {
            "version": 1,
            "done_on": timezone.localdate().isoformat(),
            "outcome": "stable",
            "notes": "\x00",
        },
    ]
    for payload in bad:
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 422, (payload, response.content)
    six.refresh_from_db()
    assert six.done_on is None
    ok = client.post(
        url,
        {
            "version": 1,
            "done_on": timezone.localdate().isoformat(),
            "outcome": "stable",
            "notes": "Всё хорошо.",
        },
        content_type="application/json",
    )
    assert ok.status_code == 200
    state = ok.json()
    assert [f["done_on"] is not None for f in state["follow_ups"]] == [True, False]
    again = client.post(
        url,
        {
            "version": 2,
            "done_on": timezone.localdate().isoformat(),
            "outcome": "stable",
            "notes": "x",
        },
        content_type="application/json",
    )
    assert again.status_code == 403
    other_case = make_team(world).case
    assert (
        client.post(
            f"/api/v1/cases/{other_case.pk}/follow-ups/{six.pk}",
            {
                "version": 2,
                "done_on": timezone.localdate().isoformat(),
                "outcome": "stable",
                "notes": "x",
            },
            content_type="application/json",
        ).status_code
        == 404
    )
