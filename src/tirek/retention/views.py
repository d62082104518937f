"""The DPO's retention pages. Only the DPO: everyone else, the administrator included,
gets 403. Nothing here shows a name or a narrative — case numbers and counts only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.accounts.decorators import role_required
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core import handover
from tirek.core.forms import add_errors, step_done
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services, subject
from .forms import CloseForm, HoldForm, LiftForm, RequestForm
from .models import (
    BatchStatus,
    DestructionBatch,
    LegalHold,
    RequestKind,
    RequestStatus,
    SubjectRequest,
)
from .schedule import RecordType, country_code, rules_for

dpo_only = role_required(Role.DPO)


def _step(request: HttpRequest, step: Callable[..., object], done: str, **kwargs: Any) -> None:
    """Run one of the DPO's steps: its refusal, or ``done``, comes back as a message."""
    step_done(request, lambda: step(by=request.user, request=request, **kwargs), done)


def _form_refused(request: HttpRequest, form: forms.Form) -> None:
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))


def _audit_view(request: HttpRequest, what: str, **detail: Any) -> None:
    record(
        actor=request.user,
        action=Action.READ,
        object_type=f"retention.{what}",
        request=request,
        detail=detail,
    )


@dpo_only
def work_list(request: HttpRequest) -> HttpResponse:
    due = selectors.due()
    _audit_view(request, "work_list")
    proposed = {b.record_type: b for b in selectors.batches().filter(status=BatchStatus.PROPOSED)}
    rows = [
        {"entry": entry, "batch": proposed.get(entry.rule.record_type)}
        for entry in due
        if entry.total_now or entry.soon or entry.rule.record_type in proposed
    ]
    return render(
        request,
        "retention/work_list.html",
        {
            "rows": rows,
            "holds": selectors.holds().filter(lifted_at__isnull=True),
            "lifted": selectors.holds().filter(lifted_at__isnull=False)[:20],
            "done": selectors.batches().exclude(status=BatchStatus.PROPOSED)[:20],
            "hold_form": HoldForm(),
            "soon_days": selectors.SOON_DAYS,
            "overdue": selectors.overdue_requests(),
        },
    )


@dpo_only
def schedule_page(request: HttpRequest) -> HttpResponse:
    _audit_view(request, "schedule")
    return render(
        request,
        "retention/schedule.html",
        {
            "rules": list(rules_for().values()),
            "country": country_code(),
            "overridden": bool(getattr(settings, "TIREK_RETENTION", {}).get(country_code())),
        },
    )


