"""Case screens. Every case is found through ``tirek.access.policy``: a case the user may
not see is a 404, exactly like a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.access import selectors as access
from tirek.audit.models import Action
from tirek.audit.selectors import CASE_TYPE
from tirek.audit.services import record_list, shown
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors, step_done, submit, submit_versioned
from tirek.core.http import AuthenticatedHttpRequest
from tirek.organisations.models import Region

from . import case_page, selectors, services
from .forms import CaseEditForm, CaseFilterForm, NoteEditForm, NoteForm, TeamAddForm
from .models import Case, CaseStatus, CaseTeamMember, Phase, RiskLevel

PAGE_SIZE = 25


def _casework_only(request: AuthenticatedHttpRequest) -> None:
    if not policy.works_on_cases(request.user):
        raise PermissionDenied


def _case(request: AuthenticatedHttpRequest, pk: int, section: str = policy.Section.CORE) -> Case:
    return policy.get_case(request.user, pk, section=section, request=request)


# --- list --------------------------------------------------------------------------------


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _casework_only(request)
    user = request.user
    regions = [
        (r.code, r.name)
        for r in Region.objects.filter(kind__in=[Region.Kind.OBLAST, Region.Kind.CITY])
    ]
    form = CaseFilterForm(request.GET or None, user=user, regions=regions)
    filters = selectors.CaseFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.CaseFilters(
            **{k: v for k, v in form.cleaned_data.items() if v and k != "page"}
        )
    cases = selectors.case_list(user, filters) if not form.errors else Case.objects.none()
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    sections = policy.sections_for_many(user, page.object_list)
    record_list(
        actor=user, object_type="cases.case", rows=page.object_list, request=request,
        kind="name_search" if filters.q else "list",
        action=Action.SEARCH if filters.q else Action.READ,
    )  # fmt: skip
    # Each choice's label translated once per page, not once per row.
    status, phase, risk = (
        {value: str(label) for value, label in choices}
        for choices in (CaseStatus.choices, Phase.choices, RiskLevel.choices)
    )
    region_names: dict[int, str] = {}
    rows = []
    for case in page.object_list:
        region = case.region
        if region is not None and region.pk not in region_names:
            region_names[region.pk] = region.name
        rows.append(
            {
                "case": case,
                "status": status.get(case.status, case.status),
                "phase": phase.get(case.phase, case.phase),
                "risk": risk.get(case.risk_level, case.risk_level),
                "region": region_names[region.pk] if region is not None else "",
                "show_risk": policy.Section.PLAN in sections.get(case.pk, frozenset()),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


# --- one case ----------------------------------------------------------------------------


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case page's overview (see ``case_page``: a summary, then one section at a time)."""
    return case_page.case_section(request, pk)


def _at_note(case: Case, note: Any) -> HttpResponse:
    """To the saved note on the notes section (the anchor scrolls to it and focuses it)."""
    return redirect(reverse("cases:section", args=[case.pk, "notes"]) + f"#note-{note.pk}")


@login_required
def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not policy.can_manage(request.user, case):
        raise PermissionDenied
    sections = policy.sections_for(request.user, case, include_emergency=False)
    initial = {
        "version": case.version,
        "status": case.status,
        "phase": case.phase,
        "risk_level": case.risk_level,
        "protected_identity": case.protected_identity,
        "country_returned_from": case.country_returned_from,
        "return_date": case.return_date,
        "return_history": case.return_history,
    }
    status = 200
    if request.method == "POST":
        form = CaseEditForm(request.POST, initial=initial, sections=sections)

        def update() -> None:
            data = dict(form.cleaned_data)
            version = data.pop("version")
            changes = {k: v for k, v in data.items() if initial.get(k) != v}
            services.case_update(
                by=request.user, case=case, version=version, changes=changes, request=request
            )

        refused = submit_versioned(request, form, update, _("The case has been saved."))
        if refused is None:
            return redirect("cases:detail", pk=case.pk)
        status = refused
    else:
        form = CaseEditForm(initial=initial, sections=sections)
    return render(request, "cases/edit.html", {"case": case, "form": form}, status=status)


