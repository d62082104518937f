"""Fixtures for every test: ``world`` (regions, agencies, units, staff factory)."""

from __future__ import annotations

import pytest

from tirek.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_cache(db: None) -> None:
    """Rate-limit counters and used-TOTP marks live in the cache: no test inherits another's.
    The cache is a database table, as in production, so every test has the database (set
    up before any other fixture, so app-level fixtures may clear the cache too)."""
    from django.core.cache import cache

    cache.clear()


# --- browser tests -------------------------------------------------------------
# Debian's Chromium driven by Playwright; `make test` installs it. Tests marked e2e
# are skipped (with the reason) only on a machine where it cannot be installed.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser_page(live_server, transactional_db):  # type: ignore[no-untyped-def]
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ru-RU", base_url=live_server.url)
        context.set_default_timeout(15000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # The test's own database calls ran inside Playwright's sync API, which keeps
            # its own context, so Django (connections are per context) gave them a
            # connection of their own: closed here, or PostgreSQL cannot drop the test
            # database at the end ("being accessed by other users").
            from django.db import connections

            connections.close_all()


@pytest.fixture
def login_in_browser(live_server):  # type: ignore[no-untyped-def]
    """``login_in_browser(page, user)``: signs ``user`` in by session cookie, as if they
    had passed password and TOTP (the real form is covered by the foundation's e2e test)."""
    from django.conf import settings

    from tirek.testing import logged_in_client

    def login(page, user) -> None:  # type: ignore[no-untyped-def]
        cookie = logged_in_client(user).cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return login


@pytest.fixture
def assert_accessible():  # type: ignore[no-untyped-def]
    """``assert_accessible(page)``: axe-core (shipped inside axe-playwright-python, nothing
    downloaded) finds no violation of any impact on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:  # type: ignore[no-untyped-def]
        results = axe.run(page)
        violations = results.response["violations"]
        found = [
            f"{v['impact']}: {v['id']} — {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in violations
        ]
        assert found == [], f"{page.url}:\n" + "\n".join(found)

    return check
