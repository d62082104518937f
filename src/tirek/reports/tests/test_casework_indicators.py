"""Indicators from assessments, plans, referrals, interviews and training, computed on a
small hand-built fixture (models created directly) and checked against hand counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tirek.accounts.models import Competency, StaffCompetency
from tirek.accounts.roles import Role
from tirek.assessments.models import (
    Assessment,
    AssessmentStatus,
    DomainScore,
    InstrumentKind,
    InstrumentVersion,
)
from tirek.cases.models import Case, CaseTeamMember
from tirek.interviews.models import Interview, InterviewKind, InterviewStatus, Matter
from tirek.plans.models import Closure, ClosureReason, FollowUp, Plan, PlanVersion, Review
from tirek.referrals.models import Provider, Referral, ReferralStatus
from tirek.reports import tables
from tirek.reports.cube import ROOT
from tirek.reports.periods import Period
from tirek.reports.registry import INDICATORS, Scope, compute
from tirek.training.models import Certificate, Course, Event, Participant, TrainerAssignment

from .factories import Cases, at

Y2024 = Period(2024)


def value(code: str, node: str = ROOT, dim: str = "_", cat: str = "_") -> tables.Value:
    indicator = INDICATORS[code]
    from tirek.reports.registry import POPULATIONS

    cube = compute(POPULATIONS[indicator.population], Y2024, Scope.country())
    return tables.value(indicator, cube, node, dim, cat)


@dataclass
class Scene:
    cases: Cases
    core: list[Case]


@pytest.fixture
def instruments(db: None) -> None:
    from tirek.assessments.services import instruments_load

    instruments_load()


def _assess(case: Case, kind: str, completed: object, by: object) -> Assessment:
    version = InstrumentVersion.objects.filter(instrument__kind=kind).order_by("id").first()
    assert version is not None
    return Assessment.objects.create(
        case=case,
        instrument_version=version,
        kind=kind,
        status=AssessmentStatus.COMPLETED,
        assessed_on=timezone.localtime(completed).date(),  # type: ignore[arg-type]
        created_by=by,
        completed_by=by,
        completed_at=completed,
    )


@pytest.fixture
def scene(world, instruments) -> Scene:
    """Eleven people registered on 1 March 2024 in Karaganda (c0 … c10):
    - initial assessment on 2 March (in time) for c0–c5, on 10 March (late) for c6–c8;
    - comprehensive assessment on 20 March for c0–c4 and c6–c8;
    - plans approved on 1 April 2024 for c0–c4, each reviewed on 15 November 2024."""
    cases = Cases(world)
    core = cases.many(11, opened=at(2024, 3, 1))
    by = cases.manager
    for case in core[:6]:
        _assess(case, InstrumentKind.INITIAL, at(2024, 3, 2), by)
    for case in core[6:9]:
        _assess(case, InstrumentKind.INITIAL, at(2024, 3, 10), by)
    for case in core[:5] + core[6:9]:
        _assess(case, InstrumentKind.COMPREHENSIVE, at(2024, 3, 20), by)
    for case in core[:5]:
        plan = Plan.objects.create(
            case=case, status="approved", approved_number=1, first_approved_at=at(2024, 4, 1)
        )
        version = PlanVersion.objects.create(
            plan=plan, number=1, snapshot={}, approved_by=by, approved_at=at(2024, 4, 1)
        )
        Review.objects.create(
            case=case,
            plan_version=version,
            held_on=date(2024, 11, 15),
            child_views="—",
            decisions="—",
            next_review_on=date(2025, 2, 13),
            created_by=by,
        )
    return Scene(cases, core)


def test_it_computes_the_share_assessed_within_72_hours(scene) -> None:
    v = value("initial_assessment_on_time")
    assert (v.count.value, v.denominator.value, v.percent) == (6, 11, 54.5)  # type: ignore[union-attr]


def test_people_registered_in_the_last_72_hours_do_not_hide_the_share(scene) -> None:
    """Their deadline has not passed: they are outside the denominator, and the handful of
    them (always a few per region in a running year) must not suppress the figure."""
    scene.cases.many(2, opened=at(2024, 12, 30))
    v = value("initial_assessment_on_time")
    assert (v.count.value, v.denominator.value, v.percent) == (6, 11, 54.5)  # type: ignore[union-attr]


def test_the_share_stays_hidden_for_a_handful_of_people(world, instruments) -> None:
    cases = Cases(world)
    few = cases.many(3, opened=at(2024, 3, 1))
    for case in few[:2]:
        _assess(case, InstrumentKind.INITIAL, at(2024, 3, 2), cases.manager)
    v = value("initial_assessment_on_time")
    assert v.count.value is None and v.denominator.value is None and v.percent is None  # type: ignore[union-attr]


def test_it_computes_the_share_with_an_assessment_and_an_approved_plan(scene) -> None:
    v = value("assessed_and_planned")
    assert (v.count.value, v.denominator.value, v.percent) == (5, 11, 45.5)  # type: ignore[union-attr]


def test_it_computes_the_share_of_plans_reviewed_on_time(scene) -> None:
    v = value("plans_reviewed_on_time")
    assert (v.count.value, v.denominator.value, v.percent) == (5, 5, 100.0)  # type: ignore[union-attr]
    # A review older than 90 days at the end of the year is overdue.
    Review.objects.update(held_on=date(2024, 9, 1))
    v = value("plans_reviewed_on_time")
    assert (v.count.value, v.denominator.value, v.percent) == (0, 5, 0.0)  # type: ignore[union-attr]


def test_it_computes_the_share_of_follow_ups_done(scene) -> None:
    closed = scene.cases.many(10, opened=at(2023, 1, 10), closed=at(2023, 12, 1))
    for i, case in enumerate(closed):
        closure = Closure.objects.create(
            case=case,
            status="approved",
            reason=ClosureReason.GOALS_ACHIEVED,
            requested_by=scene.cases.manager,
            decided_at=at(2023, 12, 1),
        )
        FollowUp.objects.create(
            case=case,
            closure=closure,
            months=6,
            due_at=at(2024, 6, 1),
            done_on=date(2024, 6, 10) if i < 5 else None,
        )
    cancelled = scene.cases.add(opened=at(2023, 1, 10), closed=at(2023, 12, 1))
    closure = Closure.objects.create(
        case=cancelled, status="reopened", reason="other", requested_by=scene.cases.manager
    )
    FollowUp.objects.create(
        case=cancelled,
        closure=closure,
        months=6,
        due_at=at(2024, 6, 1),
        cancelled_at=at(2024, 2, 1),
    )
    v = value("follow_ups_done")
    assert (v.count.value, v.denominator.value, v.percent) == (5, 10, 50.0)  # type: ignore[union-attr]


def test_it_computes_the_mean_change_in_screening_by_domain(scene) -> None:
    by = scene.cases.manager
    for case in scene.core[:5]:
        for when, part, total in ((at(2024, 2, 1), 6, 17), (at(2024, 10, 1), 4, 10)):
            assessment = _assess(case, InstrumentKind.SCREENING, when, by)
            DomainScore.objects.create(
                assessment=assessment,
                domain="psc_internalising",
                score=part,
                max_score=10,
                answered=5,
                severity="low",
            )
            DomainScore.objects.create(
                assessment=assessment,
                domain="psc_total",
                score=total,
                max_score=34,
                answered=17,
                severity="low",
                is_total=True,
            )
    # Screened once only: not in the population.
    _assess(scene.core[5], InstrumentKind.SCREENING, at(2024, 2, 1), by)
    v = value("wellbeing_change")
    assert v.count.value == 5
    assert v.mean is not None and v.mean.value == round(100 * 10 / 34 - 50, 1)  # -20.6
    by_domain = tables.breakdown(
        INDICATORS["wellbeing_change"],
        compute_cube("screened"),
        ROOT,
        "domain",
    )
    internalising = next(line for line in by_domain.lines if line.code == "wb_psc_internalising")
    assert internalising.value.mean is not None and internalising.value.mean.value == -20.0
    assert "Интернализация" in internalising.label


def compute_cube(population: str):
    from tirek.reports.registry import POPULATIONS

    return compute(POPULATIONS[population], Y2024, Scope.country())


def test_it_counts_referrals_made_accepted_completed_and_their_time(scene) -> None:
    provider = Provider.objects.create(agency=scene.cases.world.ngo, name="Юридическая помощь")
    for case in scene.core[:5]:
        for completed in (True, False):
            sent = at(2024, 4, 1)
            Referral.objects.create(
                case=case,
                provider=provider,
                role=Role.LAWYER,
                reason="—",
                status=ReferralStatus.COMPLETED if completed else ReferralStatus.ACCEPTED,
                respond_by=date(2024, 4, 5),
                complete_by=date(2024, 5, 1),
                created_by=scene.cases.manager,
                created_at=sent,
                responded_at=sent + timedelta(days=1),
                closed_at=sent + timedelta(days=10) if completed else None,
            )
    assert value("referred").count.value == 5
    assert value("referrals_made").total.value == 10  # type: ignore[union-attr]
    assert value("referrals_accepted").total.value == 10  # type: ignore[union-attr]
    assert value("referrals_completed").total.value == 5  # type: ignore[union-attr]
    days = value("referral_days_to_completion")
    assert days.mean is not None and days.mean.value == 10.0
    assert days.maximum is not None and days.maximum.value == 10.0


def test_it_counts_interviews_per_child_with_mean_and_maximum(scene) -> None:
    officer = scene.cases.world.staff(Role.INTERVIEWER)
    children = scene.cases.many(5, opened=at(2024, 2, 1), born=date(2012, 1, 1))
    adult = scene.cases.add(opened=at(2024, 2, 1), born=date(1990, 1, 1))

    def interview(case: Case, when: object) -> None:
        matter, _ = Matter.objects.get_or_create(
            person=case.person, title="Дело", defaults={"created_by": officer}
        )
        Interview.objects.create(
            case=case,
            matter=matter,
            kind=InterviewKind.SOCIAL,
            status=InterviewStatus.HELD,
            requesting_authority="—",
            purpose="—",
            legal_basis="—",
            requested_by=officer,
            started_at=when,
        )

    for case, times in zip(children, (1, 1, 1, 2, 3), strict=True):
        for i in range(times):
            interview(case, at(2024, 3, 1 + i))
    interview(adult, at(2024, 3, 1))  # an adult: not a child
    interview(children[0], at(2023, 3, 1))  # another year
    v = value("interviews_per_child")
    assert v.count.value == 5
    assert v.mean is not None and v.mean.value == 1.6
    assert v.maximum is not None and v.maximum.value == 3.0 and not v.maximum.top_coded


def test_it_caps_the_maximum_interviews_and_hides_it_for_a_small_group(scene) -> None:
    officer = scene.cases.world.staff(Role.INTERVIEWER)
    children = scene.cases.many(5, opened=at(2024, 2, 1), born=date(2012, 1, 1))
    for n, case in enumerate(children):
        matter = Matter.objects.create(person=case.person, title="Дело", created_by=officer)
        for i in range(12 if n == 0 else 1):
            Interview.objects.create(
                case=case,
                matter=matter,
                kind=InterviewKind.FORENSIC,
                status=InterviewStatus.HELD,
                requesting_authority="—",
                purpose="—",
                legal_basis="—",
                requested_by=officer,
                started_at=at(2024, 3, 1) + timedelta(days=i),
            )
    v = value("interviews_per_child")
    assert v.maximum is not None and v.maximum.value == 10.0 and v.maximum.top_coded
    assert tables.stat_text(v.maximum) == "≥ 10"
    Interview.objects.filter(case__in=children[3:]).delete()  # three children left
    v = value("interviews_per_child")
    assert v.count.suppressed and v.mean is not None and v.mean.value is None
    assert v.maximum is not None and v.maximum.value is None


def test_it_counts_staff_trained_by_course_and_competent_case_staff(scene) -> None:
    world = scene.cases.world
    course = Course.objects.create(code="needs-assessment")
    staff = [world.staff(Role.CASE_MANAGER) for _ in range(10)]
    for person in staff[:6]:
        Certificate.objects.create(
            kind=Certificate.Kind.PARTICIPANT,
            course=course,
            user=person,
            holder_name=person.username,
            issued_at=at(2024, 5, 1),
            expires_at=at(2027, 5, 1),
        )
    Certificate.objects.filter(user=staff[5]).update(revoked_at=at(2024, 6, 1))
    assert value("staff_trained", dim="course", cat=str(course.pk)).count.value == 5
    for i, person in enumerate(staff):
        CaseTeamMember.objects.create(
            case=scene.core[i], user=person, role=Role.CASE_MANAGER, added_at=at(2024, 3, 1)
        )
        if i < 5:
            for competency in (Competency.CASE_MANAGEMENT, Competency.NEEDS_ASSESSMENT):
                StaffCompetency.objects.create(
                    user=person, competency=competency, granted_at=at(2024, 2, 1)
                )
    # One of the five lets a competency expire before the end of the year: it no longer counts.
    StaffCompetency.objects.filter(user=staff[4], competency=Competency.CASE_MANAGEMENT).update(
        expires_at=at(2024, 12, 1)
    )
    StaffCompetency.objects.create(
        user=staff[5], competency=Competency.CASE_MANAGEMENT, granted_at=at(2024, 2, 1)
    )
    StaffCompetency.objects.create(
        user=staff[5], competency=Competency.NEEDS_ASSESSMENT, granted_at=at(2024, 2, 1)
    )
    v = value("staff_competent")
    assert (v.count.value, v.denominator.value, v.percent) == (5, 10, 50.0)  # type: ignore[union-attr]


def test_it_counts_cascade_reach_by_generation(scene) -> None:
    world = scene.cases.world
    master = world.staff(Role.TRAINER)
    event = Event.objects.create(
        title="ТОТ",
        kind=Event.Kind.TOT,
        mode=Event.Mode.IN_PERSON,
        start_date=date(2024, 4, 1),
        end_date=date(2024, 4, 3),
        region=world.karaganda,
    )
    TrainerAssignment.objects.create(event=event, user=master, is_master=True)
    for i in range(7):
        Participant.objects.create(event=event, full_name=f"Участник {i}")
    by_generation = tables.breakdown(
        INDICATORS["cascade_reach"], compute_cube("cascade"), ROOT, "generation"
    )
    assert {line.code: line.value.count.value for line in by_generation.lines}["1"] == 7
    assert value("cascade_reach", node="kz-karaganda").count.value == 7
