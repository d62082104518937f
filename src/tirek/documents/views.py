"""The case summary pages: the form (and, for a psychologist on the case, the releases of
psychological notes), the one-time password page, and the one download.

A case the viewer may not see is a 404, as everywhere. The archive waits in the cache for
one download by the same user; its password is only in the response that shows it, which
no cache may keep."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.access.policy import Section
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core import handover
from tirek.core.forms import add_errors, step_done, submit
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .forms import ReleaseForm, SummaryForm

ARCHIVE_SECONDS = 10 * 60
SUMMARY = "case-summary"  # what handover keeps a case summary under
MAX_ID = 2**63 - 1


def _case(request: AuthenticatedHttpRequest, pk: int) -> Case:
    """The case, if the viewer may hand over a summary of it (not through emergency
    access, which only lets one read); else 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    user = request.user
    case = policy.get_case(user, pk, request=request)
    if not selectors.may_produce(user, case):
        raise Http404
    return case


def _page(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: SummaryForm,
    release_form: ReleaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_release = selectors.may_release(user, case)
    # Whoever may hand psychological notes over sees to whom they are released (the
    # recipient must be named the same way); only the psychologist changes them.
    sees_releases = may_release or Section.PSYCHOLOGICAL in selectors.visible_sections(user, case)
    context: dict[str, Any] = {
        "case": case,
        "form": form,
        "may_release": may_release,
        "releases": list(selectors.active_releases(case)) if sees_releases else [],
        "release_form": release_form or (ReleaseForm() if may_release else None),
    }
    return render(request, "documents/summary_form.html", context, status=status)


@login_required
def summary_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user = request.user
    form = SummaryForm(request.POST or None, sections=selectors.visible_sections(user, case))
    if request.method != "POST" or not form.is_valid():
        return _page(request, case, form, status=422 if request.method == "POST" else 200)
    data = form.cleaned_data
    try:
        summary = services.summary_produce(
            by=user,
            case=case,
            purpose=data["purpose"],
            purpose_other=data["purpose_other"],
            recipient=data["recipient"],
            sections=list(data["sections"]),
            language=data["language"],
            request=request,
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return _page(request, case, form, status=422)
    token = handover.hold(
        request, SUMMARY, case.pk, summary.filename, summary.archive, seconds=ARCHIVE_SECONDS
    )
    return handover.not_stored(
        render(
            request,
            "documents/summary_ready.html",
            {
                "case": case,
                "password": summary.password,
                "token": token,
                "minutes": ARCHIVE_SECONDS // 60,
            },
        )
    )


@login_required
def summary_download(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    case_id, filename, archive = handover.take(request, SUMMARY, token)
    record(
        actor=request.user,
        action=Action.EXPORT,
        object_type="cases.case",
        object_id=case_id,
        request=request,
        detail={"document": "case_summary", "downloaded": True},
    )
    return handover.zip_download(archive, filename)


@login_required
@require_POST
def release_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    user = request.user
    if not selectors.may_release(user, case):
        raise Http404
    form = ReleaseForm(request.POST)
    if submit(
        request,
        form,
        lambda: services.release_create(
            by=user,
            case=case,
            purpose=form.cleaned_data["purpose"],
            recipient=form.cleaned_data["recipient"],
            request=request,
        ),
        _("Psychological notes released for this purpose and recipient."),
    ):
        return redirect("documents:summary_new", pk=case.pk)
    summary = SummaryForm(sections=selectors.visible_sections(user, case))
    return _page(request, case, summary, release_form=form, status=422)


@login_required
@require_POST
def release_revoke(request: AuthenticatedHttpRequest, pk: int, release_id: int) -> HttpResponse:
    case = _case(request, pk)
    user = request.user
    if not selectors.may_release(user, case) or not 0 < release_id <= MAX_ID:
        raise Http404
    step_done(
        request,
        lambda: services.release_revoke(by=user, case=case, release_id=release_id, request=request),
        _("The release is revoked."),
    )
    return redirect("documents:summary_new", pk=case.pk)
