"""A case manager's day in a real browser: find the case, read it, write a note."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.cases.models import ContactNote
from tirek.testing import build_world

from .factories import open_case, person

pytestmark = pytest.mark.e2e


def test_it_finds_a_case_and_files_a_note_in_a_real_browser(
    browser_page, login_in_browser, assert_accessible, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager, person=person(given_name="Сафия", family_name="Бекенова"))
    login_in_browser(browser_page, manager)
    page = browser_page
    page.goto("/cases/")
    assert_accessible(page)
    row = page.locator('[data-testid="case-list"] tbody tr').first
    assert case.number in row.inner_text()
    assert "Бекенова" not in row.inner_text()  # the list is discreet
    page.get_by_role("link", name=case.number).click()
    assert case.person.full_name in page.get_by_test_id("case-summary").inner_text()
    assert_accessible(page)  # the case page
    page.get_by_role("link", name="Добавить запись").click()
    assert_accessible(page)
    page.get_by_label("Вид контакта").select_option("home_visit")
    page.get_by_label("Текст записи").fill(
        "Посещение на дому: семья устроена, нужна зимняя одежда."
    )
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(f"**/cases/{case.pk}/sections/notes/#note-*")
    assert "нужна зимняя одежда" in page.locator('[data-testid="notes"]').inner_text()
    page.locator('.case-tabs a[data-tab="timeline"]').click()
    assert "Посещение на дому" in page.locator('[data-testid="timeline"]').inner_text()
    assert ContactNote.objects.filter(case=case, section="social").exists()
