"""In a real browser: the case manager assesses and drafts a plan, the supervisor approves it,
and the printed plan carries the child's goals."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tirek.assessments.models import Assessment
from tirek.assessments.services import instruments_load
from tirek.assessments.tests.factories import make_team
from tirek.plans.models import Plan, PlanStatus
from tirek.testing import build_world

pytestmark = pytest.mark.e2e

REQUIRED = {
    "safety_home": "safe",
    "ph_general": "some",
    "ed_enrolment": "not_enrolled",
    "fam_living": "mother",
    "leg_birth": "foreign",
    "bn_housing": "temporary",
    "vw_participation": "fully",
}


def test_it_goes_from_assessment_to_an_approved_plan(
    browser_page, login_in_browser, assert_accessible
) -> None:
    world = build_world()
    instruments_load()
    team = make_team(world)
    case = team.case
    page = browser_page

    # The case manager fills in the comprehensive assessment.
    login_in_browser(page, team.manager)
    page.goto(f"/cases/{case.pk}/assessments/")
    page.select_option("select[name=instrument]", "tirek-child-needs")
    page.click("[data-testid=start-assessment]")
    page.wait_for_url("**/assessments/*/")
    assert_accessible(page)  # the assessment form: every question and field labelled
    for question, value in REQUIRED.items():
        page.check(f"input[name=q_{question}][value={value}]")
    page.check("input[name=q_safety_violence][value=yes]")
    page.fill("textarea[name=own_views]", "Хочу пойти в школу вместе с сестрой.")
    page.click("[data-testid=complete-assessment]")
    assert page.locator("[data-testid=assessment-status]").inner_text() == "Завершена"
    assert page.locator("[data-testid=scores]").is_visible()
    assessment = Assessment.objects.get(case=case)
    assert assessment.status == "completed" and assessment.answers["safety_violence"] is True

    # ...drafts the plan with a goal and submits it.
    page.goto(f"/cases/{case.pk}/plan/")
    assert_accessible(page)
    page.click("[data-testid=add-goal]")
    assert_accessible(page)
    page.select_option("select[name=domain]", "education")
    page.fill("input[name=title]", "Зарина зачислена в школу и посещает занятия")
    page.fill("input[name=indicator]", "Посещаемость не ниже 90 %")
    page.fill("input[name=target_date]", (timezone.localdate() + timedelta(days=90)).isoformat())
    page.select_option("select[name=responsible_agency]", str(world.school.pk))
    page.fill("input[name=responsible_name]", "Классный руководитель")
    page.click("[data-testid=save-goal]")
    page.wait_for_url(f"**/cases/{case.pk}/plan/")
    assert "Зарина зачислена в школу" in page.locator("[data-testid=goal]").inner_text()
    page.click("[data-testid=submit-plan]")
    assert page.locator("[data-testid=plan-status]").inner_text() == "Направлен на утверждение"

    # The supervisor of the unit approves it.
    page.context.clear_cookies()
    login_in_browser(page, team.supervisor)
    page.goto("/")
    assert_accessible(page)  # "my work"
    page.click(f"a[href='/cases/{case.pk}/plan/']")
    page.fill("textarea[name=comment]", "Согласовано, начинайте.")
    page.click("[data-testid=approve-plan]")
    assert page.locator("[data-testid=plan-status]").inner_text() == "Утверждён"
    plan = Plan.objects.get(case=case)
    assert (plan.status, plan.approved_number) == (PlanStatus.APPROVED, 1)

    # The printed plan names the child and carries the goal and the approval.
    with page.expect_download() as download:
        page.click("[data-testid=plan-pdf]")
    body = open(download.value.path(), "rb").read()  # noqa: SIM115
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    assert case.number in text and case.person.family_name in text
    assert "Зарина зачислена в школу и посещает занятия" in text
    assert "Классный руководитель" in text
    assert "Согласовано, начинайте." in text
