from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases import services
from tirek.cases.models import Case, CaseStatus, CaseTeamMember
from tirek.testing import World

from .factories import open_case, person


def test_it_opens_a_case_with_defaults_from_the_registering_case_manager(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = services.case_open(by=manager, person=person())
    assert case.number.startswith("KZ-")
    assert len(case.number.split("-")[-1]) == 6
    assert case.case_manager == manager
    assert case.supervising_unit == world.unit
    assert case.region == world.karaganda
    assert case.status == CaseStatus.REGISTERED
    assert case.protected_identity is True
    assert CaseTeamMember.objects.filter(case=case, user=manager, role=Role.CASE_MANAGER).exists()
    actions = set(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert {Action.CREATE, Action.PERMISSION_CHANGE} <= actions


def test_it_gives_consecutive_unique_numbers(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    numbers = [open_case(manager).number for _ in range(3)]
    tails = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]


def test_it_needs_a_case_manager_when_a_social_worker_registers(world: World) -> None:
    social = world.staff(Role.SOCIAL_WORKER)
    with pytest.raises(ValidationError):
        services.case_open(by=social, person=person())
    manager = world.staff(Role.CASE_MANAGER)
    case = services.case_open(by=social, person=person(), case_manager=manager)
    assert case.case_manager == manager


@pytest.mark.parametrize(
    "role", [Role.PSYCHOLOGIST, Role.SCHOOL_LIAISON, Role.DPO, Role.ADMIN, Role.ME_ANALYST]
)
def test_it_refuses_roles_that_do_not_register(world: World, role: str) -> None:
    user = world.staff(role)
    with pytest.raises(PermissionDenied):
        services.case_open(by=user, person=person(), case_manager=world.staff(Role.CASE_MANAGER))
    assert not Case.objects.exists()


def test_it_allows_one_open_case_per_person(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    subject = person()
    case = services.case_open(by=manager, person=subject)
    with pytest.raises(ValidationError):
        services.case_open(by=manager, person=subject)
    Case.objects.filter(pk=case.pk).update(status="closed")  # closed through the plans app
    second = services.case_open(by=manager, person=subject)
    assert second.pk != case.pk


@pytest.mark.django_db(transaction=True)
def test_it_numbers_cases_opened_at_the_same_time_uniquely() -> None:
    from tirek.testing import build_world

    if connection.vendor == "sqlite":
        # The SQLite test database lives in shared-cache memory, which refuses concurrent
        # writers outright; the file database serialises them (IMMEDIATE transactions).
        pytest.skip("concurrent writers are exercised on PostgreSQL")
    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    people = [person() for _ in range(6)]
    errors: list[BaseException] = []

    def open_one(p: object) -> None:
        try:
            services.case_open(by=manager, person=p)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 6 == len(set(numbers))
