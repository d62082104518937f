"""Separation of duties for roles: the administrator asks, a second person confirms, and
nobody changes their own roles (the attack: an administrator made themselves a supervisor
in the Django admin and read every case of the unit)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tirek.access.policy import visible_cases
from tirek.accounts import services
from tirek.accounts.models import RoleChangeRequest, User
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case
from tirek.people.models import Person
from tirek.referrals.models import Notification, NotificationKind
from tirek.testing import World, logged_in_client


def _case_in_unit(world: World) -> Case:
    person = Person.objects.create(given_name="Амир", family_name="Тестов", birth_date="2015-03-01")
    return Case.objects.create(
        number="K-0001",
        person=person,
        case_manager=world.staff(Role.CASE_MANAGER),
        supervising_unit=world.unit,
        region=world.karaganda,
    )


def _roles(user: User) -> set[str]:
    return set(user.roles.values_list("role", flat=True))


def _admin_form(user: User, **changes: object) -> dict[str, object]:
    """The Django admin's change form for ``user`` as the browser posts it."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "agency": user.agency_id or "",
        "unit": user.unit_id or "",
        "region": user.region_id or "",
        "position": "",
        "preferred_language": "ru",
        "is_active": "on",
        "is_staff": "on",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": Role.SUPERVISOR,
        "roles-0-user": user.pk,
        "competencies-TOTAL_FORMS": "0",
        "competencies-INITIAL_FORMS": "0",
        "competencies-MIN_NUM_FORMS": "0",
        "competencies-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_the_administrator_cannot_make_themselves_a_supervisor_in_the_django_admin(
    world: World,
) -> None:
    _case_in_unit(world)
    admin_user = world.staff(Role.ADMIN)
    client = logged_in_client(admin_user)
    response = client.post(
        f"/admin/accounts/user/{admin_user.pk}/change/",
        _admin_form(admin_user, unit=world.unit.pk, agency=world.centre.pk),
        follow=True,
    )
    assert response.status_code == 200
    assert "Нельзя изменить собственные роли, подразделение или организацию." in (
        response.content.decode()
    )
    admin_user.refresh_from_db()
    assert _roles(admin_user) == {Role.ADMIN}
    assert admin_user.unit_id is None
    assert admin_user.agency == world.ministry
    assert visible_cases(User.objects.get(pk=admin_user.pk)).count() == 0
    refusal = AuditEntry.objects.get(action=Action.PERMISSION_CHANGE, actor=admin_user)
    assert refusal.detail["stage"] == "refused"


def test_the_django_admin_never_changes_another_users_roles_directly(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    worker = world.staff(Role.SOCIAL_WORKER, agency=world.centre_almaty)
    client = logged_in_client(admin_user)
    client.post(
        f"/admin/accounts/user/{worker.pk}/change/",
        _admin_form(worker, unit=world.unit.pk, agency=world.centre.pk),
    )
    worker.refresh_from_db()
    assert _roles(worker) == {Role.SOCIAL_WORKER}
    assert worker.agency == world.centre_almaty
    # The change page offers the request instead.
    page = client.get(f"/admin/accounts/user/{worker.pk}/change/").content.decode()
    assert f"/me/role-changes/new/?user={worker.pk}" in page


def test_the_service_refuses_a_request_for_ones_own_account(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    with pytest.raises(ValidationError):
        services.role_change_request(
            user=admin_user, by=admin_user, roles=[Role.ADMIN, Role.SUPERVISOR],
            agency=world.centre, unit=world.unit, region=world.karaganda, reason="cover",
        )  # fmt: skip
    assert not RoleChangeRequest.objects.exists()
    assert _roles(admin_user) == {Role.ADMIN}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DPO, Role.CASE_MANAGER])
def test_only_a_system_administrator_may_ask(world: World, role: str) -> None:
    asker = world.staff(role)
    target = world.staff(Role.SOCIAL_WORKER)
    with pytest.raises(PermissionDenied):
        services.role_change_request(
            user=target, by=asker, roles=[Role.SUPERVISOR], agency=world.centre,
            unit=world.unit, region=world.karaganda, reason="promotion",
        )  # fmt: skip
    response = logged_in_client(asker).post(
        "/me/role-changes/new/",
        {"user": target.pk, "roles": [Role.SUPERVISOR], "reason": "promotion"},
    )
    assert response.status_code == 403
    assert _roles(target) == {Role.SOCIAL_WORKER}


def _ask(world: World, admin_user: User, target: User) -> RoleChangeRequest:
    response = logged_in_client(admin_user).post(
        "/me/role-changes/new/",
        {
            "user": target.pk,
            "roles": [Role.SUPERVISOR],
            "agency": world.centre.pk,
            "unit": world.unit.pk,
            "region": world.karaganda.pk,
            "reason": "Appointed supervisor of the Karaganda unit, order 12",
        },
    )
    assert response.status_code == 302
    return RoleChangeRequest.objects.get(user=target)


