"""`tirek users ...`: provisioning accounts without a browser."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from tirek.accounts.models import ApiToken, User
from tirek.accounts.roles import Role
from tirek.accounts.services import api_token_issue
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, World

from .helpers import enrol

GOOD_PASSWORD = "a-long-and-unusual-passphrase-7"


def _run(*args: str) -> str:
    out = StringIO()
    call_command("users", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_account_with_roles_and_agency(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIREK_NEW_PASSWORD", GOOD_PASSWORD)
    out = _run(
        "create",
        "dina",
        "--role",
        "case-manager",
        "--role",
        "supervisor",
        "--agency",
        world.centre.name,
        "--first-name",
        "Дина",
        "--last-name",
        "Ахметова",
    )
    assert "Created dina" in out
    user = User.objects.get(username="dina")
    assert user.check_password(GOOD_PASSWORD)
    assert user.role_set == {Role.CASE_MANAGER, Role.SUPERVISOR}
    assert user.agency == world.centre
    assert user.region == world.karaganda
    assert not user.is_staff
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(user.pk)).exists()


def test_it_gives_staff_status_to_administrators_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIREK_NEW_PASSWORD", GOOD_PASSWORD)
    _run("create", "admin-1", "--role", "admin")
    assert User.objects.get(username="admin-1").is_staff


def test_it_refuses_a_weak_password(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIREK_NEW_PASSWORD", "12345678")
    with pytest.raises(CommandError):
        _run("create", "weak", "--role", "case-manager")
    assert not User.objects.filter(username="weak").exists()


def test_it_refuses_an_unknown_agency_or_duplicate_name(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIREK_NEW_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError):
        _run("create", "x", "--role", "case-manager", "--agency", "No such agency")
    world.staff(Role.CASE_MANAGER, username="taken")
    with pytest.raises(CommandError):
        _run("create", "taken", "--role", "case-manager")


def test_it_disables_an_account_and_revokes_its_tokens(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="leaving")
    key, _token = api_token_issue(user=user)
    out = _run("disable", "leaving")
    assert "Disabled leaving" in out
    user.refresh_from_db()
    assert not user.is_active
    assert ApiToken.objects.usable().count() == 0
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 401
    browser = Client()
    browser.post("/accounts/login/", {"login": "leaving", "password": PASSWORD})
    assert browser.get("/")["Location"].startswith("/accounts/login/")


def test_it_resets_two_factor_so_the_user_enrols_again(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="lost-phone")
    enrol(user)
    out = _run("reset-mfa", "lost-phone")
    assert "Removed 2 authenticator(s)" in out
    assert not Authenticator.objects.filter(user=user).exists()
    client = Client()
    client.post("/accounts/login/", {"login": "lost-phone", "password": PASSWORD})
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    assert AuditEntry.objects.filter(action=Action.MFA_CHANGE, object_id=str(user.pk)).exists()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_it_lifts_a_lockout(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="locked")
    enrol(user)
    for _attempt in range(2):
        Client().post("/accounts/login/", {"login": "locked", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="locked").exists()
    _run("unlock", "locked")
    assert not AccessAttempt.objects.exists()
    response = Client().post("/accounts/login/", {"login": "locked", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"


def test_it_lists_accounts(world: World) -> None:
    world.staff(Role.DPO, username="olga")
    assert "olga\tactive\tdpo" in _run("list")


def test_it_names_an_unknown_account(db: None) -> None:
    with pytest.raises(CommandError, match="No account named"):
        _run("disable", "ghost")
