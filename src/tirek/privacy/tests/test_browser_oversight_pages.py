"""The two oversight pages in Chromium, on a phone (360 px) and a laptop (1366 px): the
supervisor's emergency-access extensions with one running, and the data protection
officer's audit log with entries in it (a page and more), also filtered by case. Nothing overlaps or scrolls sideways; axe-core
finds nothing."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.tests.factories import open_case
from tirek.cases.tests.test_browser_screens import LAYOUT_CHECK
from tirek.testing import build_world, logged_in_client

pytestmark = pytest.mark.e2e

REASON = "Ребёнок может поступить в больницу Алматы на выходных; дежурный психолог."


def test_the_extensions_page_and_the_audit_log_hold_on_a_phone_and_a_laptop(  # type: ignore[no-untyped-def]
    browser_page, login_in_browser, assert_accessible
) -> None:
    world = build_world()
    for n in range(60):  # older entries than a page holds: the pager shows
        record(actor="bulk", action=Action.READ, object_type="cases.case", object_id=n)
    supervisor = world.staff(Role.SUPERVISOR)
    manager = world.staff(Role.CASE_MANAGER)
    case = open_case(manager)
    world.staff(Role.PSYCHOLOGIST, agency=world.centre_almaty, username="almaty-psy")
    granted = logged_in_client(supervisor).post(
        "/privacy/emergency/extensions/", {"username": "almaty-psy", "hours": 4, "reason": REASON}
    )
    assert granted.status_code == 302
    assert logged_in_client(manager).get(f"/cases/{case.pk}/").status_code == 200  # audited
    dpo = world.staff(Role.DPO)

    page = browser_page
    problems: list[str] = []
    for user, url, marker in (
        (supervisor, "/privacy/emergency/extensions/", "almaty-psy"),
        (dpo, "/audit/", case.number),
        (dpo, f"/audit/?case={case.number}", case.number),
    ):
        page.context.clear_cookies()
        login_in_browser(page, user)
        for width in (360, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert marker in page.content(), (url, marker)
            if url == "/audit/":  # the extension's entry names its unit, a long name
                assert "Centre Karaganda — Team K" in page.content()
                assert page.locator("nav.pager a[href$='page=2']").is_visible()
            problems.extend(f"{url} at {width}px: {p}" for p in page.evaluate(LAYOUT_CHECK))
            assert_accessible(page)
    assert problems == [], "\n".join(problems)
