"""Cases and people built with the models directly, for hand-computed indicators."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import Any

from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseStatus, Phase
from tirek.people.models import Person, Sex
from tirek.testing import World

_serial = count(1)


def at(year: int, month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12, 0))


class Cases:
    """``cases.add(...)``: one person and their case, in Karaganda unless told otherwise."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.manager = world.staff(Role.CASE_MANAGER)
        self.manager_almaty = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)

    def add(
        self,
        *,
        almaty: bool = False,
        sex: str = Sex.FEMALE,
        born: date | None = date(2015, 6, 1),
        opened: datetime,
        closed: datetime | None = None,
        phase: str = Phase.REHABILITATION,
        return_date: date | None = None,
        **extra: Any,
    ) -> Case:
        n = next(_serial)
        person = Person.objects.create(
            given_name=f"Имя{n}", family_name=f"Фамилия{n}", sex=sex, birth_date=born
        )
        return Case.objects.create(
            number=f"TEST-{n:05d}",
            person=person,
            status=CaseStatus.CLOSED if closed else CaseStatus.ACTIVE,
            phase=phase,
            case_manager=self.manager_almaty if almaty else self.manager,
            supervising_unit=self.world.unit_almaty if almaty else self.world.unit,
            region=self.world.almaty if almaty else self.world.karaganda,
            opened_at=opened,
            closed_at=closed,
            return_date=return_date,
            **extra,
        )

    def many(self, how_many: int, **kwargs: Any) -> list[Case]:
        return [self.add(**kwargs) for _ in range(how_many)]


def fixture_a(world: World) -> Cases:
    """15 people registered in 2024 with no group under 5 (see test_indicators)."""
    cases = Cases(world)
    cases.many(5, sex=Sex.FEMALE, opened=at(2024, 5, 10))
    cases.many(
        5, sex=Sex.MALE, opened=at(2024, 5, 10), phase=Phase.REINTEGRATION, closed=at(2024, 10, 1)
    )
    cases.many(5, almaty=True, sex=Sex.FEMALE, born=date(2021, 1, 1), opened=at(2024, 8, 1))
    # Outside 2024: opened and closed in 2023, and opened in 2025.
    cases.many(3, opened=at(2023, 2, 1), closed=at(2023, 11, 1))
    cases.add(opened=at(2025, 2, 1))
    return cases


def fixture_b(world: World) -> Cases:
    """Fixture A plus three boys aged 15–17 in Karaganda: one small group."""
    cases = fixture_a(world)
    cases.many(3, sex=Sex.MALE, born=date(2008, 3, 1), opened=at(2024, 5, 10))
    return cases
