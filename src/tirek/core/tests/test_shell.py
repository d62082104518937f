from __future__ import annotations

import pytest
from django.test import Client

from tirek.accounts.roles import Role
from tirek.testing import World, logged_in_client


def test_it_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_serves_the_discreet_login_page_in_russian(db: None) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Вход" in body  # Russian by default, whatever the browser asks for
    for word in ("extrem", "экстрем", "террор", "terror", "Syria", "Сири", "return"):
        assert word.lower() not in body.lower()


def test_it_shows_my_work_to_a_signed_in_user(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    response = client.get("/")
    assert response.status_code == 200
    assert "Моя работа" in response.content.decode()


@pytest.mark.parametrize("language", ["kk", "uz", "tg", "en", "ru"])
def test_it_switches_language_and_remembers_it(world: World, language: str) -> None:
    user = world.staff(Role.CASE_MANAGER)
    client = logged_in_client(user)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    assert client.get("/")["Content-Language"] == language
    user.refresh_from_db()
    assert user.preferred_language == language


def test_it_sets_a_strict_content_security_policy(db: None) -> None:
    response = Client().get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
