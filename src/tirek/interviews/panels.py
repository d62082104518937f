"""What interviews add to other pages: the "my work" panel and the case panel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from tirek.accounts.roles import Role
from tirek.audit.selectors import CASE_TYPE
from tirek.audit.services import shown
from tirek.core.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from tirek.accounts.models import User

INTERVIEW_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SUPERVISOR, Role.INTERVIEWER}
)


def involved_in_interviews(user: User) -> bool:
    return bool(user.role_set & INTERVIEW_ROLES) and not user.is_system_admin


def interviews_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    from tirek.cases.selectors import my_open_caseload

    from . import selectors

    user = request.user
    if not involved_in_interviews(user):
        return None
    tasks = selectors.my_interview_tasks(user)
    caseload = my_open_caseload(request)  # read for the other panels too
    alerts = selectors.count_alerts(user, caseload.cases if caseload.complete else None)
    if not (alerts or any(tasks.values())):
        return None
    listed = [interview for rows in tasks.values() for interview in rows]
    shown(
        request,
        "interviews.interview",
        [i.pk for i in listed],
        cases=[i.case_id for i in listed],
    )
    shown(request, CASE_TYPE, [case.pk for case, _count in alerts])
    return {
        "title": _("Interviews"),
        "template": "interviews/panel.html",
        "tasks": tasks,
        "alerts": alerts,
    }


def case_panel(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
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