# --- team --------------------------------------------------------------------------------


@login_required
def team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    can_manage = policy.can_manage(request.user, case)
    form = TeamAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if submit(
            request,
            form,
            lambda: services.team_member_add(
                by=request.user,
                case=case,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                request=request,
            ),
            _("Added to the team."),
        ):
            return redirect("cases:team", pk=case.pk)
        status = 422
    members = policy.visible_team(request.user, case, selectors.team_of(case))
    return render(
        request,
        "cases/team.html",
        {"case": case, "members": members, "form": form, "can_manage": can_manage},
        status=status,
    )


@login_required
@require_POST
def team_remove(request: AuthenticatedHttpRequest, pk: int, member_id: int) -> HttpResponse:
    case = _case(request, pk)
    if not policy.can_manage(request.user, case):
        raise PermissionDenied
    try:
        member = access.membership(case, member_id)
    except CaseTeamMember.DoesNotExist as exc:
        raise Http404 from exc
    step_done(
        request,
        lambda: services.team_member_remove(
            by=request.user, case=case, member=member, request=request
        ),
        _("Removed from the team."),
        failures=(Refused, ValidationError, Conflict),
    )
    return redirect("cases:team", pk=case.pk)


# --- notes -------------------------------------------------------------------------------


def _uploads(request: HttpRequest) -> list[tuple[str, bytes]]:
    return [(f.name or "file", f.read()) for f in request.FILES.getlist("files")]


@login_required
def note_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    sections = services.note_sections_for(request.user, case)
    if not sections:
        raise PermissionDenied
    initial = {
        "section": services.default_note_section(request.user, case),
        "occurred_on": timezone.localdate(),
    }
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST, request.FILES, sections=sections, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = services.note_create(
                    by=request.user,
                    case=case,
                    kind=data["kind"],
                    section=data["section"],
                    occurred_on=data["occurred_on"],
                    narrative=data["narrative"],
                    files=_uploads(request),
                    third_party=data["third_party"],
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The note has been saved."))
                return _at_note(case, note)
        status = 422
    else:
        form = NoteForm(sections=sections, initial=initial)
    return render(request, "cases/note_form.html", {"case": case, "form": form}, status=status)


@login_required
def note_edit(request: AuthenticatedHttpRequest, pk: int, note_id: int) -> HttpResponse:
    case = _case(request, pk)
    note = selectors.note_get(request.user, case, note_id)
    if note.author_id != request.user.pk:
        raise PermissionDenied
    initial = {
        "version": note.version,
        "occurred_on": note.occurred_on,
        "narrative": note.narrative,
        "third_party": note.third_party,
    }
    status = 200
    if request.method == "POST":
        form = NoteEditForm(request.POST, initial=initial)

        def update() -> None:
            data = form.cleaned_data
            services.note_update(
                by=request.user,
                note=note,
                version=data["version"],
                narrative=data["narrative"],
                occurred_on=data["occurred_on"],
                third_party=data["third_party"],
                request=request,
            )

        refused = submit_versioned(request, form, update, _("The note has been saved."))
        if refused is None:
            return _at_note(case, note)
        status = refused
    else:
        form = NoteEditForm(initial=initial)
    return render(
        request, "cases/note_edit.html", {"case": case, "note": note, "form": form}, status=status
    )


@login_required
def attachment_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment, data = selectors.attachment_download(request.user, pk, request=request)
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.original_name
    )
    response["Cache-Control"] = "no-store"
    return response


# --- my work ------------------------------------------------------------------------------


def my_work_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not policy.works_on_cases(user):
        return None
    caseload = selectors.my_open_caseload(request)  # shared with other apps' panels
    cases = caseload.cases
    lacking = [c for c in cases if caseload.consent[c.person_id].needs_attention]
    unit_count = policy.open_unit_case_count(user)  # None: supervises no unit
    shown(request, CASE_TYPE, [c.pk for c in lacking[:10]])
    return {
        "title": _("My cases"),
        "template": "cases/panel_my_work.html",
        "open_count": len(cases),
        "lacking": lacking[:10],
        "lacking_count": len(lacking),
        "unit_count": unit_count,
    }
