"""Protected identity in the team list (issue #15): the team itself must not tell school
and health staff about a protected child's background."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tirek.access.policy import visible_team
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.cases.selectors import team_of
from tirek.cases.tests.factories import open_case
from tirek.testing import api_client, logged_in_client

pytestmark = pytest.mark.django_db


def _case(world, *, protected: bool) -> tuple[Case, dict[str, object]]:
    manager = world.staff(Role.CASE_MANAGER)
    people = {
        "school": world.staff(Role.SCHOOL_LIAISON),
        "health": world.staff(Role.HEALTH_WORKER),
        "interviewer": world.staff(Role.INTERVIEWER),
        "counsellor": world.staff(Role.RELIGIOUS_COUNSELLOR),
        "psychologist": world.staff(Role.PSYCHOLOGIST),
        "manager": manager,
    }
    team = [
        (people["school"], Role.SCHOOL_LIAISON),
        (people["health"], Role.HEALTH_WORKER),
        (people["interviewer"], Role.INTERVIEWER),
        (people["counsellor"], Role.RELIGIOUS_COUNSELLOR),
        (people["psychologist"], Role.PSYCHOLOGIST),
    ]
    case = open_case(manager, team=team, protected_identity=protected)
    return case, people


def _roles(user, case: Case) -> set[str]:
    return {m.role for m in visible_team(user, case, team_of(case))}


@pytest.mark.parametrize("viewer", ["school", "health"])
def test_school_and_health_staff_do_not_see_background_roles_on_a_protected_case(
    world, viewer
) -> None:
    case, people = _case(world, protected=True)
    roles = _roles(people[viewer], case)
    assert Role.INTERVIEWER not in roles and Role.RELIGIOUS_COUNSELLOR not in roles
    assert {Role.CASE_MANAGER, Role.SCHOOL_LIAISON, Role.HEALTH_WORKER, Role.PSYCHOLOGIST} <= roles


@pytest.mark.parametrize("viewer", ["manager", "psychologist", "counsellor"])
def test_staff_who_know_the_background_see_the_whole_team(world, viewer) -> None:
    case, people = _case(world, protected=True)
    assert {Role.INTERVIEWER, Role.RELIGIOUS_COUNSELLOR} <= _roles(people[viewer], case)


def test_an_unprotected_case_shows_its_whole_team_to_the_school(world) -> None:
    case, people = _case(world, protected=False)
    assert {Role.INTERVIEWER, Role.RELIGIOUS_COUNSELLOR} <= _roles(people["school"], case)


def test_the_team_page_the_case_page_and_the_api_leave_them_out(world) -> None:
    case, people = _case(world, protected=True)
    interviewer = people["interviewer"]
    hidden = interviewer.get_full_name() or interviewer.username
    school = logged_in_client(people["school"])
    for url in (reverse("cases:team", args=[case.pk]), reverse("cases:detail", args=[case.pk])):
        page = school.get(url)
        assert page.status_code == 200
        assert hidden not in page.content.decode()
    answer = api_client(people["school"]).get(f"/api/v1/cases/{case.pk}/team")
    assert answer.status_code == 200
    assert Role.INTERVIEWER not in {m["role"] for m in answer.json()}
    answer = api_client(people["manager"]).get(f"/api/v1/cases/{case.pk}/team")
    assert Role.INTERVIEWER in {m["role"] for m in answer.json()}
