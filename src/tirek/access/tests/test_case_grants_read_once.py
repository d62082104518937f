"""Reading a user's relations once for a page of panels ("my work") changes what each
list holds in no way: for every kind of user and relation, the same cases — visible, with
each section, managed, and the same as ids for ``case__in=`` — inside the block as outside
it."""

from __future__ import annotations

from datetime import date

import pytest

from tirek.access import policy
from tirek.access.policy import Section
from tirek.access.services import grant_transfer_preview
from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseStatus, CaseTeamMember
from tirek.cases.tests.factories import open_case, person
from tirek.core.ids import IdList
from tirek.privacy.services import emergency_access_open
from tirek.testing import World

REASON = "Ребёнок не пришёл в школу, семья не отвечает на звонки"

pytestmark = pytest.mark.django_db


def _answers(user) -> dict[str, set[int]]:
    """What each list the block changes holds for the user."""
    found = {
        "visible": set(policy.visible_cases(user).values_list("pk", flat=True)),
        "managed": set(policy.managed_cases(user).values_list("pk", flat=True)),
    }
    for section in sorted(Section.ALL):
        found[section] = set(policy.cases_with_section(user, section).values_list("pk", flat=True))
        found[f"{section} as ids"] = _cases_in(policy.case_ids_with_section(user, section))
    found["visible as ids"] = _cases_in(policy.visible_case_ids(user))
    return found


def _cases_in(ids) -> set[int]:
    """The cases a ``case__in=`` condition with ``ids`` lets through."""
    return set(Case.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _member(case, user, role: str, **grant) -> None:
    CaseTeamMember.objects.create(case=case, user=user, role=role, **grant)


def test_every_kind_of_relation_gives_the_same_lists_inside_the_block(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    both = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER, Role.PSYCHOLOGIST])
    school = world.staff(Role.SCHOOL_LIAISON, agency=world.school, unit=None)
    police = world.staff(Role.INTERVIEWER, agency=world.police, unit=None)
    probation = world.staff(Role.PROBATION_OFFICER, unit=None)
    referred = world.staff(Role.HEALTH_WORKER, agency=world.clinic, unit=None)
    rescuer = world.staff(Role.SOCIAL_WORKER, agency=world.ngo, unit=None)
    supervisor = world.staff(Role.SUPERVISOR)
    receiving = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    outsider = world.staff(Role.CASE_MANAGER)

    child = open_case(
        manager,
        team=[(both, Role.CASE_MANAGER), (both, Role.PSYCHOLOGIST)],
        protected_identity=False,
    )
    protected = open_case(manager, protected_identity=True)
    mother = open_case(manager, person=person(birth_date=date(1990, 5, 1)))
    # A family section shared with the school counts except on a protected case.
    _member(protected, school, Role.SCHOOL_LIAISON, sections=["family"])
    _member(child, school, Role.SCHOOL_LIAISON, sections=["family"])
    _member(child, police, Role.INTERVIEWER, sections=["health", "security"])
    _member(protected, police, Role.INTERVIEWER, sections=["health"], legal_basis="Ст. 12")
    _member(child, probation, Role.PROBATION_OFFICER)  # adults only: not the child's
    _member(mother, probation, Role.PROBATION_OFFICER)
    _member(child, referred, Role.HEALTH_WORKER, sections=["health"], exact_sections=True)
    emergency_access_open(by=rescuer, case_id=protected.pk, justification=REASON)
    grant_transfer_preview(case=mother, unit=world.unit_almaty, sections=["plan"], by=manager)

    users = [
        manager,
        both,
        school,
        police,
        probation,
        referred,
        rescuer,
        supervisor,
        receiving,
        outsider,
    ]
    outside = {user.pk: _answers(user) for user in users}
    assert outside[receiving.pk]["visible"] == {mother.pk}  # the test can fail: relations exist
    assert outside[police.pk]["security"] == {child.pk, protected.pk}
    assert outside[probation.pk]["visible"] == {mother.pk}
    assert outside[school.pk]["family"] == {child.pk}
    with policy.case_grants_read_once():
        for user in users:
            assert _answers(user) == outside[user.pk], user.username
            assert _answers(user) == outside[user.pk], user.username  # read once, handed out again
        # On the team in a role they hold (the probation officer: adults only); an
        # emergency access, a unit or a transfer preview is no team.
        teams = {user.pk: policy.team_case_ids_read_once(user) for user in users}
        as_psychologist = {
            user.pk: policy.team_case_ids_read_once(user, [Role.PSYCHOLOGIST]) for user in users
        }
    assert teams == {
        manager.pk: {child.pk, protected.pk, mother.pk},
        both.pk: {child.pk},
        school.pk: {child.pk, protected.pk},
        police.pk: {child.pk, protected.pk},
        probation.pk: {mother.pk},
        referred.pk: {child.pk},
        rescuer.pk: set(),
        supervisor.pk: set(),
        receiving.pk: set(),
        outsider.pk: set(),
    }
    # Of the manager's teams only the child's has them as a psychologist too.
    assert as_psychologist == {user.pk: set() for user in users} | {both.pk: {child.pk}}
    assert policy.team_case_ids_read_once(manager) is None  # not outside the block
    assert _answers(manager) == outside[manager.pk]


def test_inside_the_block_the_ids_are_a_list(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    school = world.staff(Role.SCHOOL_LIAISON, agency=world.school, unit=None)
    case = open_case(manager)
    with policy.case_grants_read_once():
        assert policy.visible_case_ids(manager).ids == (case.pk,)
        assert policy.case_ids_with_section(manager, Section.PLAN).ids == (case.pk,)
        assert policy.visible_case_ids(school).ids == ()
    assert not isinstance(policy.visible_case_ids(manager), IdList)  # the policy's subquery


def test_a_long_list_stays_a_subquery(world: World, monkeypatch) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    cases = {open_case(manager).pk for _n in range(3)}
    monkeypatch.setattr(policy, "VISIBLE_IDS_LIMIT", 1)
    with policy.case_grants_read_once():
        assert _answers(manager)["visible"] == cases
        assert _answers(manager)["visible as ids"] == cases
        assert "UNION" in str(policy.visible_cases(manager).query).upper()
        assert not isinstance(policy.visible_case_ids(manager), IdList)


def test_outside_the_block_nothing_is_remembered(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    with policy.case_grants_read_once():
        assert _answers(manager)["visible"] == set()
    case = open_case(manager)
    assert _answers(manager)["visible"] == {case.pk}


def test_the_open_cases_of_a_supervised_unit_are_counted_alike_inside_the_block(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    supervisor = world.staff(Role.SUPERVISOR)  # of the manager's unit
    elsewhere = world.staff(Role.SUPERVISOR, agency=world.centre_almaty, unit=world.unit_almaty)
    open_cases = [open_case(manager) for _n in range(3)]
    Case.objects.filter(pk=open_cases[0].pk).update(status=CaseStatus.CLOSED)
    Case.objects.filter(pk=open_cases[1].pk).update(status=CaseStatus.TRANSFERRED)
    outside = (policy.open_unit_case_count(supervisor), policy.open_unit_case_count(elsewhere))
    with policy.case_grants_read_once():
        inside = (policy.open_unit_case_count(supervisor), policy.open_unit_case_count(elsewhere))
        assert policy.open_unit_case_count(manager) is None  # supervises no unit
    assert outside == inside == (2, 0)  # the closed case is not counted, the transferred is
