"""What every casework page (assessments, plan, reviews, closure) shows at the top."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tirek.cases.models import Case

# Ids in URLs and payloads above this are refused before they reach the database.
MAX_ID = 2**53

# The case page belongs to the cases app; these are the names it may use.
CASE_PAGE_NAMES = ("cases:detail", "cases:case", "cases:case_detail")

TABS = [
    ("assessments", _("Assessments"), "assessments:case_assessments"),
    ("plan", _("Plan"), "plans:plan"),
    ("reviews", _("Reviews"), "plans:reviews"),
    ("closure", _("Closure and follow-up"), "plans:closure"),
]


def case_page_url(case: Case) -> str | None:
    for name in CASE_PAGE_NAMES:
        try:
            return reverse(name, args=[case.pk])
        except NoReverseMatch:
            continue
    return None


def case_context(case: Case, active: str) -> dict[str, Any]:
    tabs = []
    for key, label, name in TABS:
        try:
            url = reverse(name, args=[case.pk])
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "url": url, "active": key == active})
    return {"case": case, "case_url": case_page_url(case), "casework_tabs": tabs}
