"""End to end in headless Chromium, on the demo's retention case: the DPO sees it due,
places and lifts a legal hold, approves the batch, and the case is anonymised."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tirek.accounts import demo_org
from tirek.accounts.models import User
from tirek.cases.models import Case
from tirek.people.models import Person
from tirek.retention import demo, tasks

pytestmark = pytest.mark.e2e


class _Quiet:
    def write(self, *args: Any, **kwargs: Any) -> None:
        pass


def test_dpo_holds_lifts_and_approves_the_demo_case(
    browser_page, login_in_browser, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    demo_org.load(_Quiet())
    demo.load(_Quiet())
    case = Case.objects.get(number=demo.DEMO_NUMBER)
    page = browser_page
    login_in_browser(page, User.objects.get(username="demo-dpo"))

    page.goto("/retention/")
    due = page.locator("[data-testid=due] tr[data-record-type=case_file]")
    assert demo.DEMO_NUMBER in due.inner_text()
    assert "Ержанов" not in page.content()

    page.get_by_test_id("place-hold").click()
    page.fill("input[name=case_number]", demo.DEMO_NUMBER)
    page.check("input[name=scope][value=person]")
    page.fill("textarea[name=reason]", "Appeal pending in the district court")
    page.fill("input[name=legal_basis]", "Civil Procedure Code, art. 12")
    page.get_by_test_id("submit-hold").click()
    page.wait_for_url(re.compile(r"/retention/$"))
    assert demo.DEMO_NUMBER in page.get_by_test_id("holds").inner_text()

    # Under the hold the pass proposes nothing for the case file.
    page.get_by_test_id("run-pass").click()
    page.wait_for_url(re.compile(r"/retention/$"))
    assert page.get_by_test_id("batch-case_file").count() == 0

    page.fill("input[name=lift_reason]", "The court decided; no appeal")
    page.get_by_test_id("lift-hold").click()
    page.wait_for_url(re.compile(r"/retention/$"))
    page.get_by_test_id("run-pass").click()
    page.wait_for_url(re.compile(r"/retention/$"))
    page.get_by_test_id("batch-case_file").click()
    assert demo.DEMO_NUMBER in page.get_by_test_id("items").inner_text()
    page.get_by_test_id("approve").click()
    page.wait_for_url(re.compile(r"/retention/batches/\d+/$"))
    # The approval queued the batch; the worker's step runs it (in tests the queue runs a
    # task when the approval commits, so by the time the page shows it is done), and
    # running it again is harmless.
    batch_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    tasks.carry_out_batch.call(batch_id)
    page.reload()
    assert page.get_by_test_id("batch-status").get_attribute("data-status") == "done"
    assert "1" in page.get_by_test_id("report").inner_text()

    person = Person.objects.get(pk=case.person_id)
    assert (person.family_name, person.given_name, person.patronymic) == ("", "", "")
    assert Case.objects.get(pk=case.pk).number.startswith("ANON-")
    assert person.birth_date is not None and (person.birth_date.month, person.birth_date.day) == (
        1,
        1,
    )
