"""Links to pages of other apps that may not be installed (or not yet built)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse


def case_url(case_id: Any) -> str:
    """The case page, or "" if the cases app has no page for it."""
    for name in ("cases:detail", "cases:case"):
        try:
            return reverse(name, args=[case_id])
        except NoReverseMatch:
            continue
    return ""
