"""Every page of the shell fits a laptop and a tablet screen, and breaks no CSP rule.

Set TIREK_SCREENSHOTS=<dir> to keep a screenshot of each page for a human look."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.testing import build_world

pytestmark = pytest.mark.e2e

SCREENS = {"laptop": (1366, 800), "tablet": (768, 1024)}

# (who, path) — who is None for a visitor who is not signed in
PAGES = [
    (None, "/accounts/login/"),
    (Role.CASE_MANAGER, "/"),
    (Role.CASE_MANAGER, "/me/"),
    (Role.CASE_MANAGER, "/accounts/2fa/"),
    (Role.CASE_MANAGER, "/accounts/password/change/"),
    (Role.CASE_MANAGER, "/accounts/2fa/recovery-codes/generate/"),  # asks to re-authenticate
    (Role.CASE_MANAGER, "/accounts/logout/"),
    (Role.CASE_MANAGER, "/no-such-page/"),
    (Role.CASE_MANAGER, "/audit/"),  # 403 page
    (Role.DPO, "/audit/"),
    (Role.DPO, "/audit/verify/"),
    (Role.ADMIN, "/admin/"),
    (Role.ADMIN, "/admin/accounts/user/"),
]


def test_it_lays_out_every_shell_page_on_a_laptop_and_a_tablet(
    browser_page, login_in_browser
) -> None:
    world = build_world()
    people = {
        role: world.staff(role, username=f"{role}-screens")
        for role in (Role.CASE_MANAGER, Role.DPO, Role.ADMIN)
    }
    for n in range(30):
        record(
            actor=people[Role.CASE_MANAGER],
            action=Action.READ,
            object_type="cases.case",
            object_id=n,
            detail={"section": "core"},
        )
    shots = os.environ.get("TIREK_SCREENSHOTS")
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    current = None
    for who, path in PAGES:
        if who != current:
            page.context.clear_cookies()
            if who is not None:
                login_in_browser(page, people[who])
            current = who
        for screen, (width, height) in SCREENS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(path)
            assert page.locator("h1").first.is_visible(), path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px too wide on a {screen}"
            if shots:
                name = (
                    f"{screen}-{who or 'visitor'}-{path.strip('/').replace('/', '_') or 'home'}.png"
                )
                page.screenshot(path=str(Path(shots) / name), full_page=True)
    # 403/404 pages log their status as a console error; anything else is a real problem.
    assert [p for p in problems if "status of 40" not in p] == []


def test_it_renders_the_api_docs_from_local_assets(browser_page) -> None:
    page = browser_page
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith(("http://localhost", "data:"))
            else None
        ),
    )
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Tirek API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first.wait_for()
    assert outside == []
