"""Reading a user's visible case ids once for a page of panels ("my work") changes what
each list holds in no way: the same cases, for each user, with or without the block."""

from __future__ import annotations

import pytest

from tirek.access import policy
from tirek.accounts.roles import Role
from tirek.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db


def _ids(user) -> set[int]:
    return set(policy.visible_cases(user).values_list("pk", flat=True))


def test_each_user_sees_the_same_cases_inside_the_block(world) -> None:
    manager, psychologist, outsider = (
        world.staff(Role.CASE_MANAGER),
        world.staff(Role.PSYCHOLOGIST),
        world.staff(Role.CASE_MANAGER),
    )
    shared = open_case(manager, team=[(psychologist, Role.PSYCHOLOGIST)])
    own = open_case(manager)
    with policy.visible_case_ids_read_once():
        assert _ids(manager) == {shared.pk, own.pk}
        assert _ids(psychologist) == {shared.pk}
        assert _ids(outsider) == set()
        assert _ids(manager) == {shared.pk, own.pk}  # read once, handed out again
    assert _ids(psychologist) == {shared.pk}


def test_a_long_list_stays_a_subquery(world, monkeypatch) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    cases = {open_case(manager).pk for _n in range(3)}
    monkeypatch.setattr(policy, "VISIBLE_IDS_LIMIT", 2)
    with policy.visible_case_ids_read_once():
        assert _ids(manager) == cases
        assert "UNION" in str(policy.visible_cases(manager).query).upper()


def test_outside_the_block_nothing_is_remembered(world) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    with policy.visible_case_ids_read_once():
        assert _ids(manager) == set()
    case = open_case(manager)
    assert _ids(manager) == {case.pk}
