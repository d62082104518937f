"""Named people around one protected case, for referral tests.

- ``cm``: the case manager (Karaganda centre, unit "Team K"), ``psych`` on the team too;
- ``sup``: supervisor of the unit; ``outsider``: a case manager in Almaty;
- ``liaison``: a school liaison at School 17 — the receiver; ``liaison2`` a colleague;
- ``provider``/``service``: School 17's education support in the directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.cases.tests.factories import open_case, person
from tirek.organisations.models import Agency
from tirek.privacy.models import Consent, ConsentKind, GivenBy, Purpose
from tirek.referrals.models import Provider, Service, ServiceCategory
from tirek.testing import World


def give_consent(case: Case, agency: Agency, by: User, purpose: str = Purpose.REFERRAL) -> None:
    """A guardian's consent naming ``agency`` and the child's assent (child aged 6-14)."""
    today = timezone.localdate()
    consent = Consent.objects.create(
        person=case.person,
        purpose=purpose,
        kind=ConsentKind.CONSENT,
        given_by=GivenBy.GUARDIAN,
        giver_name="Мать",
        valid_from=today,
        recorded_by=by,
    )
    consent.recipients.add(agency)
    Consent.objects.create(
        person=case.person,
        purpose=purpose,
        kind=ConsentKind.ASSENT,
        given_by=GivenBy.CHILD,
        valid_from=today,
        recorded_by=by,
    )


@dataclass
class Scene:
    world: World
    cm: User
    psych: User
    sup: User
    outsider: User
    liaison: User
    liaison2: User
    case: Case
    provider: Provider
    service: Service

    def consent(self, agency: Agency | None = None) -> None:
        give_consent(self.case, agency or self.world.school, self.cm)

    def send(self, **kwargs: Any) -> Any:
        from tirek.referrals import services

        defaults: dict[str, Any] = {
            "by": self.cm,
            "case": self.case,
            "provider": self.provider,
            "service": self.service,
            "role": Role.SCHOOL_LIAISON,
            "to_user": self.liaison,
            "reason": "Поддержка в учёбе: чтение на русском языке",
            "sections": ["education"],
        }
        defaults.update(kwargs)
        return services.referral_send(**defaults)


def build_scene(world: World) -> Scene:
    cm = world.staff(Role.CASE_MANAGER, username="aigerim")
    psych = world.staff(Role.PSYCHOLOGIST, username="marat")
    case = open_case(
        cm,
        team=[(psych, Role.PSYCHOLOGIST)],
        person=person(given_name="Амина", family_name="Касымова", birth_date=date(2015, 3, 1)),
        protected_identity=True,
    )
    provider = Provider(agency=world.school, name="Школа № 17: сопровождение")
    provider.languages = ["ru", "kk"]
    provider.save()
    provider.regions.set([world.karaganda])
    service = Service.objects.create(
        provider=provider,
        category=ServiceCategory.EDUCATION,
        name="Адаптация в классе",
        default_role=Role.SCHOOL_LIAISON,
        capacity=5,
        waiting_days=7,
    )
    return Scene(
        world=world,
        cm=cm,
        psych=psych,
        sup=world.staff(Role.SUPERVISOR, username="zhanar"),
        outsider=world.staff(Role.CASE_MANAGER, username="dina", agency=world.centre_almaty),
        liaison=world.staff(Role.SCHOOL_LIAISON, username="svetlana"),
        liaison2=world.staff(Role.SCHOOL_LIAISON, username="olga"),
        case=case,
        provider=provider,
        service=service,
    )


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)
