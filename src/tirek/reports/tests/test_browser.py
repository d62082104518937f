"""End to end in headless Chromium: the M&E analyst's national dashboard and the donor PDF."""

from __future__ import annotations

import io
import re

import pytest

from tirek.accounts.roles import Role
from tirek.testing import build_world

from .checks import assert_page_has_no_small_count
from .factories import fixture_b

pytestmark = pytest.mark.e2e


def test_it_shows_the_ministry_dashboard_and_downloads_the_donor_report(
    browser_page, login_in_browser, settings, tmp_path
) -> None:
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    fixture_b(world)
    analyst = world.staff(Role.ME_ANALYST, username="demo-me-analyst")
    login_in_browser(browser_page, analyst)
    page = browser_page

    page.goto("/")
    page.get_by_role("link", name="Показатели").first.click()
    page.wait_for_url(re.compile(r"/reports/country/"))
    assert page.locator("h1").inner_text() == "Показатели: вся страна"

    page.select_option("select[name=year]", "2024")
    page.select_option("select[name=by]", "age_band")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"year=2024"))
    registered = page.locator("[data-indicator=registered]")
    assert registered.locator("svg.chart[role=img]").count() == 1
    assert "15–17 лет" in registered.locator("table").first.inner_text()
    assert_page_has_no_small_count(page.content())

    page.get_by_role("link", name="Выгрузки и отчёт для доноров").click()
    page.select_option("select[name=kind]", "pdf")
    page.select_option("select[name=year]", "2024")
    page.get_by_role("button", name="Подготовить").click()
    link = page.get_by_test_id("export-download")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    content = open(info.value.path(), "rb").read()  # noqa: SIM115
    assert content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Отчёт для доноров" in text
