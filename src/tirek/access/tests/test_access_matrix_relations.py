"""The access matrix, grown (issue 10): users holding several roles, the relations the
first matrix (``cases/tests/test_access_matrix.py``) does not build — emergency access, a
referral's grant, supervisor of another unit — on the web page and the API, and the "my
work" panels, lists and counts, which must agree with the case page: a case that is a 404
to someone never shows up, by number or initials, anywhere else for them.

Expected sections come from ``expected.py`` (written down from DESIGN.md section 2), not
from the policy's table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.cases.tests.factories import notes_in_every_section, open_case, secret
from tirek.privacy import services as privacy
from tirek.privacy.models import GivenBy, Purpose
from tirek.referrals.tests.conftest import build_scene
from tirek.testing import World, api_client, logged_in_client

from .expected import ALL_SECTIONS, DESIGN_SECTIONS, design_sections

REASON = "Ребёнок поступил в приёмный покой без сопровождения, нужны сведения о здоровье."


def _overdue_case(manager: User, **kwargs: Any) -> Case:
    """An open case whose initial assessment is long overdue (it shows on task lists)."""
    case = open_case(manager, **kwargs)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=40))
    case.refresh_from_db()
    return case


def _override_waiting(case: Case, manager: User) -> None:
    """A consent override (an adult relative instead of the guardian) awaiting approval."""
    privacy.consent_record(
        by=manager,
        person=case.person,
        purposes=[Purpose.CASE_MANAGEMENT],
        given_by=GivenBy.ADULT_SELF,
        valid_from=case.opened_at.date(),
        override_reason="Опекун недоступен, согласие даёт бабушка по решению органа опеки",
    )


def _page_sections(client: Any, case: Case) -> frozenset[str]:
    """The sections whose notes the case page's notes section shows this viewer."""
    response = client.get(f"/cases/{case.pk}/sections/notes/")
    if response.status_code == 404:
        return frozenset()
    body = response.content.decode()
    return frozenset(s for s in ALL_SECTIONS if secret(s) in body)


def _everywhere(user: User, case: Case) -> dict[str, bool]:
    """Does the case show (number or link) on each list, count and panel of ``user``?"""
    web = logged_in_client(user)
    api = api_client(user)
    shown: dict[str, bool] = {}
    for url in (
        "/",
        "/cases/",
        f"/cases/?q={case.number}",
        "/cases/?scope=unit",
        "/work/tasks/?scope=unit",
        "/work/tasks/?scope=mine",
        "/referrals/",
        "/conferences/",
        "/interviews/",
        "/notifications/",
    ):
        response = web.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        # The search box echoes the query: look for the case's link, and the number
        # anywhere else on the page.
        shown[url] = (
            f"/cases/{case.pk}/" in body
            or body.replace(f'value="{case.number}"', "").count(case.number) > 0
        )
    for url in (
        "/api/v1/cases",
        f"/api/v1/cases?q={case.number}",
        "/api/v1/tasks",
        "/api/v1/tasks?scope=unit",
        "/api/v1/referrals",
        "/api/v1/conferences",
        "/api/v1/interviews",
    ):
        response = api.get(url)
        shown[url] = response.status_code == 200 and case.number in response.content.decode()
    return shown


# --- several roles ------------------------------------------------------------------------


def test_administrator_who_is_also_supervisor_sees_nothing_of_the_unit(world: World) -> None:
    """The code-review finding: "my work" showed case numbers, initials and an override's
    reason to an administrator holding the supervisor role, while the case was a 404."""
    manager = world.staff(Role.CASE_MANAGER)
    case = _overdue_case(manager)
    notes_in_every_section(case, manager)
    _override_waiting(case, manager)
    admin_sup = world.staff(Role.SUPERVISOR, roles=[Role.ADMIN, Role.SUPERVISOR])
    real_sup = world.staff(Role.SUPERVISOR)

    assert logged_in_client(admin_sup).get(f"/cases/{case.pk}/").status_code == 404
    assert api_client(admin_sup).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert not any(_everywhere(admin_sup, case).values()), _everywhere(admin_sup, case)
    home = logged_in_client(admin_sup).get("/").content.decode()
    assert "Опекун недоступен" not in home and case.person.family_name not in home

    # The real supervisor of the unit sees it on the same panels (the test can fail).
    seen = _everywhere(real_sup, case)
    assert seen["/"] and seen["/cases/"] and seen["/work/tasks/?scope=unit"], seen
    assert seen["/api/v1/cases"] and seen["/api/v1/tasks?scope=unit"], seen
    assert "Опекун недоступен" in logged_in_client(real_sup).get("/").content.decode()