def test_a_requested_change_takes_effect_only_when_a_second_person_confirms(
    world: World,
) -> None:
    _case_in_unit(world)
    admin_user = world.staff(Role.ADMIN)
    second_admin = world.staff(Role.ADMIN)
    target = world.staff(Role.SOCIAL_WORKER, agency=world.centre_almaty)
    change = _ask(world, admin_user, target)
    target = User.objects.get(pk=target.pk)
    assert _roles(target) == {Role.SOCIAL_WORKER}
    assert target.unit == world.unit_almaty
    assert visible_cases(target).count() == 0
    # The requester cannot confirm their own request, in the service or on the page.
    with pytest.raises(ValidationError):
        services.role_change_confirm(change=change, by=admin_user)
    own = logged_in_client(admin_user).post(f"/me/role-changes/{change.pk}/confirm/", follow=True)
    assert "Это изменение запросили вы: подтвердить его должен второй сотрудник." in (
        own.content.decode()
    )
    change.refresh_from_db()
    assert change.is_pending
    assert _roles(target) == {Role.SOCIAL_WORKER}
    # Another administrator confirms: now the account is a supervisor of the unit.
    response = logged_in_client(second_admin).post(f"/me/role-changes/{change.pk}/confirm/")
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == RoleChangeRequest.Status.CONFIRMED
    assert change.decided_by == second_admin
    target = User.objects.get(pk=target.pk)
    assert _roles(target) == {Role.SUPERVISOR}
    assert target.unit == world.unit
    assert visible_cases(target).count() == 1
    stages = list(
        AuditEntry.objects.filter(action=Action.PERMISSION_CHANGE, object_id=str(target.pk))
        .order_by("at", "id")
        .values_list("detail__stage", flat=True)
    )
    assert [stage for stage in stages if stage] == ["requested", "confirmed"]
    confirmed = AuditEntry.objects.get(detail__stage="confirmed")
    assert confirmed.actor == second_admin
    assert confirmed.detail["added"] == [Role.SUPERVISOR]
    assert confirmed.detail["removed"] == [Role.SOCIAL_WORKER]


def test_the_dpo_is_told_at_once_and_may_confirm(world: World) -> None:
    dpo = world.staff(Role.DPO)
    admin_user = world.staff(Role.ADMIN)
    target = world.staff(Role.SOCIAL_WORKER)
    change = _ask(world, admin_user, target)
    told = Notification.objects.filter(user=dpo, kind=NotificationKind.ROLE_CHANGE)
    assert told.count() == 1
    assert told.get().url == "/me/role-changes/"
    page = logged_in_client(dpo).get("/me/role-changes/")
    assert target.username in page.content.decode()
    logged_in_client(dpo).post(f"/me/role-changes/{change.pk}/confirm/")
    assert _roles(target) == {Role.SUPERVISOR}


def test_the_person_concerned_cannot_confirm_their_own_change(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    dpo = world.staff(Role.DPO)
    change = services.role_change_request(
        user=dpo, by=admin_user, roles=[Role.DPO, Role.SUPERVISOR], agency=world.centre,
        unit=world.unit, region=world.karaganda, reason="acting supervisor",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.role_change_confirm(change=change, by=dpo)
    assert _roles(dpo) == {Role.DPO}


def test_a_rejected_request_changes_nothing(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    dpo = world.staff(Role.DPO)
    target = world.staff(Role.SOCIAL_WORKER)
    change = _ask(world, admin_user, target)
    logged_in_client(dpo).post(f"/me/role-changes/{change.pk}/reject/", {"note": "no order"})
    change.refresh_from_db()
    assert change.status == RoleChangeRequest.Status.REJECTED
    assert change.decision_note == "no order"
    assert _roles(target) == {Role.SOCIAL_WORKER}
    with pytest.raises(ValidationError):  # decided once
        services.role_change_confirm(change=change, by=world.staff(Role.ADMIN))


def test_a_stale_request_is_refused(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    target = world.staff(Role.SOCIAL_WORKER)
    change = _ask(world, admin_user, target)
    services.user_set_roles(user=target, roles=[Role.PSYCHOLOGIST])  # changed meanwhile
    with pytest.raises(ValidationError):
        services.role_change_confirm(change=change, by=world.staff(Role.DPO))
    assert _roles(target) == {Role.PSYCHOLOGIST}


def test_a_new_account_made_in_the_django_admin_has_no_roles(world: World) -> None:
    """Provisioning in the browser: the account is created with no roles (so no access);
    its roles come through a request that a second person confirms."""
    admin_user = world.staff(Role.ADMIN)
    client = logged_in_client(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-worker",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-91",
            "password2": "a-long-enough-passphrase-91",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-0-role": Role.SUPERVISOR,
            "competencies-TOTAL_FORMS": "0",
            "competencies-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="new-worker")
    assert _roles(created) == set()


def test_the_request_form_starts_from_the_account_as_it_is(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    target = world.staff(Role.PSYCHOLOGIST)
    page = logged_in_client(admin_user).get(f"/me/role-changes/new/?user={target.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["roles"] == [Role.PSYCHOLOGIST]
    assert form.initial["unit"] == world.unit.pk


def test_no_web_or_api_code_grants_roles_without_a_second_person() -> None:
    """The provisioning services grant at once; only command-line code may call them."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or "/management/" in relative or "/migrations/" in relative:
            continue
        # Provisioning itself, test fixtures, and the demo loaders `tirek demo` runs.
        if relative in {
            "accounts/services.py",
            "testing.py",
            "core/demo_org.py",
            "reports/demo_programme.py",
        }:
            continue
        text = path.read_text(encoding="utf-8")
        if "user_set_roles(" in text or "user_create(" in text or "UserRole.objects" in text:
            offenders.append(relative)
    assert offenders == []
