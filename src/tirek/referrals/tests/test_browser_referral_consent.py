"""Referral without consent → record consent → referral sent, in a real browser (#15)."""

from __future__ import annotations

from datetime import date

import pytest

from tirek.cases.tests.factories import open_case, person
from tirek.referrals.models import Referral
from tirek.testing import build_world

from .conftest import build_scene

pytestmark = pytest.mark.e2e


def test_a_missing_consent_is_recorded_from_the_referral_form_and_the_referral_sent(
    browser_page, login_in_browser, assert_accessible
) -> None:
    scene = build_scene(build_world())
    # Sixteen: the young person's own consent is the default (no guardian, no assent).
    case = open_case(scene.cm, person=person(birth_date=date(2010, 5, 1)), protected_identity=True)
    page = browser_page
    login_in_browser(page, scene.cm)

    page.goto(f"/referrals/case/{case.pk}/to/{scene.service.pk}/")
    assert page.get_by_test_id("consent-missing").is_visible()
    assert scene.world.school.name not in page.get_by_test_id("consent-covers").inner_text()
    assert_accessible(page)

    # Sending anyway is refused once, clearly, and nothing is sent.
    page.locator("textarea[name=reason]").fill("Поддержка в учёбе")
    page.locator("form.stack button[type=submit]").click()
    assert page.get_by_test_id("consent-missing").count() == 1
    assert page.get_by_test_id("consent-missing").get_attribute("role") == "alert"
    assert page.locator(".errorlist.nonfield").count() == 0
    assert not Referral.objects.filter(case=case).exists()

    # The form links to recording the consent, which comes back here.
    page.get_by_test_id("record-consent").click()
    page.wait_for_url("**/consents/person/**")
    page.locator("input[name=purposes][value=referral]").check()
    page.locator("input[name=given_by][value=child]").check()
    page.locator(f"input[name=recipients][value='{scene.world.school.pk}']").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/referrals/case/{case.pk}/to/{scene.service.pk}/")
    assert page.get_by_test_id("consent-missing").count() == 0
    assert scene.world.school.name in page.get_by_test_id("consent-covers").inner_text()
    assert_accessible(page)

    page.locator("textarea[name=reason]").fill("Поддержка в учёбе")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/referrals/*/")
    assert Referral.objects.filter(case=case, provider=scene.provider).count() == 1
