"""The everyday screens at every width a worker uses, from a phone (360 px) to a wide
monitor (1920 px): nothing overlaps, nothing sticks out of its card, the page never
scrolls sideways, and axe-core finds no violation.

One browser context for the whole file and one page load per width per page, so the file
stays within about two minutes on a busy two-core machine. axe runs at the phone and the
laptop width (the two layouts: compact menu and stacked tables, full menu and tables)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tirek.assessments.services import assessment_create
from tirek.assessments.tests.factories import CHILD_BASELINE, complete, make_team
from tirek.cases.models import ContactNote, NoteKind
from tirek.plans import services as plan_services
from tirek.privacy.services import consent_record
from tirek.testing import build_world

pytestmark = pytest.mark.e2e

WIDTHS = [360, 768, 1024, 1366, 1920]
AXE_WIDTHS = {360, 1366}

# Boxes that must not overlap one another (unless one holds the other), and must stay
# inside the card or table that holds them.
LAYOUT_CHECK = """
() => {
  const selector = ".panel, .card, table, .case-summary, .case-tabs a, .button, button, "
    + "input:not([type=hidden]), select, textarea, h1, dl.facts";
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const shown = el.checkVisibility ? el.checkVisibility({ visibilityProperty: true }) : true;
    return r.width > 0 && r.height > 0 && shown;
  };
  const els = Array.from(document.querySelectorAll(selector)).filter(visible);
  const name = (el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "")
    + (el.dataset.testid ? `[${el.dataset.testid}]` : "") + ` "${(el.innerText || "").trim().slice(0, 30)}"`;
  const problems = [];
  for (let i = 0; i < els.length; i++) {
    const a = els[i].getBoundingClientRect();
    for (let j = i + 1; j < els.length; j++) {
      if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
      const b = els[j].getBoundingClientRect();
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) problems.push(`overlap: ${name(els[i])} / ${name(els[j])}`);
    }
    const box = els[i].parentElement && els[i].parentElement.closest(".panel, .card, .case-summary");
    if (box) {
      const outer = box.getBoundingClientRect();
      if (a.right > outer.right + 1 || a.left < outer.left - 1) {
        problems.push(`sticks out: ${name(els[i])} of ${name(box)}`);
      }
    }
  }
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  if (overflow > 0) problems.push(`page scrolls sideways by ${overflow}px`);
  return problems;
}
"""


def _scene():
    from tirek.training.tests.factories import lessons, short_course

    world = build_world()
    team = make_team(world)
    case, manager = team.case, team.manager
    complete(manager, case, "tirek-child-needs", CHILD_BASELINE)
    plan_services.goal_create(
        user=manager,
        case_id=case.pk,
        domain="education",
        title="Ребёнок посещает школу без пропусков и с удовольствием",
        indicator="Посещаемость не ниже 90 % за четверть",
        target_date=timezone.localdate() + timedelta(days=120),
        responsible_agency_id=case.supervising_unit.agency_id,
        responsible_user_id=manager.pk,
    )
    draft = assessment_create(
        user=manager,
        case_id=case.pk,
        instrument_code="tirek-initial",
        assessed_on=timezone.localdate(),
    )
    consent_record(
        by=manager,
        person=case.person,
        purposes=["case_management", "referral"],
        given_by="guardian",
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + timedelta(days=20),  # expiring: an alert
    )
    for n in range(3):
        ContactNote.objects.create(
            case=case,
            kind=NoteKind.HOME_VISIT,
            section="social",
            occurred_on=timezone.localdate() - timedelta(days=n),
            narrative="Посещение на дому: семья устроена, нужна зимняя одежда. " * 3,
            author=manager,
        )
    lesson = lessons(short_course())[0]
    pages = {
        "case list": "/cases/",
        "my work": "/",
        "plan": f"/cases/{case.pk}/plan/",
        "assessment form": f"/cases/{case.pk}/assessments/{draft.pk}/",
        "lesson": reverse("training:lesson", args=[lesson.pk]),
    }
    return world, team, pages


def test_the_everyday_screens_hold_from_360_to_1920_px(
    browser_page, login_in_browser, assert_accessible
) -> None:
    from tirek.assessments.services import instruments_load

    instruments_load()
    _world, team, pages = _scene()
    case = team.case
    page = browser_page
    login_in_browser(page, team.manager)
    problems: list[str] = []

    def check(label: str, width: int) -> None:
        found = page.evaluate(LAYOUT_CHECK)
        problems.extend(f"{label} at {width}px: {p}" for p in found)
        if width in AXE_WIDTHS:
            assert_accessible(page)

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for label, url in pages.items():
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            check(label, width)
        # The case page: the summary, then every section opened through its tab (htmx).
        page.goto(f"/cases/{case.pk}/")
        assert case.person.full_name in page.get_by_test_id("case-summary").inner_text()
        check("case overview", width)
        tabs = page.get_by_test_id("case-tabs").locator("a")
        names = [tabs.nth(i).get_attribute("data-tab") for i in range(tabs.count())]
        assert names == [
            "overview",
            "plan",
            "notes",
            "family",
            "referrals",
            "interviews",
            "incidents",  # incidents and mother-child contact (issue 16)
            "consent",
            "timeline",
        ]
        for name in names[1:]:
            with page.expect_response(lambda r, n=name: f"/sections/{n}/" in r.url):
                page.locator(f'.case-tabs a[data-tab="{name}"]').click()
            page.locator('.case-tabs a[aria-current="page"]').filter(
                has_text=page.locator(f'.case-tabs a[data-tab="{name}"]').inner_text()
            ).wait_for()
            assert page.url.endswith(f"/cases/{case.pk}/sections/{name}/")
            check(f"case {name}", width)
        if width == 360:
            # The banner and the compact menu leave the phone screen to the work.
            top = page.locator("header.topbar").bounding_box()
            assert top is not None and top["y"] + top["height"] < 160, top
            assert page.locator("nav.mainnav").is_hidden()
            page.get_by_test_id("menu-compact").locator("summary").click()
            assert (
                page.get_by_test_id("menu-compact").get_by_role("link", name="Случаи").is_visible()
            )
    assert problems == [], "\n".join(problems)


def test_saving_a_note_shows_the_note_and_the_sections_work_without_javascript(
    browser_page, login_in_browser
) -> None:
    world = build_world()
    team = make_team(world)
    case = team.case
    page = browser_page
    login_in_browser(page, team.manager)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("add-note").click()
    page.get_by_label("Вид контакта").select_option("home_visit")
    page.get_by_label("Текст записи").fill("Ребёнок пошёл в кружок рисования.")
    page.get_by_role("button", name="Сохранить").click()
    note = ContactNote.objects.get(case=case)
    page.wait_for_url(f"**/cases/{case.pk}/sections/notes/#note-{note.pk}")
    saved = page.locator(f"#note-{note.pk}")
    assert "кружок рисования" in saved.inner_text()
    assert saved.evaluate("el => el === document.activeElement")
    assert saved.is_visible() and saved.bounding_box()["y"] < 740
    # Without JavaScript every tab is an ordinary link to a whole page.
    context = page.context.browser.new_context(java_script_enabled=False, locale="ru-RU")
    try:
        context.add_cookies(page.context.cookies())
        plain = context.new_page()
        plain.goto(page.url.split("/cases/")[0] + f"/cases/{case.pk}/")
        plain.locator('.case-tabs a[data-tab="timeline"]').click()
        assert plain.url.endswith(f"/cases/{case.pk}/sections/timeline/")
        assert "Посещение на дому" in plain.get_by_test_id("timeline").inner_text()
        assert (
            plain.locator('.case-tabs a[aria-current="page"]').get_attribute("data-tab")
            == "timeline"
        )
    finally:
        context.close()