def test_supervisor_who_is_also_trainer_supervises_as_before(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = _overdue_case(manager)
    notes_in_every_section(case, manager)
    user = world.staff(Role.SUPERVISOR, roles=[Role.SUPERVISOR, Role.TRAINER])
    client = logged_in_client(user)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert _page_sections(client, case) == DESIGN_SECTIONS["supervisor"]
    assert policy.sections_for(user, case) == DESIGN_SECTIONS["supervisor"]
    assert api_client(user).get(f"/api/v1/cases/{case.pk}").status_code == 200
    seen = _everywhere(user, case)
    assert seen["/cases/?scope=unit"] and seen["/work/tasks/?scope=unit"], seen
    # ...and the training pages still open for the trainer role.
    assert client.get("/training/").status_code == 200


def test_case_manager_and_psychologist_on_the_team_sees_both_roles_sections(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    both = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER, Role.PSYCHOLOGIST])
    case = open_case(manager, team=[(both, Role.CASE_MANAGER), (both, Role.PSYCHOLOGIST)])
    notes_in_every_section(case, manager)
    expected = DESIGN_SECTIONS["case-manager"] | DESIGN_SECTIONS["psychologist"]
    assert policy.sections_for(both, case) == expected
    assert _page_sections(logged_in_client(both), case) == expected
    for section in ALL_SECTIONS:
        assert policy.cases_with_section(both, section).filter(pk=case.pk).exists() is (
            section in expected
        ), section
    # On the team in one role only: that role's sections, not the other's.
    only_cm = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER, Role.PSYCHOLOGIST])
    other = open_case(manager, team=[(only_cm, Role.CASE_MANAGER)])
    assert policy.sections_for(only_cm, other) == DESIGN_SECTIONS["case-manager"]


