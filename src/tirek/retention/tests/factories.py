"""Closed cases made directly (the retention rules only read closure and birth dates)."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count

from django.utils import timezone

from tirek.cases.models import Case, CaseStatus
from tirek.people.keys import refresh_keys
from tirek.people.models import Person, Relationship
from tirek.testing import World

_serial = count(1)


def closed_case(
    world: World,
    *,
    closed_on: date | None,
    born: date = date(1990, 5, 2),
    given: str = "Dana",
    family: str = "Tulegenova",
    person: Person | None = None,
) -> Case:
    manager = world.users.get("cm") or world.staff("case-manager", username="cm")
    if person is None:
        person = Person.objects.create(
            given_name=given, family_name=family, sex="female", birth_date=born
        )
        refresh_keys(person)
    closed_at = (
        timezone.make_aware(datetime(closed_on.year, closed_on.month, closed_on.day, 10))
        if closed_on
        else None
    )
    return Case.objects.create(
        number=f"KZ-T-{next(_serial)}",
        person=person,
        status=CaseStatus.CLOSED if closed_on else CaseStatus.ACTIVE,
        case_manager=manager,
        supervising_unit=world.unit,
        region=world.karaganda,
        opened_at=timezone.make_aware(datetime(2015, 1, 1)),
        closed_at=closed_at,
    )


def sibling_of(case: Case) -> Person:
    other = Person.objects.create(
        given_name="Aruzhan", family_name=case.person.family_name, sex="female"
    )
    Relationship.objects.create(person=case.person, relative=other, kind="sibling")
    return other
