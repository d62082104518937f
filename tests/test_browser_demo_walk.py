"""Every page of every demo role, as a new user would click through it (issue 15): signed in
as each demo account, the walk follows the links it is shown, from "my work" and then from
each page it reaches, and checks every kind of page at a phone (360 px) and a laptop
(1366 px) width: no server error, no link to a page the user may not open, no sideways
scroll, and axe-core finds no violation of any impact.

The demo is loaded as ``tirek demo`` loads it, without the generated three-year programme
(a few hundred anonymous cases that add rows, not pages). A "kind" of page is its path with
every number replaced, so the 40th case page is not checked again; each role still walks
its own "my work" and its own first case, since what a role sees there differs. The walk is
bounded (``PAGES_PER_ROLE``) so the test stays within a few minutes on two shared cores."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WIDTHS = (1366, 360)
PAGES_PER_ROLE = 12
PROGRAMME_ORDER = 65  # reports.demo_programme: the anonymous three-year caseload

# Links that are not pages to look at: they sign out, download a file, answer in JSON, open
# the API browser or the Django admin (checked by the shell's own layout test), or change
# something on GET by design (none should; the walk would notice a 405 if one did).
SKIPPED = re.compile(
    r"^/(accounts/logout|api/|admin/|static/|media/|i18n/|healthz)"
    r"|\.(pdf|csv|xlsx|zip|json|ics)$|/(export|download|pdf|csv|xlsx|template)/?$"
)

SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
LINKS = """() => Array.from(document.querySelectorAll('main a[href], nav a[href]'))
  .map(a => a.getAttribute('href'))"""


def _load_demo() -> None:
    from tirek.accounts import demo_org
    from tirek.core.registry import demo_loaders

    out = StringIO()
    demo_org.load(out)
    for order, loader in demo_loaders:
        if order != PROGRAMME_ORDER:
            loader(out)


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _same_site_paths(hrefs: list[str | None]) -> Iterator[str]:
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIPPED.search(parts.path):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_page_of_every_demo_role_is_usable_on_a_phone_and_a_laptop(
    browser_page: Any, login_in_browser: Any, assert_accessible: Any
) -> None:
    from tirek.accounts.models import User

    _load_demo()
    page = browser_page
    problems: list[str] = []
    checked_kinds: set[str] = set()
    accounts = list(
        User.objects.filter(username__startswith="demo-", is_active=True).order_by("username")
    )
    assert len(accounts) >= 12, "the demo has an account for every role"
    walked = 0
    for user in accounts:
        page.context.clear_cookies()
        login_in_browser(page, user)
        queue, seen, first_case = ["/"], set(), True
        visits = 0
        while queue and visits < PAGES_PER_ROLE:
            path = queue.pop(0)
            kind = _kind(path.split("?")[0])
            is_case_page = bool(re.fullmatch(r"/cases/N/", kind))
            own_look = path == "/" or (is_case_page and first_case)
            if kind in seen or (kind in checked_kinds and not own_look):
                continue
            seen.add(kind)
            first_case = first_case and not is_case_page
            visits += 1
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(path)
                status = response.status if response else 0
                where = f"{user.username} {path} at {width}px"
                if status >= 400:
                    problems.append(f"{where}: answered {status} to a link the page showed")
                    break
                overflow = page.evaluate(SIDEWAYS)
                if overflow > 0:
                    problems.append(f"{where}: the page scrolls sideways by {overflow}px")
                try:
                    assert_accessible(page)
                except AssertionError as found:
                    problems.append(f"{where}: {found}")
            checked_kinds.add(kind)
            walked += 1
            shown = _same_site_paths(page.evaluate(LINKS))
            queue.extend(p for p in shown if _kind(p.split("?")[0]) not in seen)
    print(f"\nwalked {walked} pages of {len(checked_kinds)} kinds as {len(accounts)} demo accounts")  # noqa: T201
    assert walked >= 60, f"the walk reached only {walked} pages"
    assert problems == [], "\n".join(problems)
