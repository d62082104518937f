"""Break-the-glass under attack (issue 10): who may open a case in an emergency, where,
how often across the installation, and who is told at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tirek.access import policy
from tirek.access import services as access_services
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.tests.factories import open_case
from tirek.core.ratelimit import RateLimited
from tirek.organisations.models import Unit
from tirek.privacy import services
from tirek.privacy.models import EmergencyAccess
from tirek.referrals.models import Notification
from tirek.testing import World, api_client, logged_in_client

REASON = "Ребёнок поступил в приёмный покой без сопровождения, нужны сведения о здоровье."


def _open(user: Any, case: Any) -> Any:
    return services.emergency_access_open(by=user, case_id=case.pk, justification=REASON)


@pytest.mark.parametrize(
    "role",
    [
        Role.SCHOOL_LIAISON,
        Role.HEALTH_WORKER,
        Role.RELIGIOUS_COUNSELLOR,
        Role.LAWYER,
        Role.INTERVIEWER,
        Role.DPO,
        Role.ADMIN,
    ],
)
def test_roles_that_do_not_act_in_emergencies_cannot_break_the_glass(
    world: World, role: str
) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    # Same region, same agency even: still refused.
    user = world.staff(role, agency=world.centre)
    with pytest.raises(PermissionDenied):
        _open(user, case)
    web = logged_in_client(user)
    assert web.get("/privacy/emergency/open/").status_code == 403
    response = api_client(user).post(
        f"/api/v1/cases/{case.pk}/emergency-access",
        json.dumps({"justification": REASON}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()
    assert web.get(f"/cases/{case.pk}/").status_code == 404


def test_a_school_liaison_on_another_case_cannot_break_the_glass_either(world: World) -> None:
    """A school liaison who is on some team still may not open other cases."""
    manager = world.staff(Role.CASE_MANAGER)
    liaison = world.staff(Role.SCHOOL_LIAISON)
    open_case(manager, team=[(liaison, Role.SCHOOL_LIAISON)])
    other = open_case(manager)
    response = logged_in_client(liaison).post(
        "/privacy/emergency/open/", {"case_number": other.number, "justification": REASON}
    )
    assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_a_case_manager_cannot_open_a_case_in_another_region(world: World) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))  # Karaganda
    almaty = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    with pytest.raises(Http404):
        _open(almaty, case)
    assert not EmergencyAccess.objects.exists()
    assert not policy.visible_cases(almaty).filter(pk=case.pk).exists()
    # Recorded for the DPO, as a denied attempt.
    assert AuditEntry.objects.filter(
        actor=almaty, action=Action.DENIED, object_id=str(case.pk)
    ).exists()
    # On the web: the same answer as for a case number that does not exist.
    client = logged_in_client(almaty)
    real = client.post(
        "/privacy/emergency/open/", {"case_number": case.number, "justification": REASON}
    )
    missing = client.post(
        "/privacy/emergency/open/", {"case_number": "KZ-1999-99999", "justification": REASON}
    )
    assert real.status_code == missing.status_code == 422
    assert real.content.decode().count("errorlist") == missing.content.decode().count("errorlist")
    assert case.number.encode() not in missing.content
    api = api_client(almaty).post(
        f"/api/v1/cases/{case.pk}/emergency-access",
        json.dumps({"justification": REASON}),
        content_type="application/json",
    )
    assert api.status_code == 404
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_own_agency_counts_even_in_another_region(world: World) -> None:
    """A case of the user's own agency may be opened wherever the agency works."""
    outpost = Unit.objects.create(
        agency=world.centre_almaty, name="Outpost", region=world.karaganda
    )
    case = open_case(world.staff(Role.CASE_MANAGER, agency=world.centre_almaty, unit=outpost))
    assert case.region == world.karaganda
    colleague = world.staff(Role.SOCIAL_WORKER, agency=world.centre_almaty)  # Almaty unit
    stranger = world.staff(Role.SOCIAL_WORKER, agency=world.ngo, unit=None)
    stranger.region = world.almaty
    stranger.save()
    stranger.agency.region = world.almaty
    stranger.agency.save()
    with pytest.raises(Http404):
        _open(stranger, case)
    _open(colleague, case)
    assert policy.visible_cases(colleague).filter(pk=case.pk).exists()


def test_a_supervisor_of_the_case_unit_can_extend_emergency_access(world: World) -> None:
    case = open_case(world.staff(Role.CASE_MANAGER))
    supervisor = world.staff(Role.SUPERVISOR)  # of unit K
    other_supervisor = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    almaty = world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty)
    with pytest.raises(PermissionDenied):  # not the case unit's supervisor
        access_services.extend_emergency_scope(
            by=other_supervisor, unit=world.unit, user=almaty, reason=REASON
        )
    with pytest.raises(PermissionDenied):  # nobody extends it to themselves
        access_services.extend_emergency_scope(
            by=almaty, unit=world.unit, user=almaty, reason=REASON
        )
    with pytest.raises(ValidationError):  # a role that does not act in emergencies
        access_services.extend_emergency_scope(
            by=supervisor,
            unit=world.unit,
            user=world.staff(Role.SCHOOL_LIAISON, agency=world.centre_almaty),
            reason=REASON,
        )
    extension = access_services.extend_emergency_scope(
        by=supervisor, unit=world.unit, user=almaty, reason=REASON, hours=2
    )
    assert AuditEntry.objects.filter(
        actor=supervisor, action=Action.PERMISSION_CHANGE, object_id=str(extension.pk)
    ).exists()
    _open(almaty, case)
    assert policy.can_see(almaty, case, policy.Section.PSYCHOLOGICAL)
    # Revoked: the next case of the unit is out of reach again.
    access_services.revoke_emergency_scope(by=supervisor, extension=extension)
    with pytest.raises(Http404):
        _open(almaty, open_case(world.staff(Role.CASE_MANAGER)))