def test_a_role_taken_away_takes_its_memberships_with_it(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    psych = world.staff(Role.PSYCHOLOGIST, roles=[Role.PSYCHOLOGIST, Role.TRAINER])
    case = open_case(manager, team=[(psych, Role.PSYCHOLOGIST)])
    psych.roles.filter(role=Role.PSYCHOLOGIST).delete()
    psych = User.objects.get(pk=psych.pk)
    assert logged_in_client(psych).get(f"/cases/{case.pk}/").status_code == 404
    assert api_client(psych).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert not policy.visible_cases(psych).exists()


# --- relations × endpoint -----------------------------------------------------------------


RELATIONS = [
    "team",
    "supervisor-of-unit",
    "supervisor-of-another-unit",
    "same-agency-not-on-team",
    "other-region",
    "emergency",
]


def _user_for(world: World, role: str, relation: str, case: Case) -> User:
    if relation == "team":
        user = world.staff(role)
        from tirek.cases import services as case_services

        case_services.team_member_add(by=case.case_manager, case=case, user=user, role=role)
        return user
    if relation == "supervisor-of-unit":
        return world.staff(role, agency=world.centre, unit=world.unit)
    if relation == "supervisor-of-another-unit":
        return world.staff(role, agency=world.centre_almaty, unit=world.unit_almaty)
    if relation == "same-agency-not-on-team":
        return world.staff(role, agency=world.centre, unit=None)
    if relation == "other-region":
        return world.staff(role, agency=world.centre_almaty, unit=world.unit_almaty)
    # emergency: someone of the region, not on the team, who broke the glass
    user = world.staff(role, agency=world.ngo, unit=None)
    if role in {"case-manager", "social-worker", "psychologist", "supervisor"}:
        privacy.emergency_access_open(by=user, case_id=case.pk, justification=REASON)
    return user


def _expected(role: str, relation: str) -> frozenset[str]:
    if relation == "team" and role in DESIGN_SECTIONS:
        return design_sections(role, protected=True)
    if relation == "supervisor-of-unit" and role == "supervisor":
        return DESIGN_SECTIONS["supervisor"]
    if relation == "emergency" and role in {
        "case-manager",
        "social-worker",
        "psychologist",
        "supervisor",
    }:
        return design_sections(role, protected=True)
    return frozenset()


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize(
    "role",
    ["case-manager", "psychologist", "social-worker", "school-liaison", "health-worker",
     "interviewer", "supervisor", "community-worker"],
)  # fmt: skip
def test_role_by_relation_on_the_page_and_the_api(world: World, role: str, relation: str) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager, protected_identity=True)
    notes_in_every_section(case, manager)
    user = _user_for(world, role, relation, case)
    expected = _expected(role, relation)
    web = logged_in_client(user)
    api = api_client(user)
    page = web.get(f"/cases/{case.pk}/")
    answer = api.get(f"/api/v1/cases/{case.pk}")
    if not expected:
        assert page.status_code == answer.status_code == 404
        assert case.number not in page.content.decode()
        assert not policy.visible_cases(user).filter(pk=case.pk).exists()
        listed = api.get("/api/v1/cases")
        assert listed.status_code in (200, 403) and case.number not in listed.content.decode()
        return
    assert page.status_code == answer.status_code == 200
    assert _page_sections(web, case) == expected
    assert policy.sections_for(user, case) == expected
    listed = api.get("/api/v1/cases").content.decode()
    assert case.number in listed


def test_a_referral_grant_opens_exactly_the_shared_sections(world: World) -> None:
    scene = build_scene(world)
    notes_in_every_section(scene.case, scene.cm)
    scene.consent()
    referral = scene.send(sections=["education"])
    liaison = scene.liaison
    web, api = logged_in_client(liaison), api_client(liaison)
    # Before accepting: the referral, never the case.
    assert web.get(f"/cases/{scene.case.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{scene.case.pk}").status_code == 404
    from tirek.referrals import services as referrals

    referrals.referral_accept(by=liaison, referral=referral, version=referral.version)
    expected = frozenset({"core", "education"})
    assert web.get(f"/cases/{scene.case.pk}/").status_code == 200
    assert _page_sections(web, scene.case) == expected
    assert api.get(f"/api/v1/cases/{scene.case.pk}").status_code == 200
    assert scene.case.number in api.get("/api/v1/cases").content.decode()
    # A colleague at the same school who was not named sees nothing.
    assert logged_in_client(scene.liaison2).get(f"/cases/{scene.case.pk}/").status_code == 404
    assert api_client(scene.liaison2).get(f"/api/v1/cases/{scene.case.pk}").status_code == 404


def test_the_design_table_and_the_policy_agree_role_by_role(world: World) -> None:
    """One membership per role on an unprotected case: the policy's answer is the table
    written down from DESIGN.md (a wrong entry in ROLE_SECTIONS fails here)."""
    manager = world.staff(Role.CASE_MANAGER)
    for role in ("case-manager", "psychologist", "social-worker", "lawyer", "school-liaison",
                 "health-worker", "interviewer", "religious-counsellor",
                 "community-worker"):  # fmt: skip
        case = open_case(manager, protected_identity=False)
        user = world.staff(role)
        from tirek.cases import services as case_services

        case_services.team_member_add(by=manager, case=case, user=user, role=role)
        assert policy.sections_for(user, case) == DESIGN_SECTIONS[role], role
    for role in ("dpo", "me-analyst", "training-coordinator", "trainer", "admin"):
        user = world.staff(role)
        assert not policy.visible_cases(user).exists(), role
        assert case.number not in api_client(user).get("/api/v1/cases").content.decode()
        assert logged_in_client(user).get(f"/cases/{case.pk}/").status_code == 404
