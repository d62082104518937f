"""A supervisor extends emergency access to a professional from another region on a
page, sees it running and revokes it; nobody else may use the page."""

from __future__ import annotations

import pytest

from tirek.access import policy
from tirek.access.models import EmergencyScopeExtension
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.tests.factories import open_case
from tirek.privacy import services
from tirek.testing import World, logged_in_client

REASON = "Ребёнок может поступить в больницу Алматы на выходных; дежурный психолог."
URL = "/privacy/emergency/extensions/"


def test_a_supervisor_extends_emergency_access_on_the_page_and_revokes_it(world: World) -> None:
    supervisor = world.staff(Role.SUPERVISOR)
    case = open_case(world.staff(Role.CASE_MANAGER))
    almaty = world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty, username="almaty-psy")
    client = logged_in_client(supervisor)
    assert 'href="/privacy/emergency/extensions/"' in client.get("/").content.decode()

    response = client.post(URL, {"username": "almaty-psy", "hours": 4, "reason": REASON})
    assert response.status_code == 302
    extension = EmergencyScopeExtension.objects.get(user=almaty)
    assert extension.unit_id == world.unit.pk
    assert AuditEntry.objects.filter(
        actor=supervisor, action=Action.PERMISSION_CHANGE, object_id=str(extension.pk)
    ).exists()
    assert "almaty-psy" in client.get(URL).content.decode() or almaty.get_full_name() in (
        client.get(URL).content.decode()
    )
    services.emergency_access_open(by=almaty, case_id=case.pk, justification=REASON)
    assert policy.visible_cases(almaty).filter(pk=case.pk).exists()

    assert client.post(f"{URL}{extension.pk}/revoke/").status_code == 302
    extension.refresh_from_db()
    assert extension.revoked_at is not None


@pytest.mark.parametrize(
    ("username", "field_error"),
    [
        ("nobody-here", "Нет активной учётной записи с таким логином."),
        ("school", None),  # a role that does not act in emergencies
    ],
)
def test_bad_requests_change_nothing(world: World, username: str, field_error: str | None) -> None:
    world.staff(Role.SCHOOL_LIAISON, agency=world.centre_almaty, username="school")
    client = logged_in_client(world.staff(Role.SUPERVISOR))
    response = client.post(URL, {"username": username, "hours": 4, "reason": REASON})
    assert response.status_code == 422
    if field_error:
        assert field_error in response.content.decode()
    assert not EmergencyScopeExtension.objects.exists()


def test_hours_beyond_the_limit_are_refused(world: World) -> None:
    world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty, username="almaty-psy")
    client = logged_in_client(world.staff(Role.SUPERVISOR))
    response = client.post(URL, {"username": "almaty-psy", "hours": 500, "reason": REASON})
    assert response.status_code == 422
    assert not EmergencyScopeExtension.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.CASE_MANAGER, Role.DPO, Role.ADMIN, Role.SCHOOL_LIAISON, Role.TRAINER]
)
def test_only_a_supervisor_may_use_the_page(world: World, role: str) -> None:
    client = logged_in_client(world.staff(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"username": "x", "hours": 4, "reason": REASON}).status_code == 403


def test_an_administrator_who_also_supervises_may_not_extend(world: World) -> None:
    both = world.staff(Role.SUPERVISOR, roles=[Role.SUPERVISOR, Role.ADMIN])
    assert logged_in_client(both).get(URL).status_code == 403


def test_another_units_supervisor_cannot_revoke(world: World) -> None:
    from tirek.access import services as access_services

    supervisor = world.staff(Role.SUPERVISOR)
    almaty = world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty)
    extension = access_services.extend_emergency_scope(
        by=supervisor, unit=world.unit, user=almaty, reason=REASON
    )
    other = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    assert logged_in_client(other).post(f"{URL}{extension.pk}/revoke/").status_code == 404
    extension.refresh_from_db()
    assert extension.revoked_at is None
