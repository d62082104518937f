"""Sessions: idle timeout, cookie flags, no caching of personal pages, password change."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, World, logged_in_client

from .helpers import enrol, password_step, totp_code


def _at(moment):
    """Pretend the clock shows ``moment`` (sessions compare expiry with timezone.now)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_it_is_configured_for_a_fifteen_minute_idle_timeout() -> None:
    assert settings.SESSION_COOKIE_AGE == 15 * 60


def test_it_moves_the_expiry_forward_at_most_once_a_minute(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    start = timezone.now()

    def expiry_after_a_request_at(moment):
        with _at(moment):
            assert client.get("/").status_code == 200
        return Session.objects.get(session_key=client.session.session_key).expire_date

    moved = expiry_after_a_request_at(start)
    assert moved == start + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # Half a minute later the session is not written again; a minute later it is.
    assert expiry_after_a_request_at(start + timedelta(seconds=30)) == moved
    later = start + timedelta(seconds=61)
    assert expiry_after_a_request_at(later) == later + timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    )


def test_it_ends_a_session_at_most_fifteen_minutes_after_its_last_request(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    start = timezone.now()
    for seconds in (0, 30, 59):  # the last two leave the expiry where the first put it
        with _at(start + timedelta(seconds=seconds)):
            assert client.get("/").status_code == 200
    with _at(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        response = client.get("/")
    assert response.status_code == 302


def test_it_ends_a_session_left_idle_for_longer_than_the_timeout(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    start = timezone.now()
    with _at(start):
        assert client.get("/").status_code == 200
    with _at(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_keeps_a_session_alive_while_it_is_used(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    start = timezone.now()
    # Four requests 10 minutes apart: 40 minutes in total, never 15 idle.
    for step in range(4):
        with _at(start + timedelta(minutes=10 * step)):
            assert client.get("/").status_code == 200


def test_it_sets_safe_session_cookie_flags(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    enrol(user)
    client = Client()
    password_step(client, "aigerim", PASSWORD)
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] is True  # on unless TIREK_DEBUG / TIREK_DEMO / TIREK_SECURE_COOKIES=0
    assert not cookie["max-age"]  # ends with the browser, and after 15 idle minutes anyway


def test_it_marks_signed_in_pages_not_cacheable(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    for path in ("/", "/me/"):
        assert "no-store" in client.get(path)["Cache-Control"]


def test_it_changes_the_password_and_keeps_the_user_signed_in(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    client = logged_in_client(user)
    new = "a-much-better-passphrase-2026"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(
        action=Action.UPDATE, actor=user, detail={"password": "changed"}
    ).exists()


def test_it_refuses_a_weak_new_password(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    client = logged_in_client(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_it_refuses_a_password_change_without_the_old_password(world: World) -> None:
    user = world.staff(Role.CASE_MANAGER, username="aigerim")
    client = logged_in_client(user)
    new = "a-much-better-passphrase-2026"
    response = client.post(
        "/accounts/password/change/", {"oldpassword": "guess", "password1": new, "password2": new}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


ARGON2 = [
    "tirek.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


def test_it_hashes_passwords_with_argon2id_at_a_bounded_memory_cost(world: World) -> None:
    from django.contrib.auth.hashers import identify_hasher, make_password

    with override_settings(PASSWORD_HASHERS=ARGON2):
        encoded = make_password("correct horse battery staple")
        assert encoded.startswith("argon2$argon2id$")
        details = identify_hasher(encoded).decode(encoded)
        assert (details["memory_cost"], details["time_cost"], details["parallelism"]) == (
            19456,
            2,
            1,
        )


def test_it_rehashes_an_older_argon2_hash_at_sign_in(world: World) -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = world.staff(Role.CASE_MANAGER, username="old-hash")
    enrol(user)
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save()
    assert "m=102400" in user.password
    with override_settings(PASSWORD_HASHERS=ARGON2):
        password_step(Client(), "old-hash", PASSWORD)
    user.refresh_from_db()
    assert "m=19456" in user.password
