"""The dashboards at every width from a phone (360 px) to a wide monitor (1920 px): the
national dashboard and one region's, with their tiles, charts and tables, never scroll
sideways, nothing overlaps or sticks out of its card, and axe-core finds nothing (at the
phone and the laptop width, as for the everyday screens)."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.cases.tests.test_browser_screens import AXE_WIDTHS, LAYOUT_CHECK, WIDTHS
from tirek.testing import build_world

from .factories import fixture_b

pytestmark = pytest.mark.e2e


def test_the_dashboards_hold_from_360_to_1920_px(  # type: ignore[no-untyped-def]
    browser_page, login_in_browser, assert_accessible
) -> None:
    world = build_world()
    fixture_b(world)
    analyst = world.staff(Role.ME_ANALYST)
    page = browser_page
    login_in_browser(page, analyst)

    page.goto("/reports/country/?year=2024")
    options = page.locator("select[name=region] option")
    regions = [options.nth(i).get_attribute("value") for i in range(options.count())]
    region = next(code for code in regions[1:] if code)  # the first region under the country
    pages = {
        "country dashboard": "/reports/country/?year=2024",
        "region dashboard": f"/reports/country/?year=2024&region={region}",
    }
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for label, url in pages.items():
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert page.locator("[data-indicator=registered] table").count() >= 1, url
            found = page.evaluate(LAYOUT_CHECK)
            problems.extend(f"{label} at {width}px: {p}" for p in found)
            if width in AXE_WIDTHS:
                assert_accessible(page)
    assert problems == [], "\n".join(problems)
