"""Granting and releasing a place on a case team (access.services): what the policy then
lets the professional see (DESIGN: a case outside one's relations is not visible)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tirek.access import services
from tirek.access.policy import Section, can_see, visible_cases
from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseTeamMember
from tirek.cases.tests.factories import open_case
from tirek.testing import World

pytestmark = pytest.mark.django_db


def _sees(user: object, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


def test_a_grant_opens_the_case_and_a_release_closes_it(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    psychologist = world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty)
    assert not _sees(psychologist, case)

    member = services.grant_membership(
        case=case, user=psychologist, role=Role.PSYCHOLOGIST, by=manager
    )
    assert _sees(psychologist, case)
    assert can_see(psychologist, Case.objects.get(pk=case.pk), Section.CORE)

    assert services.release_membership(member, by=manager) is True
    assert not _sees(psychologist, case)
    released = CaseTeamMember.objects.get(pk=member.pk)
    assert released.removed_at is not None
    assert released.removed_by == manager
    # Someone else was first: the second release changes nothing and says so.
    assert services.release_membership(member.pk, by=manager) is False


def test_a_second_grant_in_the_same_role_is_refused(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    psychologist = world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty)
    services.grant_membership(case=case, user=psychologist, role=Role.PSYCHOLOGIST, by=manager)
    with pytest.raises(ValidationError):
        services.grant_membership(case=case, user=psychologist, role=Role.PSYCHOLOGIST, by=manager)
    assert (
        CaseTeamMember.objects.filter(case=case, user=psychologist, removed_at__isnull=True).count()
        == 1
    )


def test_releasing_a_role_ends_only_that_role(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    worker = world.staff(
        Role.PSYCHOLOGIST,
        agency=world.centre_almaty,
        roles=[Role.PSYCHOLOGIST, Role.SOCIAL_WORKER],
    )
    services.grant_membership(case=case, user=worker, role=Role.PSYCHOLOGIST, by=manager)
    services.grant_membership(case=case, user=worker, role=Role.SOCIAL_WORKER, by=manager)

    assert services.release_role(case=case, user_id=worker.pk, role=Role.PSYCHOLOGIST, by=None) == 1
    active = CaseTeamMember.objects.filter(case=case, user=worker, removed_at__isnull=True)
    assert list(active.values_list("role", flat=True)) == [Role.SOCIAL_WORKER]
    assert _sees(worker, case)
    # Nobody to release: nothing changes.
    assert services.release_role(case=case, user_id=None, role=Role.SOCIAL_WORKER, by=None) == 0
    assert active.count() == 1
