"""What incidents add to other pages: the case overview panel and "my work"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.cases.panels import WorkPanel, WorkRow, work_row

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


def _my_action_rows(request: HttpRequest) -> list[Any]:
    """Open incident actions owned by the user, read with the other "my work" rows."""
    from django.db.models import F

    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    actions = selectors.my_open_actions(user)
    return [
        work_row(
            actions,
            "incident_action",
            ref=F("incident_id"),
            text=F("description"),
            day=F("due_date"),
        )
    ]


def _my_actions(request: HttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    """The hook into "my work": open incident actions owned by the user, with due dates."""
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (r[4], r[1]))[:PANEL_ROWS]  # due date, id
    return {
        "title": _("Incident actions"),
        "template": "incidents/panel_my_work.html",
        "actions": [{"incident_id": r[2], "description": r[3], "due_date": r[4]} for r in rows],
    }


my_actions_panel = WorkPanel(
    rows=_my_action_rows, build=_my_actions, kinds=frozenset({"incident_action"})
)
