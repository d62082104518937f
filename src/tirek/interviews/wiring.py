"""Plugging interviews into the shell and the case page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tirek.accounts.roles import Role
from tirek.core.registry import (
    NavItem,
    add_api_router,
    add_demo_loader,
    add_my_work_panel,
    add_nav,
    add_urls,
)

INTERVIEW_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SUPERVISOR, Role.INTERVIEWER}
)


def _involved(user: Any) -> bool:
    return bool(user.role_set & INTERVIEW_ROLES) and not user.is_system_admin


def interviews_panel(request: HttpRequest) -> dict[str, Any] | None:
    from . import selectors

    user = request.user
    if not _involved(user):
        return None
    tasks = selectors.my_interview_tasks(user)
    alerts = selectors.count_alerts(user)
    if not (alerts or any(tasks.values())):
        return None
    return {
        "title": _("Interviews"),
        "template": "interviews/panel.html",
        "tasks": tasks,
        "alerts": alerts,
    }


def case_panel(request: HttpRequest, case: Any, sections: frozenset[str]) -> dict[str, Any] | None:
    from . import selectors
    from .access import case_level, may_request

    if case_level(request.user, case) is None:
        return None
    return {
        "title": _("Interviews"),
        "template": "interviews/case_panel.html",
        "case": case,
        "count": selectors.count_for(case),
        "interviews": list(selectors.case_interviews(request.user, case)[:10]),
        "may_request": case.is_open and may_request(request.user, case),
    }


def register() -> None:
    from . import api
    from .demo import load as demo_load

    add_nav(
        NavItem(
            label=gettext_lazy("Interviews"),
            url_name="interviews:mine",
            visible=_involved,
            order=44,
        )
    )
    add_urls("interviews/", "tirek.interviews.urls")
    add_api_router("/interviews", api.router)
    add_my_work_panel(44, interviews_panel)
    add_demo_loader(50, demo_load)
    from tirek.cases.panels import add_panel

    add_panel(64, case_panel, tab="interviews")
