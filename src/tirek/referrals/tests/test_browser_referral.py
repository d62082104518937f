"""A school liaison receives a referral for a protected-identity child, in a real browser."""

from __future__ import annotations

import pytest

from tirek.access.policy import Section
from tirek.cases.services import case_update, note_create
from tirek.testing import build_world, today

from .conftest import build_scene

pytestmark = pytest.mark.e2e


def test_it_opens_only_education_to_the_school_after_accepting(
    browser_page, login_in_browser
) -> None:
    scene = build_scene(build_world())
    case_update(
        by=scene.cm,
        case=scene.case,
        version=scene.case.version,
        changes={"return_history": "Вернулась из лагеря в Сирии в 2019 году"},
    )
    note_create(
        by=scene.cm,
        case=scene.case,
        kind="school_visit",
        section=Section.EDUCATION,
        occurred_on=today(),
        narrative="Нужна помощь с чтением на русском языке",
    )
    scene.case.refresh_from_db()
    scene.consent()
    scene.send(reason="Просим закрепить ответственное лицо и тьютора по чтению")
    page = browser_page
    login_in_browser(page, scene.liaison)

    # Before accepting: the referral is in "my work", the case is not.
    page.goto("/")
    incoming = page.get_by_test_id("incoming-referrals")
    assert scene.case.number in incoming.inner_text()
    incoming.get_by_role("link").first.click()
    assert "тьютора по чтению" in page.get_by_test_id("referral-reason").inner_text()
    assert "Образование" in page.get_by_test_id("shared-sections").inner_text()
    assert page.get_by_test_id("open-case").count() == 0
    assert "Касымова" not in page.content()
    response = page.goto(f"/cases/{scene.case.pk}/")
    assert response is not None and response.status == 404
    page.go_back()

    # Accepting opens the case with the shared section only.
    page.get_by_test_id("accept").click()
    page.get_by_test_id("open-case").click()
    page.wait_for_url(f"**/cases/{scene.case.pk}/")
    body = page.locator("main").inner_text()
    page.locator('.case-tabs a[data-tab="notes"]').click()
    page.get_by_test_id("notes").wait_for()
    assert "Нужна помощь с чтением на русском языке" in page.get_by_test_id("notes").inner_text()
    assert "Вернулась из лагеря" not in body
    assert page.get_by_test_id("return-history").count() == 0
