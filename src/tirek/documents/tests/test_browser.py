"""End to end in headless Chromium: the case manager prepares a court summary with two
chosen sections, reads the one-time password, downloads the archive, and the PDF inside
(opened with that password) carries those sections' headings only."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
import pyzipper
from django.utils import translation

from tirek.access.policy import Section
from tirek.accounts.roles import Role
from tirek.cases.tests.factories import secret
from tirek.testing import build_world

from .conftest import build_setting

pytestmark = pytest.mark.e2e
S = Section


def test_court_summary_downloaded_with_the_chosen_sections_only(
    browser_page, login_in_browser, assert_accessible, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    setting = build_setting(build_world())
    case = setting.case
    page = browser_page
    login_in_browser(page, setting.team[Role.CASE_MANAGER])

    page.goto(f"/cases/{case.pk}/")
    page.get_by_test_id("case-summary-pdf").click()
    page.wait_for_url(re.compile(rf"/documents/cases/{case.pk}/summary/$"))
    assert_accessible(page)
    # Psychological notes are not the case manager's to hand over: not even offered.
    assert page.locator(f"input[name=sections][value={S.PSYCHOLOGICAL}]").count() == 0

    form = page.get_by_test_id("summary-form")  # the header has a language switch too
    form.locator("select[name=purpose]").select_option("court")
    form.locator("input[name=recipient]").fill("Karaganda District Court")
    form.locator(f"input[name=sections][value={S.CORE}]").check()
    form.locator(f"input[name=sections][value={S.LEGAL}]").check()
    form.locator("select[name=language]").select_option("en")
    page.get_by_test_id("produce-summary").click()
    password = page.get_by_test_id("password").inner_text().strip()
    assert len(password) == 20
    with page.expect_download() as info:
        page.get_by_test_id("download").click()
    data = Path(info.value.path()).read_bytes()

    archive = pyzipper.AESZipFile(io.BytesIO(data))
    archive.setpassword(password.encode())
    [name] = archive.namelist()
    reader = pypdf.PdfReader(io.BytesIO(archive.read(name)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    with translation.override("en"):
        headings = {s for s in S.ALL if str(S.LABELS[s]) in text}
    assert headings == {S.CORE, S.LEGAL}
    assert secret(S.LEGAL) in text
    assert all(secret(s) not in text for s in S.ALL - {S.CORE, S.LEGAL})
    assert "Purpose: Court" in text
