"""Builders for assessment and plan tests: a case with a named team, answers that score
to known values. Cases are made straight in the database (the cases app tests opening)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.assessments import services
from tirek.assessments.models import Assessment
from tirek.cases.models import Case, CaseTeamMember
from tirek.people.models import Person
from tirek.testing import World

_serial = count(1)


@dataclass
class Team:
    case: Case
    manager: User
    psychologist: User
    social_worker: User
    supervisor: User
    other_supervisor: User  # supervises another unit
    outsider: User  # a case manager not on this case


def make_case(
    world: World,
    *,
    birth_date: date | None = date(2014, 5, 1),
    risk_level: str = "medium",
    opened_days_ago: int = 0,
    manager: User | None = None,
) -> Case:
    n = next(_serial)
    person = Person.objects.create(
        given_name="Амина",
        family_name=f"Сейтова{n}",
        patronymic="Руслановна",
        birth_date=birth_date,
    )
    manager = manager or world.staff(Role.CASE_MANAGER)
    case = Case.objects.create(
        number=f"T-2026-{n:05d}",
        person=person,
        case_manager=manager,
        supervising_unit=world.unit,
        region=world.karaganda,
        risk_level=risk_level,
        status="active",
        opened_at=timezone.now() - timedelta(days=opened_days_ago),
    )
    CaseTeamMember.objects.create(case=case, user=manager, role=Role.CASE_MANAGER)
    return case


def make_team(world: World, **kwargs: Any) -> Team:
    manager = world.staff(Role.CASE_MANAGER)
    case = make_case(world, manager=manager, **kwargs)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    social_worker = world.staff(Role.SOCIAL_WORKER)
    CaseTeamMember.objects.create(case=case, user=psychologist, role=Role.PSYCHOLOGIST)
    CaseTeamMember.objects.create(case=case, user=social_worker, role=Role.SOCIAL_WORKER)
    return Team(
        case=case,
        manager=manager,
        psychologist=psychologist,
        social_worker=social_worker,
        supervisor=world.staff(Role.SUPERVISOR),
        other_supervisor=world.staff(Role.SUPERVISOR, agency=world.centre_almaty),
        outsider=world.staff(Role.CASE_MANAGER),
    )


def load_instruments() -> None:
    services.instruments_load()


# Answers to the child needs assessment that score safety 6/9 (moderate), education 9/15
# (moderate) and so on; ``improved`` scores lower everywhere.
CHILD_BASELINE: dict[str, Any] = {
    "safety_home": "mostly",  # 1
    "safety_violence": True,  # 2
    "safety_exploitation": False,  # 0
    "safety_trusted_adult": False,  # 1  → safety 4 (moderate: ≥3)
    "ph_general": "some",  # 1
    "ph_clinic": False,  # 2  → physical health 3 (moderate)
    "ed_enrolment": "not_enrolled",  # 3
    "ed_language": "significant",  # 2
    "ed_literacy": "significant",  # 2
    "ed_development": "some",  # 1
    "ed_adaptation": "some",  # 1  → education 9 (high: ≥8)
    "fam_living": "mother",
    "fam_mother_contact": "lives_with",  # 0
    "fam_arrangement": "in_progress",  # 1
    "leg_birth": "foreign",  # 1
    "leg_identity": False,  # 2  → legal 3 (moderate)
    "bn_housing": "temporary",  # 2
    "bn_income": "low",  # 1  → basic needs 3 (low: ≥2)
    "vw_participation": "fully",
    "vw_wishes": "Хочу ходить в школу с сестрой.",
}
CHILD_IMPROVED: dict[str, Any] = {
    **CHILD_BASELINE,
    "safety_home": "safe",
    "safety_violence": False,
    "safety_trusted_adult": True,  # safety 0 (none)
    "ed_enrolment": "attending",
    "ed_language": "some",
    "ed_literacy": "some",  # education 4 (low)
    "leg_identity": True,  # legal 1 (low)
}


def complete(
    user: User,
    case: Case,
    instrument: str,
    answers: dict[str, Any],
    *,
    on: date | None = None,
    views: str = "Мне нравится рисовать, хочу в школу.",
) -> Assessment:
    draft = services.assessment_create(
        user=user, case_id=case.pk, instrument_code=instrument, assessed_on=on
    )
    saved = services.assessment_answer(
        user=user,
        assessment_id=draft.pk,
        expected_version=draft.version,
        answers=answers,
        own_views=views,
    )
    return services.assessment_complete(
        user=user, assessment_id=saved.pk, expected_version=saved.version
    )


def scores(assessment: Assessment) -> dict[str, tuple[int, int, str]]:
    return {s.domain: (s.score, s.max_score, s.severity) for s in assessment.scores.all()}
