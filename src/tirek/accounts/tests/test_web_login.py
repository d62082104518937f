"""Signing in through the real allauth forms: password, second factor, lockout, rate limit."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, World

from .helpers import enrol, password_step, totp_code


def _failures(username: str) -> int:
    return AuditEntry.objects.filter(action=Action.LOGIN_FAILED, actor_name=username).count()


def test_it_signs_in_with_password_and_code_and_audits_it(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    client = Client()
    response = password_step(client, "aigerim", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Between the steps the user is not signed in yet.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Моя работа" in home.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor=user).count() == 1


def test_it_refuses_a_wrong_password_and_audits_the_failure(world: World) -> None:
    world.staff(Role.CASE_MANAGER, username="aigerim")
    client = Client()
    response = password_step(client, "aigerim", "not-the-password")
    assert response.status_code == 200
    assert "notice error" in response.content.decode()
    assert client.get("/").status_code == 302
    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.actor_name == "aigerim"
    assert entry.detail == {"step": "password"}


def test_it_audits_a_failed_login_for_an_unknown_name_as_typed(db: None) -> None:
    password_step(Client(), "nobody-here", "guess")
    assert _failures("nobody-here") == 1


def test_it_refuses_a_wrong_two_factor_code(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert client.get("/").status_code == 302  # still not signed in
    failure = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert failure.detail == {"step": "two-factor"}
    assert not AuditEntry.objects.filter(action=Action.LOGIN).exists()


def test_it_accepts_a_recovery_code_once(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    codes = enrol(user)
    first = Client()
    password_step(first, "aigerim", PASSWORD)
    assert first.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert first.get("/").status_code == 200
    second = Client()
    password_step(second, "aigerim", PASSWORD)
    assert second.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200
    assert second.get("/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_the_account_after_repeated_wrong_passwords(world: World) -> None:
    world.staff(Role.CASE_MANAGER, username="aigerim")
    client = Client()
    for _attempt in range(2):
        assert password_step(client, "aigerim", "wrong-password").status_code == 200
    locked = password_step(client, "aigerim", "wrong-password")
    assert locked.status_code == 429
    assert "Слишком много" in locked.content.decode()
    # While locked, even the right password is refused, from any browser.
    again = password_step(Client(), "aigerim", PASSWORD)
    assert again.status_code == 429
    assert Client().get("/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT, actor_name="aigerim").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_only_the_account_not_colleagues_on_the_same_network(world: World) -> None:
    world.staff(Role.CASE_MANAGER, username="aigerim")
    colleague = world.staff(Role.CASE_MANAGER, username="marat")
    enrol(colleague)
    for _attempt in range(3):
        password_step(Client(), "aigerim", "wrong-password")
    response = password_step(Client(), "marat", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_counts_wrong_two_factor_codes_towards_the_lockout(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    for _attempt in range(3):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    # Knowing the password does not buy more guesses: the right code is refused now.
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 200  # the form again, refusing the code
    assert client.get("/").status_code == 302
    assert password_step(Client(), "aigerim", PASSWORD).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_clears_failures_after_a_successful_sign_in(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    for _attempt in range(2):
        password_step(Client(), "aigerim", "wrong-password")
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert client.get("/").status_code == 200
    for _attempt in range(2):
        assert password_step(Client(), "aigerim", "wrong-password").status_code == 200


@override_settings(LOGIN_RATE_PER_MINUTE=5)
def test_it_rate_limits_sign_in_attempts_per_address(world: World) -> None:
    for number in range(5):
        response = password_step(Client(), f"someone-{number}", "guess")
        assert response.status_code == 200
    response = password_step(Client(), "someone-else", "guess")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert other.post("/accounts/login/", {"login": "x", "password": "y"}).status_code == 200


def test_it_signs_out_and_audits_it(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor=user).count() == 1


def test_it_does_not_sign_out_on_a_get(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert client.get("/accounts/logout/").status_code == 200  # a confirmation page
    assert client.get("/").status_code == 200


def test_it_refuses_a_disabled_account(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    user.is_active = False
    user.save()
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "path", ["/accounts/signup/", "/accounts/password/reset/", "/accounts/email/"]
)
def test_it_offers_no_self_service_sign_up_or_mail_reset(db: None, path: str) -> None:
    assert Client().get(path).status_code == 404
