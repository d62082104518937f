"""Issue #17 in a real browser: a whole family's transfer requested from a member's case
in one form, and accepted by the receiving supervisor as one."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseTeamMember
from tirek.cases.tests.test_browser_screens import LAYOUT_CHECK
from tirek.families.tests.helpers import register_family
from tirek.testing import build_world

from .test_family_transfer import consent

pytestmark = pytest.mark.e2e


def _as(page, login, user) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    login(page, user)


def test_a_family_transferred_in_one_step(  # type: ignore[no-untyped-def]
    browser_page, login_in_browser, assert_accessible
) -> None:
    from tirek.transfers.models import Transfer

    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    receiving_cm = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    family = register_family(manager)
    cases = list(Case.objects.filter(person__family_memberships__family=family).order_by("pk"))
    for case in cases:
        consent(manager, case, world.centre_almaty)
    # The family's lawyer at a national agency, whom the receiving supervisor keeps.
    lawyer = world.staff(Role.LAWYER, agency=world.ministry, unit=None)
    CaseTeamMember.objects.create(case=cases[1], user=lawyer, role=Role.LAWYER, added_by=manager)
    page = browser_page

    _as(page, login_in_browser, manager)
    page.goto(f"/transfers/case/{cases[1].pk}/")
    page.locator("a.family-transfer-link").click()
    page.wait_for_url(f"**/transfers/family/{family.pk}/")
    assert page.locator("#family-members li.included").count() == 3
    page.locator("#id_to_unit").select_option(str(world.unit_almaty.pk))
    page.locator("#id_reason").fill("Семья переезжает к родственникам")
    page.locator('input[name="sections"][value="family"]').check()
    page.locator("#family-transfer-form button[type=submit]").click()
    page.wait_for_url("**/transfers/families/*/")
    assert page.locator("#family-transfer-status").get_attribute("data-status") == "requested"
    assert page.locator("#family-transfer-cases li").count() == 3

    _as(page, login_in_browser, receiving_sup)
    # One child's transfer page sends the supervisor to the family's request.
    member = Transfer.objects.filter(case=cases[1]).get()
    for width in (1366, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/transfers/{member.pk}/")
        assert page.locator("#accept-form, #decline-form").count() == 0
        assert page.evaluate(LAYOUT_CHECK) == [], width
        assert_accessible(page)
    page.locator("#answer-with-family a").click()
    page.wait_for_url("**/transfers/families/*/")
    page.goto("/transfers/")
    page.locator("#incoming-family-transfers a").first.click()
    page.wait_for_url("**/transfers/families/*/")
    for width in (1366, 360):  # the answer, with the old teams to keep, on a laptop and a phone
        page.set_viewport_size({"width": width, "height": 800})
        page.reload()
        assert page.evaluate(LAYOUT_CHECK) == [], width
        assert_accessible(page)
    page.locator(f'input[name="accept-keep"][value="{lawyer.pk}"]').check()
    page.locator("#id_accept-case_manager").select_option(str(receiving_cm.pk))
    page.locator("#family-accept-form button[type=submit]").click()
    page.wait_for_url("**/transfers/families/*/")
    assert page.locator("#family-transfer-status").get_attribute("data-status") == "accepted"

    _as(page, login_in_browser, manager)
    for case in cases:
        response = page.goto(f"/cases/{case.pk}/")
        assert response is not None and response.status == 404
    _as(page, login_in_browser, lawyer)  # kept on the one case they were on
    response = page.goto(f"/cases/{cases[1].pk}/")
    assert response is not None and response.status == 200
    _as(page, login_in_browser, receiving_cm)
    for case in cases:
        response = page.goto(f"/cases/{case.pk}/sections/timeline/")
        assert response is not None and response.status == 200
        assert "Семья переезжает к родственникам" in page.content()


def test_a_family_request_withdrawn_in_one_step(  # type: ignore[no-untyped-def]
    browser_page, login_in_browser, assert_accessible
) -> None:
    from tirek.access.policy import Section
    from tirek.transfers import services

    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    family = register_family(manager)
    cases = list(Case.objects.filter(person__family_memberships__family=family).order_by("pk"))
    for case in cases:
        consent(manager, case, world.centre_almaty)
    group = services.family_transfer_request(
        by=manager,
        family=family,
        to_unit=world.unit_almaty,
        reason="Семья переезжает к родственникам",
        sections=[Section.FAMILY],
    )
    page = browser_page
    _as(page, login_in_browser, manager)
    for width in (1366, 360):  # a laptop, then the phone the request is withdrawn from
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/transfers/families/{group.pk}/")
        assert page.evaluate(LAYOUT_CHECK) == [], width
        assert_accessible(page)
    page.locator("#family-withdraw-form button[type=submit]").click()
    page.wait_for_url(f"**/transfers/families/{group.pk}/")
    assert page.locator("#family-transfer-status").get_attribute("data-status") == "withdrawn"
    statuses = page.locator("#family-transfer-cases li span[data-status]")
    assert [statuses.nth(i).get_attribute("data-status") for i in range(3)] == ["withdrawn"] * 3
    assert page.locator("#family-withdraw-form").count() == 0
    assert_accessible(page)
