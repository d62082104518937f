"""POST /api/v1/auth/token and bearer tokens (DESIGN.md section 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from tirek.accounts.models import ApiToken
from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, World, logged_in_client

from .helpers import enrol, totp_code

TOKEN_URL = "/api/v1/auth/token"


def _ask(username: str, password: str, otp: str | None = None, client: Client | None = None):
    body: dict[str, str] = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return (client or Client()).post(TOKEN_URL, body, content_type="application/json")


def _problem(response) -> dict:
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == response.status_code
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


@pytest.fixture
def aigerim(world: World):
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    return user


def test_it_issues_an_expiring_token_for_password_and_code(aigerim) -> None:
    response = _ask("aigerim", PASSWORD, totp_code())
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("tirek_")
    lifetime = timezone.datetime.fromisoformat(body["expires_at"]) - timezone.now()
    assert timedelta(hours=7) < lifetime <= timedelta(hours=8)
    me = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "aigerim"
    assert me.json()["roles"] == [Role.CASE_MANAGER]
    assert AuditEntry.objects.filter(action=Action.TOKEN_ISSUED, actor=aigerim).count() == 1


def test_it_stores_only_a_hash_of_the_token(aigerim) -> None:
    key = _ask("aigerim", PASSWORD, totp_code()).json()["token"]
    stored = ApiToken.objects.get(user=aigerim)
    assert stored.key_hash == ApiToken.hash_key(key)
    assert key not in stored.key_hash
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_it_refuses_a_wrong_password(aigerim) -> None:
    response = _ask("aigerim", "wrong-password", totp_code())
    assert response.status_code == 401
    _problem(response)
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, actor=aigerim).count() == 1


def test_it_refuses_an_unknown_user_the_same_way(db: None) -> None:
    response = _ask("nobody", "whatever")
    assert response.status_code == 401
    assert _problem(response)["detail"] == _problem(_ask("nobody-else", "x"))["detail"]


@pytest.mark.parametrize("otp", [None, "", "000000", "12345678901"])
def test_it_refuses_a_missing_or_wrong_code(aigerim, otp: str | None) -> None:
    if otp == "000000" and totp_code() == "000000":
        otp = "111111"
    response = _ask("aigerim", PASSWORD, otp)
    assert response.status_code == 401
    _problem(response)
    assert not ApiToken.objects.exists()


def test_it_audits_a_wrong_code_as_a_failed_second_step(aigerim) -> None:
    _ask("aigerim", PASSWORD, "000001" if totp_code() != "000001" else "000002")
    failure = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert failure.detail == {"step": "two-factor"}


def test_it_accepts_a_recovery_code_once(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="marat")
    codes = enrol(user)
    assert _ask("marat", PASSWORD, codes[3]).status_code == 200
    assert _ask("marat", PASSWORD, codes[3]).status_code == 401


def test_it_accepts_a_code_only_once(aigerim) -> None:
    code = totp_code()
    assert _ask("aigerim", PASSWORD, code).status_code == 200
    assert _ask("aigerim", PASSWORD, code).status_code == 401


def test_it_asks_an_account_without_two_factor_to_enrol_first(world: World) -> None:
    world.staff(Role.CASE_MANAGER, username="new-person")
    response = _ask("new-person", PASSWORD)
    assert response.status_code == 403
    assert (
        "two-factor" in _problem(response)["detail"].lower()
        or "двухфактор" in response.json()["detail"]
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_the_account_after_repeated_failures(aigerim) -> None:
    for _attempt in range(2):
        assert _ask("aigerim", "wrong-password").status_code == 401
    third = _ask("aigerim", "wrong-password")
    assert third.status_code == 429
    _problem(third)
    # While locked the right password and code are refused too.
    locked = _ask("aigerim", PASSWORD, totp_code())
    assert locked.status_code == 429
    assert _problem(locked)["status"] == 429
    assert not ApiToken.objects.exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_counts_wrong_codes_towards_the_lockout(aigerim) -> None:
    wrong = "999999" if totp_code() != "999999" else "999998"
    for _attempt in range(3):
        _ask("aigerim", PASSWORD, wrong)
    assert _ask("aigerim", PASSWORD, totp_code()).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_shares_one_lockout_between_web_and_api(aigerim) -> None:
    for _attempt in range(3):
        Client().post("/accounts/login/", {"login": "aigerim", "password": "wrong"})
    assert _ask("aigerim", PASSWORD, totp_code()).status_code == 429


@override_settings(LOGIN_RATE_PER_MINUTE=4)
def test_it_rate_limits_token_requests_per_address(db: None) -> None:
    for number in range(4):
        assert _ask(f"user-{number}", "guess").status_code == 401
    response = _ask("user-x", "guess")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    _problem(response)


def test_it_revokes_the_token_in_use(aigerim) -> None:
    key = _ask("aigerim", PASSWORD, totp_code()).json()["token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.delete(TOKEN_URL).status_code == 204
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    _problem(response)
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action=Action.TOKEN_REVOKED, actor=aigerim).count() == 1


def test_it_refuses_an_expired_token(aigerim) -> None:
    key = _ask("aigerim", PASSWORD, totp_code()).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Bearer tirek_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer \x00"],
)
def test_it_refuses_missing_or_forged_tokens(db: None, header: str) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    _problem(response)


def test_it_stops_the_tokens_of_a_disabled_account(aigerim) -> None:
    from tirek.accounts.services import user_disable

    key = _ask("aigerim", PASSWORD, totp_code()).json()["token"]
    user_disable(user=aigerim)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 401


def test_it_lists_and_revokes_tokens_on_the_security_page(aigerim) -> None:
    key = _ask("aigerim", PASSWORD, totp_code()).json()["token"]
    token = ApiToken.objects.get()
    browser = logged_in_client(aigerim)
    page = browser.get("/me/")
    assert page.status_code == 200
    assert f"/me/tokens/{token.pk}/revoke/" in page.content.decode()
    response = browser.post(f"/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 401
    assert f"/me/tokens/{token.pk}/revoke/" not in browser.get("/me/").content.decode()


def test_it_does_not_let_one_user_revoke_anothers_token(aigerim, world: World) -> None:
    key = _ask("aigerim", PASSWORD, totp_code()).json()["token"]
    token = ApiToken.objects.get()
    other = logged_in_client(world.staff(Role.CASE_MANAGER))
    assert other.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/auth/me").status_code == 200
