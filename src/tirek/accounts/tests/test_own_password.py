"""A password someone else chose is replaced by its owner before the account does anything:
an administrator who provisions an account, or sets a new password for it, cannot then
use it unnoticed (its owner would find the password changed)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.testing import PASSWORD, World, logged_in_client

from .helpers import password_step

GIVEN = "a-long-and-unusual-passphrase-7"  # noqa: S105
OWN = "my-very-own-passphrase-2026"  # noqa: S105
CHANGE = "/accounts/password/change/"


def _provisioned(monkeypatch: pytest.MonkeyPatch, username: str = "dina") -> User:
    monkeypatch.setenv("TIREK_NEW_PASSWORD", GIVEN)
    out = StringIO()
    call_command("users", "create", username, "--role", "case-manager", stdout=out)
    assert "choose their own password" in out.getvalue()
    return User.objects.get(username=username)


def _change(client: Client, old: str = GIVEN) -> None:
    response = client.post(CHANGE, {"oldpassword": old, "password1": OWN, "password2": OWN})
    assert response.status_code == 302, response.content.decode()[:500]


def test_an_account_provisioned_from_the_command_line_first_asks_for_a_password(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _provisioned(monkeypatch)
    assert user.must_change_password
    browser = Client()
    password_step(browser, "dina", GIVEN)

    for page in ("/", "/cases/", "/accounts/2fa/totp/activate/", "/admin/"):
        response = browser.get(page)
        assert response.status_code == 302 and response["Location"] == CHANGE, page
    shown = browser.get(CHANGE).content.decode()
    assert "известен тому, кто создал вашу учётную запись" in shown  # why, in Russian
    assert 'class="nav' not in shown  # no menu to wander off through

    _change(browser)
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(OWN)
    # Then on to two-factor enrolment, as every new account.
    assert browser.get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_signing_out_and_switching_language_still_work_meanwhile(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _provisioned(monkeypatch)
    browser = Client()
    password_step(browser, "dina", GIVEN)
    assert browser.post("/i18n/setlang/", {"language": "kk"}).status_code == 302
    assert browser.post("/accounts/logout/").status_code == 302
    assert browser.get("/")["Location"].startswith("/accounts/login/")


def test_no_api_token_for_a_password_someone_else_chose(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _provisioned(monkeypatch)
    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "dina", "password": GIVEN}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Сначала задайте собственный пароль в веб-приложении."


def test_accounts_made_otherwise_are_not_held_up(world: World) -> None:
    """Staff made by the services (the demo, imports, tests) and their own password
    changes do not set the flag."""
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    assert not user.must_change_password
    client = logged_in_client(user)
    assert client.get("/").status_code == 200
    _change(client, old=PASSWORD)
    user.refresh_from_db()
    assert not user.must_change_password


# The add form's inlines (roles, competencies), left empty as the browser sends them.
_EMPTY_INLINES = {
    f"{prefix}-{field}": value
    for prefix in ("roles", "competencies")
    for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
}


def test_the_django_admin_hands_over_new_and_reset_passwords(world: World) -> None:
    admin = world.staff(Role.ADMIN, username="admin.first")
    client = logged_in_client(admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "marat",
            "usable_password": "true",
            "password1": GIVEN,
            "password2": GIVEN,
            **_EMPTY_INLINES,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    marat = User.objects.get(username="marat")
    assert marat.must_change_password

    colleague = world.staff(Role.CASE_MANAGER, username="aigerim")
    response = client.post(
        f"/admin/accounts/user/{colleague.pk}/password/",
        {"password1": GIVEN, "password2": GIVEN, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    colleague.refresh_from_db()
    assert colleague.must_change_password and colleague.check_password(GIVEN)

    # The administrator's own new password, set the same way, is their own.
    response = client.post(
        f"/admin/accounts/user/{admin.pk}/password/",
        {"password1": OWN, "password2": OWN, "usable_password": "true"},
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.must_change_password
