"""What referrals add to other pages: the "my work" panels (referrals, notifications), the
case panel and the case timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tirek.accounts.roles import CASEWORK_ROLES
from tirek.audit.services import shown
from tirek.cases.timeline import RowSource
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
    listed = [*incoming, *overdue]
    shown(request, "referrals.referral", [r.pk for r in listed], cases=[r.case_id for r in listed])
    return {
        "title": _("Referrals"),
        "template": "referrals/panel_referrals.html",
        "incoming": incoming,
        "overdue": overdue,
    }


def notifications_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    from . import selectors

    latest, unread = selectors.latest_unread(request.user, rows=5)
    if not unread:
        return None
    return {
        "title": _("Notifications"),
        "template": "referrals/panel_notifications.html",
        "unread": unread,
        "latest": latest,
    }


def _referral_rows(case: Any, user: User) -> list[Any]:
    """Referral history on the case timeline, in the plan section (the receiver of a
    referral does not see the other referrals of the case): timeline rows read with the
    other apps' in one query."""
    from django.db.models import F

    from tirek.cases.timeline import timeline_row

    from .models import ReferralEvent

    events = ReferralEvent.objects.filter(referral__case=case)
    return [
        timeline_row(
            events,
            "referral",
            "by",
            at=F("at"),
            code=F("status"),
            text=F("referral__provider__name"),
            num=F("referral_id"),
        )
    ]


def _referral_items(case: Any, user: User, rows: list[Any]) -> list[Any]:
    from tirek.access.policy import Section
    from tirek.cases.timeline import TimelineItem, actor_name

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
            at=row[1],
            title=str(titles.get(row[2], row[2])),
            detail=row[3] or "",
            section=Section.PLAN,
            actor=actor_name(row),
            url=reverse("referrals:detail", args=[row[5]]),
            kind="referral",
        )
        for row in rows
    ]


referral_timeline = RowSource(
    rows=_referral_rows, items=_referral_items, kinds=frozenset({"referral"})
)


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
