from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.testing import build_world

pytestmark = pytest.mark.e2e


def test_it_opens_my_work_in_a_real_browser(browser_page, login_in_browser) -> None:
    user = build_world().staff(Role.CASE_MANAGER)
    login_in_browser(browser_page, user)
    browser_page.goto("/")
    assert browser_page.locator("h1").first.inner_text() != ""
    assert browser_page.locator("a.brand").inner_text() == "Tirek"
