"""``IdList`` lets through exactly the rows a plain ``__in=[...]`` would, short or long,
on a primary key, a foreign key, inside a subquery and negated; a long one goes to the
database as one parameter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseTeamMember
from tirek.cases.tests.factories import open_case
from tirek.core.ids import ARRAY_FROM, IdList
from tirek.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world: World) -> list[Case]:
    manager = world.staff(Role.CASE_MANAGER)
    return [open_case(manager) for _n in range(ARRAY_FROM + 5)]


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("how_many", [1, ARRAY_FROM - 1, ARRAY_FROM, ARRAY_FROM + 3])
def test_the_same_rows_as_a_plain_list(cases: list[Case], how_many: int) -> None:
    # The first cases, and an id no case has: only the existing ones come back.
    wanted = [c.pk for c in cases[: how_many - 1]] + [10**12]
    expected = _pks(Case.objects.filter(pk__in=wanted))
    assert len(IdList(wanted).ids) == how_many and len(expected) == how_many - 1
    assert _pks(Case.objects.filter(pk__in=IdList(wanted))) == expected
    assert _pks(Case.objects.exclude(pk__in=IdList(wanted))) == {c.pk for c in cases} - expected
    members = CaseTeamMember.objects.filter(case__in=IdList(wanted))
    assert {m.case_id for m in members} == expected
    on_team = Exists(CaseTeamMember.objects.filter(case=OuterRef("pk"), case__in=IdList(wanted)))
    assert _pks(Case.objects.filter(on_team)) == expected


def test_an_empty_list_lets_nothing_through_and_asks_the_database_nothing(
    cases: list[Case], django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        assert list(Case.objects.filter(pk__in=IdList([]))) == []
    assert _pks(Case.objects.filter(pk__in=IdList([])) | Case.objects.filter(pk=cases[0].pk)) == {
        cases[0].pk
    }


def test_a_long_list_is_one_parameter_and_a_short_one_a_parameter_per_id(
    cases: list[Case],
) -> None:
    pks = [c.pk for c in cases]
    with CaptureQueriesContext(connection) as long_list:
        assert _pks(Case.objects.filter(pk__in=IdList(pks))) == set(pks)
    with CaptureQueriesContext(connection) as short_list:
        assert _pks(Case.objects.filter(pk__in=IdList(pks[:3]))) == set(pks[:3])
    assert long_list[0]["sql"].count(str(pks[-1])) == 1  # in the one array parameter
    assert "unnest" in long_list[0]["sql"] or "json_each" in long_list[0]["sql"]
    assert "unnest" not in short_list[0]["sql"] and "json_each" not in short_list[0]["sql"]


def test_ids_are_integers_or_refused() -> None:
    assert IdList(["3", 2, 2]).ids == (2, 3)
    with pytest.raises(ValueError):
        IdList(["3; DROP TABLE cases_case"])
