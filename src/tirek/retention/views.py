"""The DPO's retention pages. Only the DPO: everyone else, the administrator included,
gets 403. Nothing here shows a name or a narrative — case numbers and counts only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.accounts.decorators import role_required
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.views import add_errors

from . import selectors, services
from .forms import HoldForm, LiftForm
from .models import BatchStatus, DestructionBatch, LegalHold
from .schedule import RecordType, country_code, rules_for

dpo_only = role_required(Role.DPO)


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
def hold_new(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST or None, initial={"case_number": request.GET.get("case", "")})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.hold_place(by=request.user, request=request, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The legal hold is in place."))
                return redirect("retention:work_list")
        return render(request, "retention/hold_form.html", {"form": form}, status=422)
    return render(request, "retention/hold_form.html", {"form": form})


@dpo_only
@require_POST
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = LegalHold.objects.filter(pk=pk).first()
    if hold is None:
        raise Http404
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("retention:work_list")
    try:
        services.hold_lift(
            by=request.user,  # type: ignore[arg-type]
            hold=hold,
            reason=form.cleaned_data["lift_reason"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The legal hold has been lifted."))
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
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    try:
        done = services.batch_approve(by=request.user, batch=batch, request=request)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Approved and carried out: %(destroyed)d destroyed, %(held)d held back.")
            % {"destroyed": done.destroyed_count, "held": done.held_back_count},
        )
    return redirect("retention:batch_detail", pk=batch.pk)


def dpo_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not selectors.is_dpo(request.user):
        return None
    waiting = selectors.batches().filter(status=BatchStatus.PROPOSED)
    return {
        "title": _("Retention"),
        "template": "retention/panel_dpo.html",
        "count": sum(b.proposed_count for b in waiting),
        "batches": waiting.count(),
    }
