"""Dashboards, exports and the regional exchange. Aggregates only: no view here reads a
case or lists people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest

from . import comparisons, dashboards, exchange_jobs, permissions, services
from .cube import ROOT
from .forms import ExchangeUploadForm, ExportForm
from .models import Export
from .periods import Period, available_periods


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = permissions.audiences(request.user)
    if not found:
        raise PermissionDenied
    return redirect(_DASHBOARD_URLS[found[0]])


def _dashboard(request: AuthenticatedHttpRequest, audience: str) -> HttpResponse:
    period = Period.parse(request.GET.get("year"))
    board = dashboards.build(
        audience,
        request.user,
        period=period,
        region=str(request.GET.get("region", ROOT))[:80],
        by=str(request.GET.get("by", ""))[:40],
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "periods": available_periods(),
            "tabs": _tabs(request),
            "current_url": request.resolver_match.view_name if request.resolver_match else "",
        },
    )


@login_required
def country(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _dashboard(request, permissions.MINISTRY)


@login_required
def unit(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _dashboard(request, permissions.SUPERVISOR)


@login_required
def training(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _dashboard(request, permissions.TRAINING)


_DASHBOARD_URLS = {
    permissions.MINISTRY: "reports:country",
    permissions.SUPERVISOR: "reports:unit",
    permissions.TRAINING: "reports:training",
}


def _tabs(request: AuthenticatedHttpRequest) -> list[tuple[str, str]]:
    return [
        (_DASHBOARD_URLS[a], str(dashboards.TITLES[a])) for a in permissions.audiences(request.user)
    ]


# --- exports -----------------------------------------------------------------------------


def _may_export(user: User) -> None:
    if not permissions.audiences(user):
        raise PermissionDenied


def _own_export(request: HttpRequest, pk: int) -> Export:
    # Someone else's export is a 404, the same as a missing one.
    return get_object_or_404(Export, pk=pk, requested_by=request.user)


@login_required
def exports(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_export(request.user)
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid():
            export = services.export_request(
                user=request.user,
                kind=form.cleaned_data["kind"],
                audience=form.cleaned_data["audience"],
                year=form.cleaned_data["year"],
                region=form.cleaned_data.get("region") or "",
                language=form.cleaned_data["language"],
                request=request,
            )
            return redirect("reports:export", pk=export.pk)
    else:
        audiences = permissions.audiences(request.user)
        form = ExportForm(
            user=request.user,
            initial={
                "audience": audiences[0],
                "year": Period.current().year,
                "language": "ru",
                "region": ROOT,
            },
        )
    recent = Export.objects.filter(requested_by=request.user)[:20]
    return render(request, "reports/exports.html", {"form": form, "exports": recent})


@login_required
def export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _may_export(request.user)
    return render(request, "reports/export.html", {"export": _own_export(request, pk)})


@login_required
def export_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _may_export(request.user)
    return render(request, "reports/_export_progress.html", {"export": _own_export(request, pk)})


@login_required
def export_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    _may_export(request.user)
    export = _own_export(request, pk)
    if export.status != Export.Status.DONE or export.is_expired or not export.file:
        raise Http404
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=export,
        request=request,
        detail={"kind": export.kind, "stage": "downloaded"},
    )
    content_types: dict[str, str] = {
        Export.Kind.CSV: "text/csv; charset=utf-8",
        Export.Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Export.Kind.PDF: "application/pdf",
        Export.Kind.EXCHANGE: "application/json",
    }
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=content_types.get(export.kind, "application/octet-stream"),
    )


# --- the regional exchange -------------------------------------------------------------


@login_required
def exchange_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.may_import_exchange(request.user):
        raise PermissionDenied
    user = request.user
    assert isinstance(user, User)  # signed in (login_required)
    if request.GET.get("jobs"):  # htmx polls the person's imports while one is waiting
        return render(
            request,
            "reports/_exchange_jobs.html",
            exchange_jobs.recent_jobs(user),
        )
    form = ExchangeUploadForm()
    errors: list[str] = []
    if request.method == "POST":
        form = ExchangeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = exchange_jobs.request_import(
                    user=user,
                    raw=exchange_jobs.read_bounded(upload),
                    source_name=upload.name or "",
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                if job.status == job.Status.FAILED:
                    errors = [str(e) for e in job.errors]
                elif job.result is not None:
                    messages.success(
                        request,
                        _("Imported: %(country)s, %(year)s.")
                        % {"country": job.result.country, "year": job.result.year},
                    )
                    return redirect(f"{reverse('reports:exchange')}?year={job.result.year}")
                else:
                    messages.info(request, _("The file is being imported; the result shows below."))
                    return redirect("reports:exchange")
    period = Period.parse(request.GET.get("year"))
    comparison = comparisons.compare(period, by=str(request.GET.get("by", ""))[:40])
    return render(
        request,
        "reports/exchange.html",
        {
            "form": form,
            "errors": errors,
            "comparison": comparison,
            "periods": available_periods(),
            "period": period,
            **exchange_jobs.recent_jobs(user),
        },
        status=422 if errors else 200,
    )
