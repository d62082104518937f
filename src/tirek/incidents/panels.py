"""What incidents add to other pages: the case overview panel and "my work"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.accounts.models import User

from . import selectors
from .models import Incident

PANEL_ROWS = 10


def case_panel(request: HttpRequest, case: Any, sections: frozenset[str]) -> dict[str, Any] | None:
    user = request.user
    if Incident.SECTION not in sections or not isinstance(user, User):
        return None
    return {
        "title": _("Stigma and discrimination incidents"),
        "template": "incidents/case_panel.html",
        "case": case,
        "incidents": list(Incident.objects.filter(cases=case)[:PANEL_ROWS]),
    }


def my_actions_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The hook into "my work": open incident actions owned by the user, with due dates."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    rows = list(selectors.my_open_actions(user)[:PANEL_ROWS])
    if not rows:
        return None
    return {
        "title": _("Incident actions"),
        "template": "incidents/panel_my_work.html",
        "actions": rows,
    }
