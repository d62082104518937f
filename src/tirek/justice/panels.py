"""The justice pathway's case page panels (only what ``sections`` opens)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.cases.timeline import RowSource

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


def _justice_rows(case: Any, user: User) -> list[Any]:
    """The legal statuses and their updates on the case's timeline, read with the other
    apps' rows in one query (SECURITY: the timeline drops them for whoever does not see
    that section)."""
    from django.db.models import F

    from tirek.cases.timeline import timeline_row

    from .models import LegalStatus, LegalUpdate

    return [
        timeline_row(
            LegalStatus.objects.filter(case=case),
            "legal_status",
            "recorded_by",
            at=F("recorded_at"),
            code=F("status"),
            text=F("institution"),
        ),
        timeline_row(
            LegalUpdate.objects.filter(case=case),
            "legal_update",
            "recorded_by",
            at=F("recorded_at"),
            code=F("kind"),
            text=F("legal_basis"),
        ),
    ]


def _justice_items(case: Any, user: User, rows: list[Any]) -> list[Any]:
    from django.urls import reverse

    from tirek.cases.timeline import TimelineItem, actor_name

    from .models import Status, UpdateKind

    url = reverse("justice:case", args=[case.pk])
    statuses = dict(Status.choices)
    kinds = dict(UpdateKind.choices)
    items = []
    for row in rows:
        if row[0] == "legal_status":
            title = _("Legal status: %(status)s") % {"status": statuses.get(row[2], row[2])}
            detail = row[3] or ""
        else:
            title = str(kinds.get(row[2], row[2]))
            detail = _("Legal basis: %(basis)s") % {"basis": row[3] or ""}
        items.append(
            TimelineItem(
                at=row[1],
                title=str(title),
                detail=detail,
                section=Section.SECURITY,
                actor=actor_name(row),
                url=url,
                kind=row[0],
            )
        )
    return items


justice_timeline = RowSource(
    rows=_justice_rows,
    items=_justice_items,
    kinds=frozenset({"legal_status", "legal_update"}),
)