@dpo_only
def hold_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HoldForm(request.POST or None, initial={"case_number": request.GET.get("case", "")})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.hold_place(by=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The legal hold is in place."))
                return redirect("retention:work_list")
        return render(request, "retention/hold_form.html", {"form": form}, status=422)
    return render(request, "retention/hold_form.html", {"form": form})


@dpo_only
@require_POST
def hold_lift(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=pk)
    form = LiftForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect("retention:work_list")
    _step(
        request,
        services.hold_lift,
        _("The legal hold has been lifted."),
        hold=hold,
        reason=form.cleaned_data["lift_reason"],
    )
    return redirect("retention:work_list")


@dpo_only
@require_POST
def run_pass(request: HttpRequest) -> HttpResponse:
    services.daily_pass()
    messages.success(request, _("The list of what falls due has been brought up to date."))
    return redirect("retention:work_list")


def _batch(pk: int) -> DestructionBatch:
    batch = selectors.batches().filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@dpo_only
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    _audit_view(request, "batch", batch=batch.pk)
    items = batch.items.select_related("case").order_by("due_on", "case__number")
    return render(
        request,
        "retention/batch_detail.html",
        {
            "batch": batch,
            "items": items,
            "held": selectors.held_case_ids(),
            "record_type_label": RecordType(batch.record_type).label,
            "report": services.describe(batch),
        },
    )


@dpo_only
@require_POST
def batch_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    done = _("Approved: the batch is queued and will be carried out shortly.")
    _step(request, services.batch_approve, done, batch=batch)
    return redirect("retention:batch_detail", pk=batch.pk)


@dpo_only
@require_POST
def batch_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    _step(request, services.batch_retry, _("The batch is queued again."), batch=batch)
    return redirect("retention:batch_detail", pk=batch.pk)


def dpo_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    if not selectors.is_dpo(request.user):
        return None
    waiting = selectors.batches().filter(status=BatchStatus.PROPOSED)
    return {
        "title": _("Retention"),
        "template": "retention/panel_dpo.html",
        "count": sum(b.proposed_count for b in waiting),
        "batches": waiting.count(),
    }


# --- subject access -----------------------------------------------------------------------

PACKAGE_SECONDS = 600
PACKAGE = "retention-package"  # what handover keeps a subject-access package under


def _request(pk: int) -> SubjectRequest:
    item = selectors.subject_requests().select_related("person").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@dpo_only
def request_list(request: HttpRequest) -> HttpResponse:
    _audit_view(request, "requests")
    return render(
        request,
        "retention/request_list.html",
        {"requests": selectors.subject_requests()[:200], "overdue": selectors.overdue_requests()},
    )


@dpo_only
def request_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.request_record(
                    by=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The request has been recorded."))
                return redirect("retention:request_detail", pk=item.pk)
        return render(request, "retention/request_form.html", {"form": form}, status=422)
    return render(request, "retention/request_form.html", {"form": form})


@dpo_only
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    report = None
    if item.kind == RequestKind.ACCESS and item.status == RequestStatus.OPEN:
        # The preview reads the whole file: audited as a read of the person.
        report = subject.build(item.person, item.language)
        record(
            actor=request.user,
            action=Action.READ,
            obj=item.person,
            request=request,
            detail={"subject_access_preview": item.pk},
        )
    return render(
        request,
        "retention/request_detail.html",
        {
            "item": item,
            "report": report,
            "preview": subject.preview(report) if report else [],
            "close_form": CloseForm(),
        },
    )


@dpo_only
@require_POST
def request_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    done = _("Approved. The package can now be released.")
    _step(request, services.request_approve, done, item=_request(pk))
    return redirect("retention:request_detail", pk=pk)


@dpo_only
@require_POST
def request_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    try:
        package, password = services.request_release(by=request.user, item=item, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("retention:request_detail", pk=pk)
    # The archive is encrypted; it waits in the cache for one download. The password is
    # only in this response.
    token = handover.hold(request, PACKAGE, item.pk, package, seconds=PACKAGE_SECONDS)
    return handover.not_stored(
        render(
            request,
            "retention/package.html",
            {"item": item, "password": password, "token": token, "minutes": PACKAGE_SECONDS // 60},
        )
    )


@dpo_only
def package_download(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    item_id, package = handover.take(request, PACKAGE, token)
    record(
        actor=request.user,
        action=Action.EXPORT,
        object_type="retention.subjectrequest",
        object_id=item_id,
        request=request,
        detail={"package_downloaded": True},
    )
    return handover.zip_download(package, f"subject-access-{item_id}.zip")


@dpo_only
@require_POST
def request_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return redirect("retention:request_detail", pk=pk)
    _step(
        request,
        services.request_close,
        _("The outcome has been recorded."),
        item=item,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["outcome_note"],
    )
    return redirect("retention:request_detail", pk=pk)


def corrections_panel(
    request: HttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    """On the case page: the record was corrected (or processing objected to), so the
    team reads it knowing that, and does not re-enter what was corrected."""
    from tirek.access.sections import Section

    if Section.CORE not in sections:
        return None
    decided = selectors.decided_requests_of(case.person_id)
    if not decided:
        return None
    return {
        "title": _("Corrections"),
        "template": "retention/panel_corrections.html",
        "decided": decided,
    }
