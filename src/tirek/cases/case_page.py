"""The case page: a summary first (who, age, phase, next deadlines, open alerts, case
manager), then one section at a time.

Every section has its own URL (``/cases/<pk>/sections/<name>/``): a plain link opens the
whole page on that section (works without JavaScript); htmx asks for the same URL and gets
only the section, so opening a tab costs what that tab costs. A section the viewer may
not see has no tab and its URL is a 404, recorded as a denied read; every load of a
section is a read of the case, audited by ``policy.get_case`` with the section's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.access import policy
from tirek.access import selectors as access_selectors
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services, timeline
from .models import Case
from .panels import OVERVIEW, case_panels, render_panels, summary

S = policy.Section
TIMELINE_PAGE_SIZE = 25
NOTES_LIMIT = 50


@dataclass(frozen=True)
class Tab:
    name: str
    label: Any
    sections: frozenset[str]  # a viewer must see one of these sections to open the tab
    template: str = "cases/section/panels.html"


TABS = [
    Tab(OVERVIEW, _("Overview"), frozenset({S.CORE}), "cases/section/overview.html"),
    Tab("plan", _("Plan and assessments"), frozenset({S.PLAN})),
    Tab("notes", _("Notes"), frozenset({S.CORE}), "cases/section/notes.html"),
    Tab("family", _("Family"), frozenset({S.FAMILY})),
    Tab("referrals", _("Referrals and conferences"), frozenset({S.PLAN})),
    # Interview dates reach the case team (plan section); their content law enforcement.
    Tab("interviews", _("Interviews"), frozenset({S.PLAN, S.SECURITY})),
    # Issue 16: an adult's legal status and support (tirek.justice); stigma incidents
    # (tirek.incidents) with a child's contact with a parent in custody (family section).
    Tab("justice", _("Justice pathway"), frozenset({S.SECURITY, S.COUNSELLING})),
    Tab("incidents", _("Incidents and contact"), frozenset({S.INCIDENTS, S.FAMILY})),
    Tab("consent", _("Consent"), frozenset({S.CORE})),
    Tab("timeline", _("Timeline"), frozenset({S.CORE}), "cases/section/timeline.html"),
]
TAB_BY_NAME = {tab.name: tab for tab in TABS}


def visible_tabs(sections: frozenset[str]) -> list[Tab]:
    return [tab for tab in TABS if tab.sections & sections]


def age_on(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def section_url(case: Case, name: str) -> str:
    if name == OVERVIEW:
        return reverse("cases:detail", args=[case.pk])
    return reverse("cases:section", args=[case.pk, name])


# --- what each section shows ------------------------------------------------------------


def _overview(
    request: AuthenticatedHttpRequest, case: Case, sections: frozenset[str]
) -> dict[str, Any]:
    """Facts, return history, team, and the panels of tabs the viewer cannot open (so a
    panel meant for them, such as interviews for law enforcement, is never lost)."""
    open_tabs = {tab.name for tab in visible_tabs(sections)}
    panels = []
    for _order, panel, tab in case_panels:
        if tab == OVERVIEW or tab not in open_tabs:
            content = panel(request, case, sections)
            if content:
                panels.append(content)
    return {
        "team": policy.visible_team(request.user, case, _team(case)),
        "panels": panels,
    }


def _team(case: Case) -> Any:
    loaded = policy.loaded_team(case)  # read by the policy with the case
    return selectors.team_of(case) if loaded is None else loaded


def _notes(
    request: AuthenticatedHttpRequest, case: Case, sections: frozenset[str]
) -> dict[str, Any]:
    user = request.user
    notes = list(selectors.notes_for(user, case)[:NOTES_LIMIT])
    writable = services.note_sections_for(user, case)
    return {
        "notes": notes,
        "own_note_ids": {n.pk for n in notes if n.author_id == user.pk and n.section in writable},
    }


def _timeline(
    request: AuthenticatedHttpRequest, case: Case, sections: frozenset[str]
) -> dict[str, Any]:
    items = timeline.build(case, request.user, limit=1000)
    page = Paginator(items, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "timeline": page.object_list}


def _panels(tab: str) -> Any:
    def build(
        request: AuthenticatedHttpRequest, case: Case, sections: frozenset[str]
    ) -> dict[str, Any]:
        return {"panels": render_panels(request, case, sections, tab)}

    return build


BUILDERS = {OVERVIEW: _overview, "notes": _notes, "timeline": _timeline}


# --- the page ---------------------------------------------------------------------------


def _header(
    request: AuthenticatedHttpRequest, case: Case, sections: frozenset[str]
) -> dict[str, Any]:
    user = request.user
    emergency = None
    if policy.reads_through_emergency_access_only(user, case):
        emergency = access_selectors.active_emergency_access(user, case)
    person = case.person
    return {
        "age": age_on(person.birth_date, timezone.localdate()),
        "emergency": emergency,
        "summary": summary(request, case, sections),
        "person_link": person.merged_into_id is None,
    }


def _read(request: AuthenticatedHttpRequest, pk: int, tab: Tab) -> tuple[Case, frozenset[str]]:
    """The case and what the viewer sees of it, if they may open ``tab``; the read is
    audited with the section it opened. Otherwise a 404, audited as a denied read by the
    policy (the same answer as for a case that does not exist)."""
    user = request.user
    wanted = sorted(tab.sections)[0]
    try:
        case = policy.get_case(user, pk, request=request, audit=False)
    except Http404:
        policy.get_case(user, pk, section=wanted, request=request)  # records the denial
        raise
    case.page_memo = {}  # type: ignore[attr-defined]  # panels share work on one page
    sections = policy.sections_for(user, case)
    opened = sorted(tab.sections & sections)
    if not opened:
        policy.get_case(user, pk, section=wanted, request=request)  # records the denial
        raise Http404
    detail: dict[str, Any] = {"section": opened[0]}
    if tab.name != OVERVIEW:
        detail["view"] = tab.name
    if policy.reads_through_emergency_access_only(user, case):
        detail["emergency"] = True
    record(actor=user, action=Action.READ, obj=case, request=request, detail=detail)
    return case, sections


def _wants_fragment(request: HttpRequest) -> bool:
    """htmx asking for a section only (a history restore needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@login_required
def case_section(request: AuthenticatedHttpRequest, pk: int, tab: str = OVERVIEW) -> HttpResponse:
    spec = TAB_BY_NAME.get(tab)
    if spec is None:
        raise Http404
    user = request.user
    case, sections = _read(request, pk, spec)
    tabs = visible_tabs(sections)
    builder = BUILDERS.get(spec.name, _panels(spec.name))
    context: dict[str, Any] = {
        "case": case,
        "person": case.person,
        "sections": sections,
        "S": S,
        "section_labels": S.LABELS,
        "can_manage": policy.can_manage(user, case),
        "can_write_notes": bool(services.note_sections_for(user, case)),
        "tab": spec,
        "tab_url": section_url(case, spec.name),
        "tabs": [(t, section_url(case, t.name)) for t in tabs],
        **builder(request, case, sections),
    }
    if _wants_fragment(request):
        response = render(request, spec.template, context)
    else:
        context.update(_header(request, case, sections))
        response = render(request, "cases/case_page.html", context)
    response["Vary"] = "HX-Request"
    return response
