"""The justice pathway's case page panels (only what ``sections`` opens)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.access.policy import Section
from tirek.accounts.models import User

from . import selectors

ADULT_PARTS = frozenset({Section.SECURITY, Section.COUNSELLING, Section.SOCIAL})
# The case page's justice tab opens with one of these; a viewer without them (the case
# manager, a social worker) finds the livelihood support on the plan tab instead.
JUSTICE_TAB = frozenset({Section.SECURITY, Section.COUNSELLING})
CHILD_PARTS = frozenset({Section.FAMILY})


def case_panel(request: HttpRequest, case: Any, sections: frozenset[str]) -> dict[str, Any] | None:
    user = request.user
    if not isinstance(user, User):
        return None
    view = selectors.justice_view(user, case, sections, ADULT_PARTS)
    if view.statuses is None and view.support is None:
        return None
    return {"title": _("Justice pathway"), "template": "justice/panel.html", "case": case,
            "view": view}  # fmt: skip


def contact_panel(
    request: HttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    """A child's contact with a parent in custody or in a centre (family section)."""
    user = request.user
    if not isinstance(user, User):
        return None
    view = selectors.justice_view(user, case, sections, CHILD_PARTS)
    if view.contacts is None:
        return None
    return {"title": _("Contact with a parent"), "template": "justice/panel.html", "case": case,
            "view": view}  # fmt: skip


def support_panel(
    request: HttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    """An adult's livelihood support (SOCIAL) on the plan tab, for whoever sees it but
    has no justice tab: the outcomes feed the individual and the family plan."""
    user = request.user
    if not isinstance(user, User) or sections & JUSTICE_TAB:
        return None
    view = selectors.justice_view(user, case, sections, frozenset({Section.SOCIAL}))
    if view.support is None:
        return None
    return {"title": _("Livelihood support"), "template": "justice/panel.html", "case": case,
            "view": view}  # fmt: skip


def justice_timeline(case: Any, user: User) -> list[Any]:
    """The legal statuses and their updates on the case's timeline (SECURITY: the
    timeline drops them for whoever does not see that section)."""
    from django.urls import reverse

    from tirek.cases.timeline import TimelineItem

    from .models import LegalStatus, LegalUpdate

    def who(u: Any) -> str:
        return str(u.get_full_name() or u.username) if u else ""

    url = reverse("justice:case", args=[case.pk])
    items = [
        TimelineItem(
            at=s.recorded_at,
            title=_("Legal status: %(status)s") % {"status": s.get_status_display()},
            detail=s.institution,
            section=Section.SECURITY,
            actor=who(s.recorded_by),
            url=url,
            kind="legal_status",
        )
        for s in LegalStatus.objects.filter(case=case).select_related("recorded_by")[:50]
    ]
    items += [
        TimelineItem(
            at=u.recorded_at,
            title=str(u.get_kind_display()),
            detail=_("Legal basis: %(basis)s") % {"basis": u.legal_basis},
            section=Section.SECURITY,
            actor=who(u.recorded_by),
            url=url,
            kind="legal_update",
        )
        for u in LegalUpdate.objects.filter(case=case).select_related("recorded_by")[:100]
    ]
    return items
