"""Due dates: the pure rules per risk level and country, and the same rules in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.assessments.models import Assessment
from tirek.assessments.tests.factories import CHILD_BASELINE, complete, make_case, make_team
from tirek.cases.models import Case
from tirek.plans import selectors
from tirek.plans.deadlines import (
    CaseFacts,
    Deadlines,
    Step,
    add_months,
    current_step,
    deadlines_for,
    next_due,
    schedule,
)
from tirek.plans.models import FollowUp, Plan
from tirek.testing import World, logged_in_client

T0 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
DEFAULT = Deadlines()


def test_it_gives_the_registration_deadlines() -> None:
    items = {d.step: d.due_at for d in schedule(CaseFacts(registered_at=T0), DEFAULT)}
    assert items[Step.INITIAL_ASSESSMENT] == T0 + timedelta(hours=72)
    assert items[Step.COMPREHENSIVE_ASSESSMENT] == T0 + timedelta(days=30)
    # Without the assessment the plan is due 14 days after the assessment's deadline.
    assert items[Step.PLAN] == T0 + timedelta(days=44)
    assert Step.REVIEW not in items


def test_it_dates_the_plan_from_the_completed_assessment() -> None:
    done = T0 + timedelta(days=10)
    facts = CaseFacts(registered_at=T0, initial_done_at=T0, comprehensive_done_at=done)
    assert next_due(facts, DEFAULT).step == Step.PLAN
    assert next_due(facts, DEFAULT).due_at == done + timedelta(days=14)


@pytest.mark.parametrize(("risk", "days"), [("low", 90), ("medium", 90), ("high", 30)])
def test_it_reviews_every_90_days_or_30_for_high_risk(risk: str, days: int) -> None:
    approved = T0 + timedelta(days=20)
    facts = CaseFacts(
        registered_at=T0,
        risk_level=risk,
        initial_done_at=T0,
        comprehensive_done_at=T0,
        plan_approved_at=approved,
    )
    due = next_due(facts, DEFAULT)
    assert (due.step, due.due_at) == (Step.REVIEW, approved + timedelta(days=days))


def test_it_takes_the_next_review_date_chosen_at_the_last_review() -> None:
    chosen = T0 + timedelta(days=200)
    facts = CaseFacts(
        registered_at=T0,
        risk_level="high",
        initial_done_at=T0,
        comprehensive_done_at=T0,
        plan_approved_at=T0,
        next_review_at=chosen,
    )
    assert next_due(facts, DEFAULT).due_at == chosen


def test_it_schedules_follow_ups_6_and_12_months_after_closure() -> None:
    closed = datetime(2026, 8, 31, 15, 0, tzinfo=UTC)
    facts = CaseFacts(registered_at=T0, plan_approved_at=T0, closed_at=closed)
    follow_ups = [d for d in schedule(facts, DEFAULT) if d.step == Step.FOLLOW_UP]
    assert [(d.months, d.due_at) for d in follow_ups] == [
        (6, datetime(2027, 2, 28, 15, 0, tzinfo=UTC)),  # no 31 February
        (12, datetime(2027, 8, 31, 15, 0, tzinfo=UTC)),
    ]
    assert next_due(facts, DEFAULT).months == 6
    after_first = CaseFacts(
        registered_at=T0, plan_approved_at=T0, closed_at=closed, follow_ups_done=frozenset({6})
    )
    assert next_due(after_first, DEFAULT).months == 12
    all_done = CaseFacts(registered_at=T0, closed_at=closed, follow_ups_done=frozenset({6, 12}))
    assert next_due(all_done, DEFAULT) is None
    assert current_step(all_done, DEFAULT, now=closed) == Step.CLOSURE


def test_it_adds_calendar_months() -> None:
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 14) == datetime(2028, 1, 15, tzinfo=UTC)


@override_settings(
    COUNTRY_CODE="UZ",
    TIREK_DEADLINES={
        "UZ": {"initial_assessment_hours": 48, "review_days": 60, "follow_up_months": [3, 12]}
    },
)
def test_it_uses_the_country_setting() -> None:
    deadlines = deadlines_for()
    assert (deadlines.initial_assessment_hours, deadlines.review_days) == (48, 60)
    assert deadlines.review_days_high_risk == 30  # not overridden
    facts = CaseFacts(registered_at=T0)
    assert next_due(facts, deadlines).due_at == T0 + timedelta(hours=48)
    approved = CaseFacts(
        registered_at=T0, initial_done_at=T0, comprehensive_done_at=T0, plan_approved_at=T0
    )
    assert next_due(approved, deadlines).due_at == T0 + timedelta(days=60)
    assert next_due(approved, deadlines_for("KZ")).due_at == T0 + timedelta(days=90)
    closed = CaseFacts(registered_at=T0, closed_at=T0)
    assert [d.months for d in schedule(closed, deadlines) if d.step == Step.FOLLOW_UP] == [3, 12]


@override_settings(TIREK_DEADLINES={"KZ": {"review_every": 10}})
def test_it_refuses_an_unknown_deadline_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match="review_every"):
        deadlines_for("KZ")


def test_it_names_the_current_step() -> None:
    now = T0 + timedelta(days=5)
    assert current_step(CaseFacts(registered_at=T0), DEFAULT, now=now) == Step.INITIAL_ASSESSMENT
    base = CaseFacts(registered_at=T0, initial_done_at=T0)
    assert current_step(base, DEFAULT, now=now) == Step.COMPREHENSIVE_ASSESSMENT
    approved = CaseFacts(
        registered_at=T0, initial_done_at=T0, comprehensive_done_at=T0, plan_approved_at=T0
    )
    assert current_step(approved, DEFAULT, now=now) == Step.IMPLEMENTATION
    assert current_step(approved, DEFAULT, now=T0 + timedelta(days=85)) == Step.REVIEW
    assert current_step(approved, DEFAULT, now=now, closure_requested=True) == Step.CLOSURE


# --- the same rules in SQL --------------------------------------------------------------


def _sql_due(case_id: int) -> tuple[str, datetime] | None:
    from tirek.cases.models import Case

    row = selectors.annotate_due(Case.objects.filter(pk=case_id), deadlines_for()).values_list(
        "due_step", "due_at"
    )[0]
    return None if row[1] is None else row


def _facts_from_records(case: Case) -> CaseFacts:
    """The facts read straight from assessments, plan, reviews and follow-ups — to check
    the denormalised milestones the SQL uses."""
    done = Assessment.objects.filter(case=case, status="completed").order_by("completed_at")
    plan = Plan.objects.filter(case=case).first()
    return CaseFacts(
        registered_at=case.opened_at,
        risk_level=case.risk_level,
        initial_done_at=done.filter(kind__in=["initial", "comprehensive"])
        .values_list("completed_at", flat=True)
        .first(),
        comprehensive_done_at=done.filter(kind="comprehensive")
        .values_list("completed_at", flat=True)
        .first(),
        plan_approved_at=plan.first_approved_at if plan else None,
        next_review_at=plan.next_review_due_at if plan else None,
        closed_at=case.closed_at if case.status == "closed" else None,
        follow_ups_done=frozenset(
            FollowUp.objects.filter(
                case=case, done_on__isnull=False, cancelled_at__isnull=True
            ).values_list("months", flat=True)
        ),
    )


def _pure_due(case: Case) -> tuple[str, datetime] | None:
    due = next_due(_facts_from_records(case), deadlines_for())
    return None if due is None else (due.step, due.due_at)


def _same(case: Case) -> None:
    case.refresh_from_db()
    sql, pure = _sql_due(case.pk), _pure_due(case)
    assert selectors.facts_for(case)[0] == _facts_from_records(case)
    assert (sql is None) == (pure is None), (sql, pure)
    if sql is not None and pure is not None:
        assert sql[0] == pure[0]
        assert abs(sql[1] - pure[1]) < timedelta(seconds=1), (sql, pure)
    # The twin "my work" uses for a caseload read whole agrees with the SQL to the second.
    loaded = Case.objects.select_related("milestones").get(pk=case.pk)
    step, at = selectors.due_of(loaded, deadlines_for())
    assert (None if at is None else (step, at)) == sql


@pytest.mark.parametrize(
    "opened_at",
    [
        datetime(2026, 3, 4, 10, 15, 30, 123456, tzinfo=UTC),  # microseconds kept
        datetime(2026, 3, 4, 10, 15, 30, tzinfo=UTC),  # none stored
        datetime(2024, 2, 27, 23, 59, 59, 999999, tzinfo=UTC),  # across 29 February
        datetime(2025, 12, 31, 22, 0, 1, 5, tzinfo=UTC),  # into the next year
    ],
)
def test_sql_moves_a_registration_date_exactly(world: World, opened_at: datetime) -> None:
    """Due dates in SQL are the stored dates moved by the deadline (SQLite moves the text
    itself): to the microsecond, across month and year ends, and so filtered and ordered."""
    case = make_case(world)
    Case.objects.filter(pk=case.pk).update(opened_at=opened_at)
    deadlines = deadlines_for()
    due = opened_at + timedelta(hours=deadlines.initial_assessment_hours)
    dated = selectors.annotate_due(Case.objects.filter(pk=case.pk), deadlines)
    assert dated.values_list("due_step", "due_at").get() == (Step.INITIAL_ASSESSMENT, due)
    assert dated.filter(due_at__lte=due).exists()
    assert not dated.filter(due_at__lt=due).exists()
    assert not dated.filter(due_at__gt=due).exists()


@pytest.mark.parametrize("risk", ["low", "medium", "high"])
def test_it_computes_the_same_due_date_in_sql(world: World, instruments: None, risk: str) -> None:
    from tirek.plans import services

    team = make_team(world, risk_level=risk, opened_days_ago=40)
    _same(team.case)  # nothing done: initial assessment
    complete(
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
    _same(team.case)  # comprehensive
    complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    _same(team.case)  # plan
    services.goal_create(
        user=team.manager,
        case_id=team.case.pk,
        domain="education",
        title="Посещает школу",
        indicator="Посещаемость 90 %",
        target_date=timezone.localdate() + timedelta(days=90),
        responsible_name="Классный руководитель",
    )
    plan = Plan.objects.get(case=team.case)
    plan = services.plan_submit(
        user=team.manager, case_id=team.case.pk, expected_version=plan.version
    )
    services.plan_approve(user=team.supervisor, case_id=team.case.pk, expected_version=plan.version)
    _same(team.case)  # review from approval, by risk
    assert _sql_due(team.case.pk)[0] == Step.REVIEW
    services.review_create(
        user=team.manager,
        case_id=team.case.pk,
        held_on=timezone.localdate(),
        child_views="Нравится в школе.",
        decisions="Продолжать.",
    )
    _same(team.case)  # the date chosen at the review
    services.goal_update(
        user=team.manager,
        goal_id=Plan.objects.get(case=team.case).goals.get().pk,
        expected_version=Plan.objects.get(case=team.case).goals.get().version,
        status="achieved",
    )
    services.closure_request(
        user=team.manager,
        case_id=team.case.pk,
        reason="goals_achieved",
        checklist=[
            "safe",
            "goals_reviewed",
            "services_in_place",
            "documents",
            "views_heard",
            "follow_up_agreed",
        ],
    )
    services.closure_approve(user=team.supervisor, case_id=team.case.pk, expected_version=1)
    _same(team.case)  # the 6-month follow-up
    six = FollowUp.objects.get(case=team.case, months=6)
    services.follow_up_record(
        user=team.manager,
        follow_up_id=six.pk,
        expected_version=six.version,
        done_on=timezone.localdate(),
        outcome="stable",
        notes="Всё хорошо.",
    )
    _same(team.case)  # the 12-month one
    team.case.refresh_from_db()
    services.case_reopen(
        user=team.manager,
        case_id=team.case.pk,
        expected_version=team.case.version,
        reason="Снова нужна помощь",
    )
    _same(team.case)  # back to reviews


def test_it_lists_only_what_is_due_within_a_week_or_overdue(
    world: World, instruments: None
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    fresh = make_case(world, manager=manager)  # initial due in 72 h: upcoming
    old = make_case(world, manager=manager, opened_days_ago=10)  # initial overdue
    later = make_case(world, manager=manager)
    complete(
        manager,
        later,
        "tirek-initial",
        {
            "init_danger": False,
            "init_caregiver": "stable",
            "init_urgent_care": False,
            "init_shelter": "secure",
        },
    )  # comprehensive due in 30 days: not yet on the list
    due = list(selectors.due_cases(manager))
    assert [c.pk for c in due] == [old.pk, fresh.pk]  # soonest (most overdue) first
    mine = selectors.my_due_cases(manager)  # the same list, dated in Python
    assert [(c.pk, c.due_step, c.due_at) for c in mine] == [
        (c.pk, c.due_step, c.due_at) for c in due
    ]
    assert [c.pk for c in selectors.due_cases(manager, overdue_only=True)] == [old.pk]
    in_25_days = timezone.now() + timedelta(days=25)
    assert later.pk in [c.pk for c in selectors.due_cases(manager, now=in_25_days)]


def test_the_due_list_picks_a_case_at_every_step_exactly_when_its_date_has_come(
    world: World,
) -> None:
    """Each step of the journey, due a minute before, on and a minute after the list's
    horizon: the list's condition in SQL picks exactly what dating each case in Python
    (``due_of``) picks, in the same order."""
    from tirek.plans.deadlines import deadlines_for
    from tirek.plans.models import CaseMilestones

    d = deadlines_for()
    now = timezone.now().replace(microsecond=0)
    long_ago = now - timedelta(days=400)
    assessed = {"initial_done_at": long_ago, "comprehensive_done_at": long_ago}

    # step -> (status, risk, opened_at, milestones) for a case whose step falls due on ``at``
    def steps(at: datetime) -> dict[str, tuple[str, str, datetime, dict[str, object] | None]]:
        return {
            "initial": ("active", "medium", at - timedelta(hours=d.initial_assessment_hours), None),
            "comprehensive": (
                "active",
                "medium",
                at - timedelta(days=d.comprehensive_assessment_days),
                {"initial_done_at": long_ago},
            ),
            "plan": (
                "reopened",
                "high",
                long_ago,
                {"initial_done_at": long_ago, "comprehensive_done_at": at - timedelta(d.plan_days)},
            ),
            "review set": (
                "active",
                "low",
                long_ago,
                assessed | {"plan_approved_at": long_ago, "next_review_at": at},
            ),
            "review, high risk": (
                "active",
                "high",
                long_ago,
                assessed | {"plan_approved_at": at - d.review_interval("high")},
            ),
            "review": (
                "active",
                "medium",
                long_ago,
                assessed | {"plan_approved_at": at - d.review_interval("medium")},
            ),
            "follow-up": ("closed", "medium", long_ago, {"next_follow_up_at": at}),
        }

    for overdue_only in (True, False):
        manager = world.staff(Role.CASE_MANAGER)
        horizon = now if overdue_only else now + timedelta(days=d.upcoming_days)
        expected: dict[int, str] = {}
        for minutes in (-1, 0, 1):
            for step, (status, risk, opened_at, milestones) in steps(
                horizon + timedelta(minutes=minutes)
            ).items():
                case = make_case(world, manager=manager)
                Case.objects.filter(pk=case.pk).update(
                    status=status, risk_level=risk, opened_at=opened_at
                )
                if milestones is not None:
                    CaseMilestones.objects.create(case=case, **milestones)
                if minutes <= 0:
                    expected[case.pk] = step
        listed = list(selectors.due_cases(manager, now=now, overdue_only=overdue_only))
        dated = selectors.due_among(
            Case.objects.filter(team__user=manager).select_related("milestones"),
            now=horizon - timedelta(days=d.upcoming_days),
        )
        assert len(expected) == 14
        assert {c.pk for c in listed} == set(expected), overdue_only
        assert [(c.pk, c.due_at) for c in listed] == [(c.pk, c.due_at) for c in dated]


# --- phases ------------------------------------------------------------------------------


def test_it_names_what_a_phase_needs() -> None:
    from tirek.plans.phases import entry_problems

    fresh = CaseFacts(registered_at=T0)
    approved = CaseFacts(registered_at=T0, plan_approved_at=T0)
    assert entry_problems(fresh, "rehabilitation", reviews=0) == []
    assert len(entry_problems(fresh, "reintegration", reviews=0)) == 1
    assert entry_problems(approved, "reintegration", reviews=0) == []
    assert len(entry_problems(approved, "monitoring", reviews=0)) == 1
    assert entry_problems(approved, "monitoring", reviews=1) == []


def test_it_checks_a_case_before_it_moves_on_but_never_back(
    world: World, instruments: None
) -> None:
    from tirek.plans.phases import phase_change_problems

    team = make_team(world)
    assert phase_change_problems(team.case, "reintegration") == [
        "Сначала должен быть утверждён индивидуальный план."
    ]
    Case.objects.filter(pk=team.case.pk).update(phase="monitoring")
    team.case.refresh_from_db()
    assert phase_change_problems(team.case, "rehabilitation") == []
    assert phase_change_problems(team.case, "nowhere") == ["Неизвестный этап."]
    page = logged_in_client(team.manager).get(f"/cases/{team.case.pk}/plan/").content.decode()
    assert 'data-testid="next-phase"' not in page  # monitoring is the last phase


def test_it_rebuilds_the_milestones_from_the_records(world: World, instruments: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tirek.plans.models import CaseMilestones

    team = make_team(world)
    complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    row = CaseMilestones.objects.get(case=team.case)
    CaseMilestones.objects.all().delete()  # e.g. a restore from before the app existed
    out = StringIO()
    call_command("milestones", "refresh", stdout=out)
    assert "1 cases" in out.getvalue()
    rebuilt = CaseMilestones.objects.get(case=team.case)
    assert rebuilt.comprehensive_done_at == row.comprehensive_done_at is not None
    assert rebuilt.initial_done_at == row.initial_done_at
