"""What referrals add to other pages: the "my work" panels (referrals, notifications), the
case panel and the case timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tirek.accounts.roles import CASEWORK_ROLES
from tirek.core.http import AuthenticatedHttpRequest

from .models import ReferralStatus

if TYPE_CHECKING:
    from tirek.accounts.models import User


def in_casework(user: User) -> bool:
    return bool(user.role_set & CASEWORK_ROLES) and not user.is_system_admin


def referrals_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    from . import selectors

    user = request.user
    if not in_casework(user):
        return None
    incoming, overdue = selectors.panel_referrals(user, rows=10)
    if not incoming and not overdue:
        return None
    return {
        "title": _("Referrals"),
        "template": "referrals/panel_referrals.html",
        "incoming": [(r, selectors.subject_of(r)) for r in incoming],
        "overdue": overdue,
    }


def notifications_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    from . import selectors

    unread = selectors.unread_count(request.user)
    if not unread:
        return None
    return {
        "title": _("Notifications"),
        "template": "referrals/panel_notifications.html",
        "unread": unread,
        "latest": list(selectors.notifications_for(request.user).filter(read_at__isnull=True)[:5]),
    }


def referral_timeline(case: Any, user: User) -> list[Any]:
    """Referral history on the case timeline, in the plan section (the receiver of a
    referral does not see the other referrals of the case)."""
    from tirek.access.policy import Section
    from tirek.cases.timeline import TimelineItem

    from .models import ReferralEvent

    events = (
        ReferralEvent.objects.filter(referral__case=case)
        .select_related("referral__provider", "by")
        .order_by("-at")[:100]
    )
    titles: dict[str, Any] = {
        ReferralStatus.SENT: _("Referral sent"),
        ReferralStatus.ACCEPTED: _("Referral accepted"),
        ReferralStatus.DECLINED: _("Referral declined"),
        ReferralStatus.IN_PROGRESS: _("Referral in progress"),
        ReferralStatus.COMPLETED: _("Referral completed"),
        ReferralStatus.WITHDRAWN: _("Referral withdrawn"),
    }
    return [
        TimelineItem(
            at=e.at,
            title=str(titles.get(e.status, e.status)),
            detail=e.referral.provider.name,
            section=Section.PLAN,
            actor=e.by.get_full_name() or e.by.username,
            url=reverse("referrals:detail", args=[e.referral_id]),
            kind="referral",
        )
        for e in events
    ]


def case_panel(
    request: AuthenticatedHttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    """The case's referrals, for those who follow them (the plan section)."""
    from tirek.access.policy import Section

    from . import selectors
    from .access import is_referring_side

    if Section.PLAN not in sections:
        return None
    return {
        "title": _("Referrals"),
        "template": "referrals/case_panel.html",
        "case": case,
        "referrals": list(selectors.case_referrals(request.user, case)[:10]),
        "may_refer": case.is_open and is_referring_side(request.user, case),
    }
