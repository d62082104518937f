"""The whole sign-in journey in a real browser, through the real forms."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import PASSWORD, build_world

from .helpers import totp_code

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    """With TIREK_SCREENSHOTS=<dir>, keep a picture of each step for a human look."""
    if os.environ.get("TIREK_SCREENSHOTS"):
        page.screenshot(
            path=str(Path(os.environ["TIREK_SCREENSHOTS"]) / f"{name}.png"), full_page=True
        )


def test_it_signs_in_enrols_two_factor_switches_language_and_signs_out(browser_page) -> None:
    build_world().staff(Role.CASE_MANAGER, username="aigerim")  # no authenticator yet, not demo
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security" in msg.text else None,
    )

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("h1")).to_have_text("Вход")
    page.fill("#id_login", "aigerim")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()

    # Straight to enrolment: a QR code and the key to type in by hand.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("img.qr")).to_be_visible()
    _shot(page, "journey-1-enrol")
    secret = page.input_value("#authenticator_secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.fill("#id_code", totp_code(secret))
    page.locator("main button[type=submit]").click()

    # Recovery codes, then my work.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    assert len(page.locator("ul.recovery-codes code").all_inner_texts()) == 10
    _shot(page, "journey-2-recovery-codes")
    page.get_by_role("link", name="Я сохранил(а) их — продолжить").click()
    expect(page.locator("h1")).to_have_text("Моя работа")

    # The language switch submits itself and sticks.
    page.select_option("#language-select", "kk")
    expect(page.locator("h1")).to_have_text("Менің жұмысым")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    _shot(page, "journey-3-home-kk")
    page.goto("/me/")
    expect(page.locator("h1")).to_have_text("Тіркелгі және қауіпсіздік")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("Кіру")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    assert csp_errors == []
    actions = set(AuditEntry.objects.filter(actor_name="aigerim").values_list("action", flat=True))
    assert {Action.LOGIN, Action.MFA_CHANGE, Action.LOGOUT} <= actions


def test_it_asks_for_the_code_at_the_next_sign_in_and_refuses_a_wrong_one(browser_page) -> None:
    from .helpers import enrol

    user = build_world().staff(Role.SUPERVISOR, username="zhanar")
    enrol(user)
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_login", "zhanar")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator("main.entrance h1")).to_have_text("Двухфакторная аутентификация")
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    page.fill("#id_code", wrong)
    page.locator("main button[type=submit]").first.click()
    expect(page.locator(".errorlist")).to_contain_text("Неверный код")
    _shot(page, "journey-4-wrong-code")
    page.fill("#id_code", totp_code())
    page.locator("main button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("Моя работа")
