"""Issue 16 in a real browser: the probation officer sees the mother's status and not her
child's case; the school liaison records a school incident and never sees the mother's
criminal file."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tirek.accounts.roles import Role
from tirek.cases.tests.factories import open_case, person
from tirek.incidents.models import Incident
from tirek.justice import services
from tirek.testing import World, build_world, today

pytestmark = pytest.mark.e2e


def _family(world: World) -> dict:
    manager = world.staff(Role.CASE_MANAGER)
    probation = world.staff(Role.PROBATION_OFFICER, agency=world.police, unit=None)
    liaison = world.staff(Role.SCHOOL_LIAISON)
    mother = open_case(
        manager,
        person=person(birth_date=date(1991, 6, 1)),
        team=[(probation, Role.PROBATION_OFFICER), (liaison, Role.SCHOOL_LIAISON)],
    )
    child = open_case(manager, team=[(liaison, Role.SCHOOL_LIAISON)])
    services.status_record(
        by=probation,
        case=mother,
        status="probation",
        institution="Служба пробации",
        start_date=today() - timedelta(days=90),
        next_review=today() + timedelta(days=14),
    )
    services.condition_add(
        by=probation, case=mother, text="Явка раз в месяц", review_date=today() + timedelta(days=14)
    )
    return {"mother": mother, "child": child, "probation": probation, "liaison": liaison}


def test_the_probation_officer_sees_the_mothers_status_and_not_the_child(
    browser_page: Any, login_in_browser: Any, assert_accessible: Any
) -> None:
    scene = _family(build_world())
    page = browser_page
    login_in_browser(page, scene["probation"])
    page.goto(f"/cases/{scene['mother'].pk}/")
    page.locator('.case-tabs a[data-tab="justice"]').click()
    status = page.get_by_test_id("legal-status")
    assert status.get_attribute("data-status") == "probation"
    page.locator("#justice-link").click()
    page.wait_for_url(f"**/justice/case/{scene['mother'].pk}/")
    assert "Явка раз в месяц" in page.locator("#conditions").inner_text()
    assert_accessible(page)
    response = page.goto(f"/cases/{scene['child'].pk}/")
    assert response is not None and response.status == 404


def test_the_school_liaison_records_an_incident_and_not_the_criminal_file(
    browser_page: Any, login_in_browser: Any, assert_accessible: Any
) -> None:
    scene = _family(build_world())
    page = browser_page
    login_in_browser(page, scene["liaison"])
    child = scene["child"]
    page.goto(f"/incidents/case/{child.pk}/")
    page.locator("#incident-new").click()
    page.wait_for_url(f"**/incidents/case/{child.pk}/new/")
    page.select_option("#id_kind", "bullying")
    page.select_option("#id_place", "school")
    page.fill("#id_occurred_on", (today() - timedelta(days=2)).isoformat())
    page.fill("#id_reported_by", "Классный руководитель")
    page.fill("#id_description", "Обзывали на перемене")
    assert_accessible(page)
    page.locator("#incident-form button[type=submit]").click()
    page.wait_for_selector("[data-testid=incident]")
    assert page.get_by_test_id("incident").get_attribute("data-kind") == "bullying"
    assert Incident.objects.filter(cases=child, recorded_by=scene["liaison"]).exists()
    # The mother's case opens (education) but her criminal file is absent or not found.
    page.goto(f"/cases/{scene['mother'].pk}/")
    assert page.get_by_test_id("legal-status").count() == 0
    assert "Служба пробации" not in page.content()
    response = page.goto(f"/cases/{scene['mother'].pk}/sections/justice/")
    assert response is not None and response.status == 404
    response = page.goto(f"/justice/case/{scene['mother'].pk}/")
    assert response is not None and response.status == 404


def test_the_probation_officer_lifts_a_condition_on_a_legal_basis(
    browser_page: Any, login_in_browser: Any, assert_accessible: Any
) -> None:
    scene = _family(build_world())
    mother = scene["mother"]
    page = browser_page
    login_in_browser(page, scene["probation"])
    page.goto(f"/justice/case/{mother.pk}/")
    page.locator("#update-link").click()
    page.wait_for_url(f"**/justice/case/{mother.pk}/update/")
    assert_accessible(page)
    form = page.locator("#lift-form")
    form.locator("select[name=condition]").select_option(label="Явка раз в месяц")
    form.locator("input[name=on_date]").fill(today().isoformat())
    form.locator("input[name=legal_basis]").fill("Постановление суда № 2-114")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/justice/case/{mother.pk}/")
    assert page.locator('#conditions li[data-lifted="yes"]').count() == 1
    assert "Постановление суда № 2-114" in page.locator("#legal-updates").inner_text()
    page.goto(f"/cases/{mother.pk}/sections/timeline/")
    assert "Постановление суда № 2-114" in page.content()
