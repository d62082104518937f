"""A case manager works a whole day in Kazakh, Uzbek or Tajik: no English or Russian left.

The walk covers my work, the case list, a case page, the plan, an assessment and a lesson.
Every visible text is compared with the English source strings and the Russian
translations of every catalogue and of the content (instruments, seed curriculum); a text
found there that the language does not share is a leftover. Names of people and places are
data, not messages, so they never match. Dates must be day.month.year and each page must
fit a laptop and a tablet screen (long Kazakh and Uzbek words must not push a table or a
button out of the layout).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import polib
import pytest

from tirek.assessments import services as assessments
from tirek.assessments.tests.factories import make_team
from tirek.core.content_i18n import text_maps
from tirek.plans.tests.test_plan import add_goal
from tirek.testing import build_world
from tirek.training import seed
from tirek.training.models import LessonTranslation
from tirek.training.seed_content import COURSES

pytestmark = pytest.mark.e2e

SOURCE = Path(__file__).resolve().parents[2]
SCREENS = {"laptop": (1366, 800), "tablet": (768, 1024)}
AMERICAN_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}:\d{2}\s?[AaPp]\.?[Mm]\b")

VISIBLE_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, .langform")) continue;
    if (el.tagName !== "OPTION" && !el.checkVisibility()) continue;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text) out.push(text);
  }
  return out;
}"""
OVERFLOWING_CONTROLS = """() => [...document.querySelectorAll("button, .button, th, td")]
  .filter(el => el.checkVisibility() && el.scrollWidth > el.clientWidth + 1
          && getComputedStyle(el).overflowX === "visible")
  .map(el => el.textContent.trim().slice(0, 60))"""


def _catalogue_texts(language: str) -> set[str]:
    texts: set[str] = set()
    for path in SOURCE.glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            texts.update([entry.msgstr, *entry.msgstr_plural.values()])
    return {text for text in texts if text}


def _content() -> list[dict[str, str]]:
    maps = list(text_maps(seed.courses()))
    for path in sorted(assessments.INSTRUMENTS_DIR.glob("*.json")):
        data = assessments.with_translations(
            json.loads(path.read_text(encoding="utf-8")),
            assessments.load_overlays(assessments.INSTRUMENT_OVERLAYS_DIR),
        )
        maps += list(text_maps(data))
    return maps


@cache
def _leftovers(language: str) -> frozenset[str]:
    """Texts that, shown to a user of ``language``, are English or Russian left over."""
    english: set[str] = set()
    for path in SOURCE.glob("**/locale/en/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            english.update([entry.msgid, entry.msgid_plural])
    content = _content()
    foreign = english | _catalogue_texts("ru") | {t[k] for t in content for k in ("ru", "en")}
    own = _catalogue_texts(language) | {t[language] for t in content if language in t}
    return frozenset(text for text in foreign - own if text and not text.isdigit())


def _case_with_work():
    world = build_world()
    assessments.instruments_load()
    seed.load()
    team = make_team(world)
    add_goal(team)
    draft = assessments.assessment_create(
        user=team.manager, case_id=team.case.pk, instrument_code="tirek-child-needs"
    )
    lesson = LessonTranslation.objects.get(
        language="en", title=COURSES[0]["modules"][0]["lessons"][0]["title"]["en"]
    )
    case = team.case.pk
    pages = [
        "/",
        "/cases/",
        f"/cases/{case}/",
        f"/cases/{case}/plan/",
        f"/cases/{case}/assessments/{draft.pk}/",
        f"/training/lessons/{lesson.lesson_id}/",
    ]
    return team.manager, pages


@pytest.mark.parametrize("language", ["kk", "uz", "tg"])
def test_a_case_manager_walks_the_day_in_the_language(
    browser_page, login_in_browser, live_server, language: str
) -> None:
    manager, pages = _case_with_work()
    page = browser_page
    login_in_browser(page, manager)
    page.context.add_cookies(
        [{"name": "tirek_language", "value": language, "url": live_server.url}]
    )
    leftovers = _leftovers(language)
    problems: list[str] = []
    for path in pages:
        for screen, (width, height) in SCREENS.items():
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language
            if screen == "laptop":
                found = sorted({t for t in page.evaluate(VISIBLE_TEXTS) if t in leftovers})
                problems += [f"{path}: not translated: {text!r}" for text in found]
                body = page.locator("body").inner_text()
                problems += [f"{path}: date {m!r}" for m in AMERICAN_DATE.findall(body)]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{path}: {overflow}px too wide on a {screen}")
            problems += [
                f"{path}: text overflows {text!r} on a {screen}"
                for text in page.evaluate(OVERFLOWING_CONTROLS)
            ]
    assert not problems, "\n".join(problems)
