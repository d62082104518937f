"""Demo assessments, plans, a review and a closed case (order 30; invented data).

Works on the demo cases the cases loader opened (order 20): if there are none, it does
nothing. Safe to run again: a demo case that already has assessments is left alone.
Dates of assessments and approvals are set in the past so the trend, the review and the
deadlines look like months of work.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.access.policy import Section, can_write, is_supervisor_of
from tirek.accounts.models import User
from tirek.assessments import services as assessments
from tirek.assessments.models import Assessment
from tirek.cases.models import Case
from tirek.organisations.models import Agency

from . import services
from .milestones import milestones_refresh
from .models import Goal, Plan, PlanDecision, PlanVersion

INITIAL = {
    "init_danger": False,
    "init_caregiver": "temporary",
    "init_urgent_care": False,
    "init_vaccination": "unknown",
    "init_nutrition": "concern",
    "init_shelter": "temporary",
    "init_food": True,
    "init_clothing": False,
    "init_documents": "none",
    "init_contact": True,
}
# Three comprehensive assessments of one child, months apart, each better than the last.
CHILD_SERIES = [
    {
        "safety_home": "mostly",
        "safety_violence": True,
        "safety_trusted_adult": False,
        "ph_general": "significant",
        "ph_clinic": False,
        "ph_vaccination": "not_started",
        "ed_enrolment": "not_enrolled",
        "ed_language": "severe",
        "ed_literacy": "significant",
        "ed_development": "some",
        "ed_adaptation": "significant",
        "fam_living": "relatives",
        "fam_mother_contact": "occasional",
        "fam_arrangement": "not_started",
        "fam_parenting": "some",
        "leg_birth": "none",
        "leg_citizenship": "in_process",
        "leg_identity": False,
        "soc_peers": "significant",
        "soc_stigma": "often",
        "bn_housing": "temporary",
        "bn_income": "low",
        "bn_benefits": "not_applied",
        "vw_participation": "partly",
        "vw_wishes": "Хочет в школу и чтобы бабушка не болела.",
    },
    {
        "safety_home": "safe",
        "safety_violence": False,
        "safety_trusted_adult": True,
        "ph_general": "some",
        "ph_clinic": True,
        "ph_vaccination": "catching_up",
        "ed_enrolment": "irregular",
        "ed_language": "significant",
        "ed_literacy": "some",
        "ed_development": "some",
        "ed_adaptation": "some",
        "fam_living": "relatives",
        "fam_mother_contact": "regular",
        "fam_arrangement": "in_progress",
        "fam_parenting": "some",
        "leg_birth": "foreign",
        "leg_citizenship": "in_process",
        "leg_identity": False,
        "soc_peers": "some",
        "soc_stigma": "sometimes",
        "bn_housing": "crowded",
        "bn_income": "low",
        "bn_benefits": "applied",
        "vw_participation": "fully",
        "vw_going_well": "Нашёл друга в классе, ходит на футбол.",
    },
    {
        "safety_home": "safe",
        "safety_violence": False,
        "safety_trusted_adult": True,
        "ph_general": "none",
        "ph_clinic": True,
        "ph_vaccination": "complete",
        "ed_enrolment": "attending",
        "ed_language": "some",
        "ed_literacy": "none",
        "ed_development": "none",
        "ed_adaptation": "none",
        "fam_living": "relatives",
        "fam_mother_contact": "regular",
        "fam_arrangement": "settled",
        "fam_parenting": "none",
        "leg_birth": "registered",
        "leg_citizenship": "confirmed",
        "leg_identity": True,
        "soc_peers": "none",
        "soc_stigma": "never",
        "bn_housing": "stable",
        "bn_income": "sufficient",
        "bn_benefits": "receiving",
        "vw_participation": "fully",
        "vw_going_well": "Учится без пропусков, любит математику.",
    },
]
PSYCHOLOGICAL = [
    {
        "mh_distress": 3,
        "mh_trauma": "often",
        "mh_behaviour": "sometimes",
        "mh_attachment": "significant",
    },
    {
        "mh_distress": 2,
        "mh_trauma": "sometimes",
        "mh_behaviour": "sometimes",
        "mh_attachment": "some",
    },
    {"mh_distress": 1, "mh_trauma": "never", "mh_behaviour": "never", "mh_attachment": "some"},
]
VIEWS = [
    "Здесь тихо, но я скучаю по маме. Хочу учиться, но боюсь, что будут дразнить.",
    "В школе нормально, есть друг Арман. Хочу заниматься футболом.",
    "Мне нравится школа и тренировки. Хочу стать врачом.",
]
ALL_CRITERIA = [
    "safe",
    "goals_reviewed",
    "services_in_place",
    "documents",
    "views_heard",
    "follow_up_agreed",
]


def _at(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11, 0)))


def _assess(
    user: User,
    case: Case,
    code: str,
    answers: dict[str, Any],
    views: str,
    days_ago: int,
    psychologist: User | None = None,
    psychological: dict[str, Any] | None = None,
) -> Assessment:
    day = timezone.localdate() - timedelta(days=days_ago)
    draft = assessments.assessment_create(
        user=user, case_id=case.pk, instrument_code=code, assessed_on=day
    )
    applicable = {
        q.code
        for d in draft.instrument_version.parsed.applicable(
            assessments.age_on(case.person.birth_date, day)
        )
        for q in d.questions
    }
    draft = assessments.assessment_answer(
        user=user,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers={k: v for k, v in answers.items() if k in applicable},
        own_views=views,
    )
    if (
        psychologist is not None
        and psychological
        and can_write(psychologist, case, Section.PSYCHOLOGICAL)
    ):
        draft = assessments.assessment_answer(
            user=psychologist,
            assessment_id=draft.pk,
            expected_version=draft.version,
            answers=psychological,
        )
    done = assessments.assessment_complete(
        user=user, assessment_id=draft.pk, expected_version=draft.version
    )
    Assessment.objects.filter(pk=done.pk).update(completed_at=_at(day))
    milestones_refresh(case.pk)
    return done


def _goal(manager: User, case: Case, agencies: dict[str, Agency | None], **data: Any) -> Goal:
    interventions = data.pop("interventions", [])
    agency = agencies.get(data.pop("agency", ""))
    goal = services.goal_create(
        user=manager,
        case_id=case.pk,
        responsible_agency_id=agency.pk if agency else None,
        target_date=timezone.localdate() + timedelta(days=data.pop("in_days", 90)),
        **data,
    )
    for item in interventions:
        provider = agencies.get(item.pop("provider", ""))
        services.intervention_create(
            user=manager, goal_id=goal.pk, provider_id=provider.pk if provider else None, **item
        )
    return goal


def _approve(manager: User, supervisor: User, case: Case, days_ago: int, comment: str = "") -> None:
    plan = Plan.objects.get(case=case)
    plan = services.plan_submit(user=manager, case_id=case.pk, expected_version=plan.version)
    version = services.plan_approve(
        user=supervisor, case_id=case.pk, expected_version=plan.version, comment=comment
    )
    when = timezone.now() - timedelta(days=days_ago)
    PlanVersion.objects.filter(pk=version.pk).update(
        approved_at=when, submitted_at=when - timedelta(days=1)
    )
    PlanDecision.objects.filter(plan=plan, version_number=version.number).update(at=when)
    PlanDecision.objects.filter(plan=plan, decision="submitted", at__gt=when).update(
        at=when - timedelta(days=1)
    )
    first = Plan.objects.get(pk=plan.pk).first_approved_at
    Plan.objects.filter(pk=plan.pk).update(
        first_approved_at=min(first, when) if first else when, last_approved_at=when
    )
    milestones_refresh(case.pk)


def _agencies() -> dict[str, Agency | None]:
    by_kind = {
        a.kind: a for a in Agency.objects.filter(region__code="kz-karaganda").order_by("-id")
    }
    legal = Agency.objects.filter(kind=Agency.Kind.NGO, name__icontains="Правов").first()
    return {
        "school": by_kind.get(Agency.Kind.SCHOOL),
        "clinic": by_kind.get(Agency.Kind.CLINIC),
        "centre": by_kind.get(Agency.Kind.REHAB_CENTRE),
        "ngo": legal or by_kind.get(Agency.Kind.NGO),
        "akimat": by_kind.get(Agency.Kind.AKIMAT),
    }


@transaction.atomic
def load(stdout: Any) -> None:
    assessments.instruments_load()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    manager, supervisor = users.get("demo-case-manager"), users.get("demo-supervisor")
    psychologist = users.get("demo-psychologist")
    if manager is None or supervisor is None:
        stdout.write("Demo assessments and plans skipped: demo accounts are missing.")
        return
    karaganda = list(Case.objects.filter(opened_by=manager).select_related("person").order_by("id"))
    almaty = list(
        Case.objects.filter(opened_by=users.get("demo-case-manager-2"))
        .select_related("person")
        .order_by("id")
    )
    if not karaganda:
        stdout.write("Demo assessments and plans skipped: no demo cases.")
        return
    if Assessment.objects.filter(case__in=karaganda + almaty).exists():
        stdout.write("Demo assessments and plans already loaded.")
        return
    agencies = _agencies()

    def child(index: int) -> Case | None:
        """The demo case at ``index`` if it is a child's (other demo loaders use some of them
        and expect them open: referrals 0, 2, 4, 5; conferences 0, 1; interviews 2)."""
        if index >= len(karaganda):
            return None
        case = karaganda[index]
        age = assessments.age_on(case.person.birth_date, timezone.localdate())
        return case if age is not None and age < 18 else None

    adults = [
        c
        for c in karaganda
        if (age := assessments.age_on(c.person.birth_date, timezone.localdate())) is not None
        and age >= 18
    ]
    done = 0

    # 1. A child three assessments in, with a plan approved twice and a review.
    if (case := child(0)) is not None:
        _assess(manager, case, "tirek-initial", INITIAL, "Хочу к бабушке.", 160)
        series = [
            _assess(manager, case, "tirek-child-needs", answers, views, days, psychologist, psy)
            for answers, views, psy, days in zip(
                CHILD_SERIES, VIEWS, PSYCHOLOGICAL, (150, 90, 10), strict=True
            )
        ]
        school = _goal(
            manager,
            case,
            agencies,
            domain="education",
            agency="school",
            title="Ребёнок зачислен в школу и посещает занятия",
            indicator="Посещаемость не ниже 90 % за четверть",
            responsible_name="Классный руководитель",
            interventions=[
                {
                    "title": "Зачисление в школу по месту жительства",
                    "provider": "school",
                    "status": "done",
                },
                {
                    "title": "Дополнительные занятия по языку обучения",
                    "provider": "school",
                    "frequency": "2 раза в неделю",
                    "status": "ongoing",
                },
            ],
        )
        papers = _goal(
            manager,
            case,
            agencies,
            domain="legal",
            agency="ngo",
            in_days=60,
            title="Зарегистрировано рождение, получено удостоверение личности",
            indicator="Свидетельство о рождении и удостоверение выданы",
            interventions=[
                {
                    "title": "Сопровождение в ЦОН и ЗАГС",
                    "provider": "ngo",
                    "frequency": "по мере необходимости",
                }
            ],
        )
        _goal(
            manager,
            case,
            agencies,
            domain="mental_health",
            agency="centre",
            in_days=120,
            title="Снижены проявления тревоги, ребёнок спокойно спит",
            indicator="Снижение балла по сфере психического здоровья при повторной оценке",
            responsible_user_id=psychologist.pk if psychologist else None,
            interventions=[
                {
                    "title": "Индивидуальные занятия с психологом",
                    "provider": "centre",
                    "frequency": "раз в неделю",
                    "status": "ongoing",
                }
            ],
        )
        _approve(
            manager, supervisor, case, 140, "Согласовано. Обратить внимание на адаптацию в классе."
        )
        # A revision after the second assessment: a goal on stigma and peers, approved again.
        _goal(
            manager,
            case,
            agencies,
            domain="social",
            agency="school",
            in_days=90,
            title="Ребёнок участвует в кружке, с ним не случаются эпизоды травли",
            indicator="Посещает секцию; школа не сообщает о травле",
            interventions=[
                {"title": "Секция футбола", "provider": "school", "frequency": "2 раза в неделю"}
            ],
        )
        _approve(manager, supervisor, case, 85, "Согласовано.")
        services.review_create(
            user=manager,
            case_id=case.pk,
            held_on=timezone.localdate() - timedelta(days=8),
            assessment_id=series[-1].pk,
            child_views="Мне нравится школа и тренировки.",
            family_views="Бабушка благодарит за помощь с документами.",
            decisions="Документы получены — цель достигнута. Продолжить занятия с психологом.",
            progress=[
                {
                    "goal_id": school.pk,
                    "progress": 3,
                    "status": "in_progress",
                    "comment": "Ходит без пропусков",
                },
                {"goal_id": papers.pk, "progress": 4, "status": "achieved"},
            ],
        )
        done += 1

    # 2. A plan waiting for the supervisor, after a completed assessment.
    if (case := child(1)) is not None:
        _assess(manager, case, "tirek-initial", INITIAL, "Всё хорошо.", 40)
        _assess(
            manager,
            case,
            "tirek-child-needs",
            CHILD_SERIES[1],
            VIEWS[1],
            20,
            psychologist,
            PSYCHOLOGICAL[1],
        )
        _goal(
            manager,
            case,
            agencies,
            domain="family",
            agency="akimat",
            in_days=60,
            title="Оформлена опека родственника",
            indicator="Решение органа опеки и попечительства",
        )
        plan = Plan.objects.get(case=case)
        services.plan_submit(user=manager, case_id=case.pk, expected_version=plan.version)
        done += 1

    # 3. An initial assessment only: the comprehensive one is due.
    if (case := child(2)) is not None:
        _assess(manager, case, "tirek-initial", INITIAL, "Хочу домой.", 3)
        done += 1

    # 4. A closed case, with its follow-ups at 6 and 12 months.
    if (case := child(3) or child(6) or child(7)) is not None:
        _assess(manager, case, "tirek-initial", INITIAL, "Нормально.", 200)
        _assess(
            manager,
            case,
            "tirek-child-needs",
            CHILD_SERIES[2],
            VIEWS[2],
            30,
            psychologist,
            PSYCHOLOGICAL[2],
        )
        goal = _goal(
            manager,
            case,
            agencies,
            domain="education",
            agency="school",
            in_days=30,
            title="Ребёнок учится в школе без пропусков",
            indicator="Посещаемость 95 %",
        )
        _approve(manager, supervisor, case, 25)
        goal.refresh_from_db()
        services.goal_update(
            user=manager,
            goal_id=goal.pk,
            expected_version=goal.version,
            status="achieved",
            progress=4,
        )
        services.closure_request(
            user=manager, case_id=case.pk, reason="goals_achieved", checklist=ALL_CRITERIA
        )
        services.closure_approve(
            user=supervisor,
            case_id=case.pk,
            expected_version=1,
            comment="Цели достигнуты, семья согласна на контрольные встречи.",
        )
        done += 1

    # 5. A woman who came back with her children: the adult assessment.
    if adults:
        _assess(
            manager,
            adults[0],
            "tirek-adult-needs",
            {
                "ah_general": "some",
                "ah_clinic": True,
                "af_acceptance": "partly",
                "af_relations": "some",
                "al_identity": True,
                "al_children_docs": "in_process",
                "an_housing": "relatives",
                "an_income": "low",
                "an_work": "looking",
                "an_training": True,
                "ac_willing": "willing",
                "cc_children": 2,
                "cc_parenting": "some",
                "cc_school": True,
            },
            "Хочу работать швеёй и чтобы дети учились.",
            12,
        )
        done += 1

    # 6. The Almaty team: an approved plan too.
    manager2, supervisor2 = users.get("demo-case-manager-2"), users.get("demo-supervisor-2")
    almaty_children = [
        c
        for c in almaty
        if c.person.birth_date
        and (assessments.age_on(c.person.birth_date, timezone.localdate()) or 0) < 18
    ]
    if (
        almaty_children
        and manager2
        and supervisor2
        and is_supervisor_of(supervisor2, almaty_children[0])
    ):
        case = almaty_children[0]
        _assess(manager2, case, "tirek-initial", INITIAL, "Хорошо.", 50)
        _assess(manager2, case, "tirek-child-needs", CHILD_SERIES[1], VIEWS[1], 35)
        _goal(
            manager2,
            case,
            {},
            domain="basic_needs",
            in_days=45,
            title="Семья получает адресную социальную помощь",
            indicator="Назначение АСП",
            responsible_name="Социальный работник акимата",
        )
        _approve(manager2, supervisor2, case, 30)
        done += 1
    stdout.write(f"Demo assessments and plans ready on {done} cases.")
