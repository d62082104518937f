"""An account provisioned from the command line, in a real browser: its owner first picks
a password of their own, then enrols two-factor authentication."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tirek.accounts.models import User
from tirek.testing import build_world

pytestmark = pytest.mark.e2e

GIVEN = "a-long-and-unusual-passphrase-7"  # noqa: S105
OWN = "my-very-own-passphrase-2026"  # noqa: S105


@pytest.mark.parametrize("width", [360, 1366])
def test_the_first_sign_in_asks_for_a_password_of_ones_own(
    browser_page, assert_accessible, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    world = build_world()
    monkeypatch.setenv("TIREK_NEW_PASSWORD", GIVEN)
    call_command("users", "create", "dina", "--role", "case-manager",
                 "--agency", world.centre.name, stdout=StringIO())  # fmt: skip
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})

    page.goto("/")
    page.fill("#id_login", "dina")
    page.fill("#id_password", GIVEN)
    page.locator("main button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/accounts/password/change/$"))
    expect(page.get_by_text("известен тому, кто создал вашу учётную запись")).to_be_visible()
    assert_accessible(page)
    page.goto("/cases/")  # nothing else opens meanwhile
    expect(page).to_have_url(re.compile(r"/accounts/password/change/$"))

    page.fill("#id_oldpassword", GIVEN)
    page.fill("#id_password1", OWN)
    page.fill("#id_password2", OWN)
    page.locator("main button[type=submit]").click()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    dina = User.objects.get(username="dina")
    assert not dina.must_change_password and dina.check_password(OWN)