def test_the_eleventh_emergency_access_in_a_day_is_refused_installation_wide(
    world: World, settings: Any
) -> None:
    settings.EMERGENCY_ACCESS_INSTALLATION_LIMIT_PER_DAY = 10
    settings.EMERGENCY_ACCESS_LIMIT_PER_DAY = 3
    manager = world.staff(Role.CASE_MANAGER)
    cases = [open_case(manager) for _ in range(11)]
    # Five people, two each: nobody reaches their own limit of 3.
    people = [world.staff(Role.SOCIAL_WORKER, agency=world.ngo, unit=None) for _ in range(6)]
    for i, case in enumerate(cases[:10]):
        _open(people[i // 2], case)
    assert EmergencyAccess.objects.count() == 10
    with pytest.raises(RateLimited):
        _open(people[5], cases[10])
    response = api_client(people[5]).post(
        f"/api/v1/cases/{cases[10].pk}/emergency-access",
        json.dumps({"justification": REASON}),
        content_type="application/json",
    )
    assert response.status_code == 429
    web = logged_in_client(people[5]).post(
        "/privacy/emergency/open/", {"case_number": cases[10].number, "justification": REASON}
    )
    assert web.status_code == 429
    assert EmergencyAccess.objects.count() == 10
    assert not policy.visible_cases(people[5]).filter(pk=cases[10].pk).exists()


def test_the_per_person_limit_still_holds(world: World, settings: Any) -> None:
    settings.EMERGENCY_ACCESS_LIMIT_PER_DAY = 2
    manager = world.staff(Role.CASE_MANAGER)
    cases = [open_case(manager) for _ in range(3)]
    user = world.staff(Role.PSYCHOLOGIST, agency=world.ngo, unit=None)
    _open(user, cases[0])
    _open(user, cases[1])
    with pytest.raises(RateLimited):
        _open(user, cases[2])


def test_the_supervisor_and_the_dpo_are_told_at_once(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    supervisor = world.staff(Role.SUPERVISOR)  # of the case's unit
    other_supervisor = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    admin_supervisor = world.staff(Role.SUPERVISOR, roles=[Role.ADMIN, Role.SUPERVISOR])
    dpo = world.staff(Role.DPO)
    user = world.staff(Role.SOCIAL_WORKER, agency=world.ngo, unit=None)
    access = _open(user, case)
    told = {n.user_id: n for n in Notification.objects.filter(kind="emergency_access")}
    assert set(told) == {supervisor.pk, dpo.pk}
    assert other_supervisor.pk not in told and admin_supervisor.pk not in told
    assert manager.pk not in told and user.pk not in told
    for notice in told.values():
        # The case number only, as every notice: no name, no case content.
        assert notice.label == case.number
        assert case.person.family_name not in notice.label + notice.url
        assert REASON not in notice.label + notice.url
    assert told[dpo.pk].url == f"/privacy/emergency/{access.pk}/"
    assert told[supervisor.pk].url == f"/cases/{case.pk}/"
    # Shown in their notification lists, and the links open for them.
    sup_client = logged_in_client(supervisor)
    page = sup_client.get("/notifications/")
    assert page.status_code == 200 and case.number in page.content.decode()
    assert sup_client.get(told[supervisor.pk].url).status_code == 200
    dpo_client = logged_in_client(dpo)
    assert dpo_client.get(told[dpo.pk].url).status_code == 200
    assert case.person.family_name not in dpo_client.get("/notifications/").content.decode()


def test_emergency_access_opens_only_the_emergency_roles_sections(world: World) -> None:
    """A case manager who is also a school liaison reads as a case manager, and the school
    role adds nothing on a protected case."""
    case = open_case(world.staff(Role.CASE_MANAGER), protected_identity=True)
    user = world.staff(
        Role.CASE_MANAGER,
        agency=world.ngo,
        unit=None,
        roles=[Role.CASE_MANAGER, Role.SCHOOL_LIAISON],
    )
    _open(user, case)
    expected = {
        "core",
        "return_history",
        "family",
        "plan",
        "social",
        "legal",
        "education",
        "health",
        "incidents",
    }
    assert policy.sections_for(user, case) == expected
    for section in policy.Section.ALL:
        in_sql = policy.cases_with_section(user, section).filter(pk=case.pk).exists()
        assert in_sql is (section in expected), section
