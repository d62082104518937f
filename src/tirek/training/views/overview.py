"""The coordinator's overview: the training cascade, training needs and the report."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest

from .. import cascade as cascade_mod
from .. import exports, forms, permissions, reports, selectors


@login_required
def cascade(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.CascadeFilterForm(request.GET or None)
    course = form.cleaned_data.get("course") if form.is_valid() else None
    tree = cascade_mod.build(course.pk if course else None)
    return render(
        request,
        "training/cascade.html",
        {
            "tree": tree,
            "tree_html": cascade_mod.tree_html(cascade_mod.flatten(tree.roots)),
            "form": form,
        },
    )


@login_required
def needs(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.NeedsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    region, agency = data.get("region"), data.get("agency")
    rows = selectors.training_needs(
        request.user,
        region_path=region.path if region else "",
        agency_id=agency.pk if agency else None,
    )
    from django.core.paginator import Paginator

    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/needs.html",
        {"page": page, "total": len(rows), "form": form, "query": query.urlencode()},
    )


@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_coordinator(request.user)
    form = forms.ReportFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    built = reports.build(
        request.user,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        course=data.get("course"),
    )
    if request.GET.get("format") == "csv":
        record(
            actor=request.user, action=Action.EXPORT, object_type="training.report", request=request
        )
        rows: list[list[Any]] = []
        for section, items in (
            (_("Professional group"), built["by_audience"]),
            (_("Sex"), built["by_sex"]),
            (_("Region"), built["by_region"]),
        ):
            rows.extend([section, r.label, r.participants, r.certified] for r in items)
        rows.extend(
            [_("Course"), c["course"].title, c["participants"], c["certified"]]
            for c in built["by_course"]
        )
        return exports.csv_response(
            "training-report.csv",
            [_("Breakdown"), _("Group"), _("Participants"), _("Certified")],
            rows,
        )
    return render(
        request,
        "training/report.html",
        {"form": form, "report": built, "query": request.GET.urlencode()},
    )
