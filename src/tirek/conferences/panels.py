"""What case conferences add to other pages: the "my work" panel, the case panel and the
case timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tirek.accounts.roles import CASEWORK_ROLES
from tirek.core.http import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from tirek.accounts.models import User


def in_casework(user: User) -> bool:
    return bool(user.role_set & CASEWORK_ROLES) and not user.is_system_admin


def actions_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    from . import selectors

    user = request.user
    if not in_casework(user):
        return None
    actions = list(selectors.my_actions(user)[:15])
    supervised = list(selectors.overdue_actions_supervised(user)[:15])
    upcoming = list(selectors.upcoming_conferences(user)[:5])
    if not (actions or supervised or upcoming):
        return None
    return {
        "title": _("Case conferences"),
        "template": "conferences/panel_actions.html",
        "actions": actions,
        "supervised": supervised,
        "upcoming": upcoming,
    }


def case_panel(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    from tirek.access.policy import Section, can_manage

    from . import selectors

    if Section.PLAN not in sections:
        return None
    return {
        "title": _("Case conferences"),
        "template": "conferences/case_panel.html",
        "case": case,
        "conferences": list(selectors.case_conferences(request.user, case)[:10]),
        "may_schedule": case.is_open and can_manage(request.user, case),
    }


def conference_timeline(case: Any, user: User) -> list[Any]:
    from tirek.access.policy import Section
    from tirek.cases.timeline import TimelineItem

    from .models import Conference, ConferenceStatus

    items = []
    for conference in Conference.objects.filter(cases=case).order_by("-scheduled_at")[:50]:
        if conference.status == ConferenceStatus.CANCELLED:
            continue
        title = (
            _("Case conference held")
            if conference.status == ConferenceStatus.HELD
            else _("Case conference scheduled")
        )
        items.append(
            TimelineItem(
                at=conference.scheduled_at,
                title=str(title),
                detail=conference.location,
                section=Section.PLAN,
                url=reverse("conferences:detail", args=[conference.pk]),
                kind="conference",
            )
        )
    return items
