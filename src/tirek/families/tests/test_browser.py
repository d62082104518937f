"""In a real browser (issue 16): a case manager registers a mother and two children in
one form; a community worker signs in, finds the family-plan task on "my work", opens the
family page, and gets a 404 on the child's plan section."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.families import services
from tirek.families.models import Family, FamilyMember
from tirek.testing import build_world

from .helpers import CHILD1, CHILD2, MOTHER, register_family

pytestmark = pytest.mark.e2e


def _fill(page: Any, index: int, role: str, person: dict[str, Any]) -> None:
    page.locator(f"#id_m-{index}-role").select_option(role)
    page.locator(f"#id_m-{index}-family_name").fill(person["family_name"])
    page.locator(f"#id_m-{index}-given_name").fill(person["given_name"])
    page.locator(f"#id_m-{index}-birth_date").fill(person["birth_date"].isoformat())


def test_a_mother_and_two_children_are_registered_in_one_form(
    browser_page: Any, login_in_browser: Any, assert_accessible: Any
) -> None:
    manager = build_world().staff(Role.CASE_MANAGER)
    page = browser_page
    login_in_browser(page, manager)
    page.goto("/families/register/")
    assert_accessible(page)
    page.locator("#id_label").fill("Семья, вернувшаяся в 2025 году")
    _fill(page, 0, "mother", MOTHER)
    _fill(page, 1, "child", CHILD1)
    _fill(page, 2, "child", CHILD2)
    page.get_by_test_id("save").click()
    page.wait_for_url("**/families/*/")
    family = Family.objects.get()
    assert page.get_by_test_id("family-label").inner_text() == family.label
    assert page.get_by_test_id("member").count() == 3
    members = FamilyMember.objects.filter(family=family)
    numbers = [Case.objects.get(person=m.person).number for m in members]
    text = page.get_by_test_id("members").inner_text()
    assert all(n in text for n in numbers)


def test_the_community_worker_sees_the_task_and_the_family_and_nothing_else(
    browser_page: Any, login_in_browser: Any
) -> None:
    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    worker = world.staff(Role.COMMUNITY_WORKER, agency=world.ministry, unit=None)
    family = register_family(manager)
    services.community_worker_add(by=manager, family=family, user=worker)
    goal = services.goal_add(by=manager, family=family, area="contact", title="Встречи с матерью")
    services.task_add(
        by=manager, goal=goal, title="Визит на дом", owner=worker,
        due_date=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    child = Case.objects.get(person__given_name=CHILD1["given_name"])
    page = browser_page
    login_in_browser(page, worker)
    page.goto("/")
    task = page.get_by_test_id("family-task")
    assert task.count() == 1 and "Визит на дом" in task.inner_text()
    task.get_by_role("link").click()
    page.wait_for_url(f"**/families/{family.pk}/")
    assert page.get_by_test_id("member").count() == 3
    assert "Визит на дом" in page.get_by_test_id("family-plan").inner_text()
    assert page.get_by_test_id("family-goal").count() == 0
    for tab in ("plan", "interviews"):
        response = page.goto(f"/cases/{child.pk}/sections/{tab}/")
        assert response is not None and response.status == 404, tab
    response = page.goto(f"/cases/{child.pk}/sections/family/")
    assert response is not None and response.status == 200


def test_the_case_manager_changes_the_family_after_registration(
    browser_page: Any, login_in_browser: Any, assert_accessible: Any
) -> None:
    manager = build_world().staff(Role.CASE_MANAGER)
    family = register_family(manager)
    page = browser_page
    login_in_browser(page, manager)
    page.goto(f"/families/{family.pk}/")
    page.get_by_test_id("family-edit").click()
    page.wait_for_url(f"**/families/{family.pk}/edit/")
    assert_accessible(page)
    page.locator("#id_shared_goals").fill("Жить вместе; дети ходят в школу")
    page.locator("#id_household_label").fill("Дом бабушки")
    page.get_by_test_id("family-edit-form").locator("button[type=submit]").click()
    page.wait_for_url(f"**/families/{family.pk}/edit/")
    page.goto(f"/families/{family.pk}/")
    assert page.get_by_test_id("shared-goals").inner_text() == "Жить вместе; дети ходят в школу"
    assert "Дом бабушки" in page.get_by_test_id("household").inner_text()
