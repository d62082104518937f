"""A reset of someone's two-factor authentication needs two people. The attack it closes:
one administrator resets a case manager's second factor, sets a new password for the account
in the Django admin, signs in as the case manager, enrols their own phone and reads the
caseload. Now the reset is a request that another administrator or the DPO confirms."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from tirek.accounts.models import RoleChangeRequest, User
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import World, logged_in_client


def _enrolled(user: User) -> bool:
    return Authenticator.objects.filter(user=user).exists()


def _reset_form(user: User, **changes: object) -> dict[str, object]:
    """The request form as it opens for ``user`` (roles and unit as they are), reset ticked."""
    data: dict[str, object] = {
        "user": user.pk,
        "roles": list(user.roles.values_list("role", flat=True)),
        "agency": user.agency_id or "",
        "unit": user.unit_id or "",
        "region": user.region_id or "",
        "reset_two_factor": "on",
        "reason": "Lost her phone on a home visit; asked by telephone, identity checked",
    }
    data.update(changes)
    return data


def test_one_administrator_cannot_reset_someones_second_factor_in_the_django_admin(
    world: World,
) -> None:
    admin_user = world.staff(Role.ADMIN)
    case_manager = world.staff(Role.CASE_MANAGER)
    logged_in_client(case_manager)  # enrols the case manager's authenticator app
    client = logged_in_client(admin_user)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [case_manager.pk]},
    )
    # The action only opens the request form for that account, with the reset ticked.
    assert response.status_code == 302
    assert response["Location"].startswith("/me/role-changes/new/")
    form = client.get(response["Location"]).content.decode()
    assert f'value="{case_manager.pk}" selected' in form
    assert 'name="reset_two_factor" id="id_reset_two_factor" checked' in form
    assert _enrolled(case_manager)
    assert not AuditEntry.objects.filter(action=Action.MFA_CHANGE).exists()


def test_a_reset_takes_effect_only_when_a_second_person_confirms(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    dpo = world.staff(Role.DPO)
    case_manager = world.staff(Role.CASE_MANAGER)
    logged_in_client(case_manager)
    response = logged_in_client(admin_user).post("/me/role-changes/new/", _reset_form(case_manager))
    assert response.status_code == 302
    change = RoleChangeRequest.objects.get(user=case_manager)
    assert change.reset_two_factor and change.is_pending
    assert _enrolled(case_manager)
    # The administrator who asked cannot confirm it.
    logged_in_client(admin_user).post(f"/me/role-changes/{change.pk}/confirm/")
    assert _enrolled(case_manager)
    pending = logged_in_client(dpo).get("/me/role-changes/").content.decode()
    assert case_manager.username in pending
    logged_in_client(dpo).post(f"/me/role-changes/{change.pk}/confirm/")
    change.refresh_from_db()
    assert change.status == RoleChangeRequest.Status.CONFIRMED
    assert not _enrolled(case_manager)
    # Roles and unit are as they were; the reset is audited under the person who confirmed.
    assert set(case_manager.roles.values_list("role", flat=True)) == {Role.CASE_MANAGER}
    reset = AuditEntry.objects.get(action=Action.MFA_CHANGE, object_id=str(case_manager.pk))
    assert reset.actor == dpo
    confirmed = AuditEntry.objects.get(detail__stage="confirmed")
    assert confirmed.detail["reset_two_factor"] is True


def test_a_rejected_reset_leaves_the_second_factor_in_place(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    second_admin = world.staff(Role.ADMIN)
    case_manager = world.staff(Role.CASE_MANAGER)
    logged_in_client(case_manager)
    logged_in_client(admin_user).post("/me/role-changes/new/", _reset_form(case_manager))
    change = RoleChangeRequest.objects.get(user=case_manager)
    logged_in_client(second_admin).post(
        f"/me/role-changes/{change.pk}/reject/", {"note": "she has not called us"}
    )
    assert _enrolled(case_manager)


def test_a_request_without_the_reset_that_changes_nothing_is_refused(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    case_manager = world.staff(Role.CASE_MANAGER)
    response = logged_in_client(admin_user).post(
        "/me/role-changes/new/", _reset_form(case_manager, reset_two_factor="")
    )
    assert response.status_code == 200
    assert "Запрос ничего не меняет." in response.content.decode()
    assert not RoleChangeRequest.objects.exists()


def test_nobody_asks_for_a_reset_of_their_own_second_factor(world: World) -> None:
    admin_user = world.staff(Role.ADMIN)
    response = logged_in_client(admin_user).post("/me/role-changes/new/", _reset_form(admin_user))
    assert response.status_code == 200
    assert not RoleChangeRequest.objects.exists()
    assert _enrolled(admin_user)
