"""The shell speaks Russian by default and Kazakh, Uzbek, Tajik and English on request."""

from __future__ import annotations

import pytest
from django.test import Client

from tirek.accounts.roles import Role
from tirek.testing import World, logged_in_client

# language: (sign-in heading, "My work", "Sign out", "Account and security")
SHELL = {
    "ru": ("Вход", "Моя работа", "Выйти", "Учётная запись и безопасность"),
    "kk": ("Кіру", "Менің жұмысым", "Шығу", "Тіркелгі және қауіпсіздік"),
    "uz": ("Kirish", "Mening ishim", "Chiqish", "Hisob va xavfsizlik"),
    "tg": ("Воридшавӣ", "Кори ман", "Баромадан", "Ҳисоб ва амният"),
    "en": ("Sign in", "My work", "Sign out", "Account and security"),
}


def _in(language: str) -> Client:
    client = Client()
    client.cookies["tirek_language"] = language
    return client


@pytest.mark.parametrize("language", SHELL)
def test_it_shows_the_login_page_in_each_language(db: None, language: str) -> None:
    html = _in(language).get("/accounts/login/").content.decode()
    assert f"<h1>{SHELL[language][0]}</h1>" in html
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("language", SHELL)
def test_it_shows_the_shell_in_each_language(world: World, language: str) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    client.cookies["tirek_language"] = language
    home = client.get("/").content.decode()
    _heading, my_work, sign_out, security = SHELL[language]
    assert f"<h1>{my_work}</h1>" in home
    assert sign_out in home
    assert f"<h1>{security}</h1>" in client.get("/me/").content.decode()


@pytest.mark.parametrize("language", ["kk", "uz", "tg"])
def test_it_translates_the_demo_banner(db: None, language: str, settings) -> None:
    settings.DEMO_MODE = True
    html = _in(language).get("/accounts/login/").content.decode()
    banner = html[
        html.index('class="demo-banner"') : html.index("</div>", html.index('class="demo-banner"'))
    ]
    assert "Demo mode" not in banner
    assert "Демонстрационный" not in banner


def test_it_names_each_language_in_that_language(db: None) -> None:
    html = Client().get("/accounts/login/").content.decode()
    for name in ("Русский", "Қазақ", "oʻzbek tili", "тоҷикӣ", "English"):
        assert name in html


def test_it_shows_allauth_pages_in_russian(world: World) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    html = client.get("/accounts/password/change/").content.decode()
    assert "Текущий пароль" in html and "Новый пароль" in html
    assert "Forgot" not in html and "email" not in html.lower()
