"""Issue #17 in a real browser: a transfer to another region requested, declined,
requested again and accepted; a 20-person group imported after a match is resolved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.cases.services import note_create
from tirek.cases.tests.factories import open_case, person
from tirek.people.models import Person, Relationship
from tirek.people.services import refresh_keys
from tirek.testing import build_world, today

from .test_transfers import _consent

pytestmark = pytest.mark.e2e


def _as(page, login, user) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    login(page, user)


def test_a_transfer_declined_then_accepted(browser_page, login_in_browser) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    receiving_sup = world.staff(Role.SUPERVISOR, agency=world.centre_almaty)
    receiving_cm = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    case = open_case(manager)
    note_create(
        by=manager,
        case=case,
        kind="home_visit",
        section=Section.SOCIAL,
        occurred_on=today(),
        narrative="Семья готовится к переезду",
    )
    _consent(manager, case, world.centre_almaty)
    page = browser_page

    def request_transfer(reason: str) -> None:
        _as(page, login_in_browser, manager)
        page.goto(f"/transfers/case/{case.pk}/")
        page.locator("#id_to_unit").select_option(str(world.unit_almaty.pk))
        page.locator("#id_reason").fill(reason)
        page.locator(f'input[name="sections"][value="{Section.FAMILY}"]').check()
        page.locator("#transfer-request-form button[type=submit]").click()
        page.wait_for_url("**/transfers/*/")
        assert page.locator("#transfer-status").get_attribute("data-status") == "requested"

    request_transfer("Семья переезжает в Алматы")
    _as(page, login_in_browser, receiving_sup)
    page.goto("/")
    incoming = page.get_by_test_id("incoming-transfers")
    assert case.number in incoming.inner_text()
    incoming.get_by_role("link").first.click()
    # Before accepting: the social note is not shared.
    response = page.goto(f"/cases/{case.pk}/sections/notes/")
    assert response is not None and response.status == 200
    assert "Семья готовится к переезду" not in page.content()
    page.go_back()
    page.locator("#id_decline-decline_reason").fill("Нет мест до весны")
    page.locator("#decline-form button[type=submit]").click()
    page.wait_for_url("**/transfers/")
    response = page.goto(f"/cases/{case.pk}/")
    assert response is not None and response.status == 404

    request_transfer("Семья переехала в Алматы")
    _as(page, login_in_browser, receiving_sup)
    page.goto("/")
    page.get_by_test_id("incoming-transfers").get_by_role("link").first.click()
    page.locator("#id_accept-case_manager").select_option(str(receiving_cm.pk))
    page.locator("#accept-form button[type=submit]").click()
    page.wait_for_url(f"**/cases/{case.pk}/")

    _as(page, login_in_browser, manager)
    response = page.goto(f"/cases/{case.pk}/")
    assert response is not None and response.status == 404

    _as(page, login_in_browser, receiving_cm)
    response = page.goto(f"/cases/{case.pk}/sections/notes/")
    assert response is not None and response.status == 200
    assert "Семья готовится к переезду" in page.content()
    page.goto(f"/cases/{case.pk}/sections/timeline/")
    timeline = page.content()
    assert "Нет мест до весны" in timeline and "Семья переехала в Алматы" in timeline
    case.refresh_from_db()
    assert (case.supervising_unit_id, case.case_manager_id) == (
        world.unit_almaty.pk,
        receiving_cm.pk,
    )


def test_a_group_of_twenty_with_one_known_person(  # type: ignore[no-untyped-def]
    browser_page, login_in_browser, tmp_path: Path
) -> None:
    world = build_world()
    manager = world.staff(Role.CASE_MANAGER)
    known = person(
        given_name="Гульнара", family_name="Нурланова", birth_date=date(1990, 4, 2), sex="female"
    )
    refresh_keys(known)
    open_case(manager, person=known)
    lines = ["family_group,relationship,family_name,given_name,sex,birth_date"]
    lines.append("F1,head,Нурланова,Гульнара,female,1990-04-02")
    names = ["Алия", "Бекзат", "Вера", "Гани", "Дамир", "Ерлан", "Жанна", "Зауре", "Ильяс"]
    for i, name in enumerate(names):
        lines.append(f"F1,child,Нурланова,{name},,201{i}-05-0{i + 1}")
    given = ["Марат", "Нурия", "Олжас", "Руслан", "Самал", "Тимур", "Улан", "Фарида", "Хадиша"]
    for i, name in enumerate(given):
        lines.append(f",,Сейтова{i},{name},,200{i}-02-1{i}")
    lines.append("F2,head,Абенов,Канат,male,1985")
    assert len(lines) == 21  # 20 people under the header
    path = tmp_path / "group.csv"
    path.write_text("\n".join(lines), encoding="utf-8")

    page = browser_page
    login_in_browser(page, manager)
    page.goto("/transfers/group/")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#group-upload-form button[type=submit]").click()
    page.wait_for_url("**/transfers/group/*/")
    assert page.locator("#group-rows tbody tr").count() == 20
    assert page.locator('[data-needs-decision="1"]').count() == 1
    page.locator("#group-commit").click()  # undecided: refused, nothing written
    assert page.locator("#group-problems").count() == 1
    assert Person.objects.count() == 1
    page.locator(f'input[name="decision-2"][value="link:{known.pk}"]').check()
    page.locator("#group-commit").click()
    page.locator("#group-result").wait_for()
    assert page.locator("#group-result").get_attribute("data-created") == "19"
    assert Person.objects.count() == 20
    assert Case.objects.count() == 20
    assert Relationship.objects.filter(relative=known).count() == 9
