"""A child's whole journey: registration, assessments, the approved plan, two reviews with
improving scores, closure and follow-up — the way a team would go through it."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.assessments import services as assessment_services
from tirek.assessments.models import Assessment
from tirek.assessments.tests.factories import CHILD_BASELINE, CHILD_IMPROVED, complete, scores
from tirek.audit.models import AuditEntry
from tirek.cases.models import Case, CaseStatus
from tirek.people.models import Person
from tirek.plans import selectors, services
from tirek.plans.deadlines import Step, deadlines_for
from tirek.plans.models import FollowUp, Goal, Plan, PlanStatus, Review
from tirek.testing import World, api_client, logged_in_client

INITIAL = {
    "init_danger": False,
    "init_caregiver": "temporary",
    "init_urgent_care": False,
    "init_vaccination": "unknown",
    "init_shelter": "temporary",
    "init_food": True,
    "init_documents": "none",
}
BETTER = {
    **CHILD_IMPROVED,
    "ed_enrolment": "attending",
    "ed_language": "none",
    "ed_literacy": "some",
    "ed_development": "none",
    "ed_adaptation": "none",  # education 1
    "leg_birth": "registered",
    "leg_identity": True,  # legal 0
}


def open_case(world: World) -> tuple[Case, dict[str, object]]:
    """Registration: the person and the case, through the cases app when it is there."""
    manager = world.staff(Role.CASE_MANAGER)
    people = {
        "manager": manager,
        "psychologist": world.staff(Role.PSYCHOLOGIST),
        "supervisor": world.staff(Role.SUPERVISOR),
    }
    person = Person.objects.create(
        given_name="Ибрагим",
        family_name="Сейтов",
        patronymic="Русланович",
        birth_date=date(2013, 9, 3),
    )
    try:
        from tirek.cases.services import case_open, team_member_add
    except ImportError:  # pragma: no cover - the cases app always offers it today
        from tirek.assessments.tests.factories import make_case

        case = make_case(world, manager=manager)
    else:
        case = case_open(by=manager, person=person, risk_level="high")
        team_member_add(by=manager, case=case, user=people["psychologist"], role=Role.PSYCHOLOGIST)
    case.refresh_from_db()
    return case, people


def test_it_walks_a_case_from_registration_to_follow_up(world: World, instruments: None) -> None:
    case, people = open_case(world)
    manager, psychologist, supervisor = (
        people["manager"],
        people["psychologist"],
        people["supervisor"],
    )
    today = timezone.localdate()

    assert selectors.journey(case).step == Step.INITIAL_ASSESSMENT
    assert [c.pk for c in selectors.due_cases(manager)] == [case.pk]  # 72 h: upcoming

    # Initial assessment within 72 hours.
    initial = complete(manager, case, "tirek-initial", INITIAL, views="Хочу жить с бабушкой.")
    assert scores(initial)["basic_needs"][2] == "moderate"  # temporary shelter + no documents
    assert selectors.journey(case).step == Step.COMPREHENSIVE_ASSESSMENT

    # Comprehensive assessment: the case manager and the psychologist on one draft.
    draft = assessment_services.assessment_create(
        user=manager, case_id=case.pk, instrument_code="tirek-child-needs", assessed_on=today
    )
    draft = assessment_services.assessment_answer(
        user=manager, assessment_id=draft.pk, expected_version=draft.version, answers=CHILD_BASELINE
    )
    draft = assessment_services.assessment_answer(
        user=psychologist,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers={"mh_distress": 3, "mh_trauma": "often", "mh_behaviour": "sometimes"},
        own_views="Ночью страшно, днём хорошо. Хочу учиться.",
    )
    baseline = assessment_services.assessment_complete(
        user=manager, assessment_id=draft.pk, expected_version=draft.version
    )
    assert scores(baseline)["mental_health"] == (6, 14, "moderate")
    assert selectors.journey(case).step == Step.PLAN

    # The plan: two goals, interventions, submitted and approved by the unit's supervisor.
    school = services.goal_create(
        user=manager,
        case_id=case.pk,
        domain="education",
        title="Ибрагим учится в 7 классе и посещает занятия",
        indicator="Посещаемость 90 % за четверть",
        target_date=today + timedelta(days=120),
        responsible_agency_id=world.school.pk,
        responsible_name="Классный руководитель",
    )
    services.intervention_create(
        user=manager,
        goal_id=school.pk,
        title="Зачисление в школу № 17",
        provider_id=world.school.pk,
    )
    documents = services.goal_create(
        user=manager,
        case_id=case.pk,
        domain="legal",
        title="Получено удостоверение личности",
        indicator="Документ выдан",
        target_date=today + timedelta(days=90),
        responsible_agency_id=world.ngo.pk,
    )
    plan = services.plan_submit(
        user=manager, case_id=case.pk, expected_version=Plan.objects.get(case=case).version
    )
    services.plan_approve(
        user=supervisor, case_id=case.pk, expected_version=plan.version, comment="Согласовано"
    )
    assert Plan.objects.get(case=case).status == PlanStatus.APPROVED
    journey = selectors.journey(case)
    review_due = next(i for i in journey.items if i.step == Step.REVIEW).due_at
    approved_at = Plan.objects.get(case=case).first_approved_at
    assert review_due == approved_at + timedelta(days=30)  # high risk: every 30 days

    # First review: re-assessment, progress per goal, views, decisions.
    second = complete(
        manager, case, "tirek-child-needs", CHILD_IMPROVED, views="В школе есть друг."
    )
    first_review = services.review_create(
        user=manager,
        case_id=case.pk,
        held_on=today,
        assessment_id=second.pk,
        child_views="Мне нравится учитель.",
        family_views="Бабушка довольна, просит помочь с формой.",
        decisions="Продолжить занятия по языку.",
        progress=[
            {"goal_id": school.pk, "progress": 2, "status": "in_progress", "comment": "Зачислен"},
            {"goal_id": documents.pk, "progress": 1, "status": "in_progress"},
        ],
    )
    assert first_review.next_review_on == today + timedelta(days=30)
    # Second review, a month on (recorded today, chosen next date further out).
    third = complete(manager, case, "tirek-child-needs", BETTER, views="Получил паспорт!")
    services.review_create(
        user=manager,
        case_id=case.pk,
        held_on=today,
        assessment_id=third.pk,
        child_views="Всё хорошо.",
        decisions="Цели достигнуты, готовить закрытие.",
        next_review_on=today + timedelta(days=60),
        progress=[
            {"goal_id": school.pk, "progress": 4, "status": "achieved"},
            {"goal_id": documents.pk, "progress": 4, "status": "achieved"},
        ],
    )
    assert Review.objects.filter(case=case).count() == 2
    education = [scores(a)["education"] for a in (baseline, second, third)]
    assert education == [(9, 15, "high"), (4, 15, "low"), (1, 15, "none")]  # improving
    assert scores(third)["legal"] == (0, 10, "none")
    assert set(Goal.objects.filter(plan__case=case).values_list("status", flat=True)) == {
        "achieved"
    }
    trend = logged_in_client(manager).get(f"/cases/{case.pk}/assessments/").content.decode()
    assert "9/15" in trend and "4/15" in trend and "1/15" in trend
    # The case page carries the same trend, as charts and as a table.
    case_page = logged_in_client(manager).get(f"/cases/{case.pk}/sections/plan/").content.decode()
    assert 'data-testid="case-trend"' in case_page and 'class="sparkline"' in case_page
    assert "9/15" in case_page and "1/15" in case_page  # first and latest, as text

    # Closure: criteria, reason, supervisor approval, follow-ups at 6 and 12 months.
    services.closure_request(
        user=manager,
        case_id=case.pk,
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
    assert selectors.journey(case).step == Step.CLOSURE
    closure = services.closure_approve(user=supervisor, case_id=case.pk, expected_version=1)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    follow_ups = list(FollowUp.objects.filter(case=case).order_by("months"))
    assert [f.months for f in follow_ups] == [6, 12]
    assert follow_ups[0].due_at.date() in {
        (case.closed_at + timedelta(days=d)).date() for d in range(181, 185)
    }
    assert selectors.journey(case).step == Step.FOLLOW_UP
    assert closure.status == "approved"

    six = services.follow_up_record(
        user=manager,
        follow_up_id=follow_ups[0].pk,
        expected_version=follow_ups[0].version,
        done_on=today,
        outcome="stable",
        notes="Учится, живёт с бабушкой, документы получены.",
        child_views="Всё хорошо, занимаюсь футболом.",
    )
    assert six.done_on == today
    due = selectors.annotate_due(Case.objects.filter(pk=case.pk), deadlines_for()).get()
    assert (due.due_step, due.due_at) == (Step.FOLLOW_UP, follow_ups[1].due_at)
    # Every step left its trace in the audit log.
    kinds = set(
        AuditEntry.objects.filter(actor__in=[manager, psychologist, supervisor]).values_list(
            "object_type", flat=True
        )
    )
    assert {
        "assessments.assessment",
        "plans.goal",
        "plans.plan",
        "plans.review",
        "plans.closure",
        "plans.followup",
        "cases.case",
    } <= kinds
    api = api_client(manager).get(f"/api/v1/cases/{case.pk}/journey").json()
    assert api["step"] == Step.FOLLOW_UP
    assert Assessment.objects.filter(case=case).count() == 4
