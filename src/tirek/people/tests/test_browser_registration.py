"""In a real browser: a case manager registers a child whose name is already on file in
another script, sees the match, opens the existing record instead of making a second
one, and opens the case."""

from __future__ import annotations

from datetime import date

import pytest

from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.people import services
from tirek.people.models import Person
from tirek.testing import build_world

pytestmark = pytest.mark.e2e


def test_it_finds_the_child_in_another_script_and_opens_the_case(
    browser_page, login_in_browser
) -> None:
    manager = build_world().staff(Role.CASE_MANAGER)
    # Registered earlier from a list written in Latin letters; no case yet.
    existing = services.person_create(
        by=manager,
        given_name="Muhammad",
        family_name="Karimov",
        sex="male",
        birth_date=date(2014, 2, 14),
    )
    page = browser_page
    login_in_browser(page, manager)
    page.goto("/people/")
    page.get_by_test_id("register").click()
    page.locator("#id_family_name").fill("Каримов")
    page.locator("#id_given_name").fill("Мухаммад")
    page.locator("#id_birth_date").fill("2014-02-14")
    page.locator("#id_birth_date").blur()
    candidate = page.get_by_test_id("candidate").first
    candidate.wait_for()
    assert candidate.get_attribute("data-probable") == "1"
    assert f"№ {existing.pk}" in candidate.inner_text()
    assert "вероятно, тот же человек" in candidate.inner_text()
    # Registering without a choice is refused; the record is not duplicated.
    page.get_by_test_id("save").click()
    assert "Выберите: открыть эту запись" in page.locator(".notice.error").inner_text()
    page.get_by_test_id("same").first.check()
    page.get_by_test_id("save").click()
    page.wait_for_url(f"**/people/{existing.pk}/")
    assert page.get_by_test_id("full-name").inner_text() == "Karimov Muhammad"
    assert Person.objects.count() == 1
    page.get_by_test_id("open-case").click()
    case = Case.objects.get(person=existing)
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert case.number in page.locator("h1").inner_text()
