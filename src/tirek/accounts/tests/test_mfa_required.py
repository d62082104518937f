"""Every account must use two-factor authentication; demo accounts only skip it in demo mode."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, override_settings

from tirek.accounts import services
from tirek.accounts.roles import Role
from tirek.testing import PASSWORD, World

from .helpers import password_step, totp_code


def _signed_in_without_mfa(world: World, *, is_demo: bool = False) -> Client:
    user = services.user_create(
        username="newcomer",
        password=PASSWORD,
        roles=[Role.CASE_MANAGER],
        agency=world.centre,
        unit=world.unit,
        is_demo=is_demo,
        check_password=False,
    )
    assert not Authenticator.objects.filter(user=user).exists()
    client = Client()
    assert password_step(client, "newcomer", PASSWORD).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/", "/me/", "/audit/"])
def test_it_sends_an_account_without_two_factor_to_enrolment(world: World, path: str) -> None:
    client = _signed_in_without_mfa(world)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_it_enrols_with_a_qr_code_and_shows_recovery_codes(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = _signed_in_without_mfa(world)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, served inline
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', html).group(1)  # type: ignore[union-attr]
    assert "Настройка двухфакторной аутентификации" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.findall(r"<li><code>(\d+)</code></li>", codes_page)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    from tirek.audit.models import Action, AuditEntry

    assert AuditEntry.objects.filter(action=Action.MFA_CHANGE, actor_name="newcomer").exists()


def test_it_refuses_enrolment_with_a_wrong_code(world: World) -> None:
    client = _signed_in_without_mfa(world)
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', html).group(1)  # type: ignore[union-attr]
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/totp/activate/", {"code": wrong})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists()
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_it_does_not_let_a_user_switch_two_factor_off(world: World) -> None:
    client = _signed_in_without_mfa(world)
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', html).group(1)  # type: ignore[union-attr]
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).exists()


@override_settings(DEMO_MODE=True)
def test_it_lets_demo_accounts_skip_two_factor_in_demo_mode(world: World) -> None:
    client = _signed_in_without_mfa(world, is_demo=True)
    response = client.get("/")
    assert response.status_code == 200
    assert "demo-banner" in response.content.decode()


@override_settings(DEMO_MODE=False)
def test_it_requires_two_factor_of_demo_accounts_outside_demo_mode(world: World) -> None:
    client = _signed_in_without_mfa(world, is_demo=True)
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"


@override_settings(DEMO_MODE=True)
def test_it_requires_two_factor_of_real_accounts_even_in_demo_mode(world: World) -> None:
    client = _signed_in_without_mfa(world, is_demo=False)
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"


@override_settings(DEMO_MODE=True)
def test_it_issues_api_tokens_to_demo_accounts_without_a_code_in_demo_mode(world: World) -> None:
    _signed_in_without_mfa(world, is_demo=True)
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "newcomer", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_it_hides_the_navigation_until_enrolment_is_done(world: World) -> None:
    client = _signed_in_without_mfa(world)
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    assert 'class="mainnav"' not in html
    assert 'data-testid="logout"' in html  # signing out stays possible
