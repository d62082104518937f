from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tirek.accounts.decorators import role_required
from tirek.accounts.roles import Role
from tirek.core.querying import planned_for_their_values
from tirek.core.uncounted import open_page

from . import presentation, selectors, services
from .forms import AuditFilterForm
from .models import Action


@role_required(Role.DPO)
def audit_log(request: HttpRequest) -> HttpResponse:
    kinds = sorted(
        ((kind, presentation.kind_label(kind)) for kind in selectors.object_types()),
        key=lambda pair: pair[1].lower(),
    )
    form = AuditFilterForm(request.GET or None, kinds=kinds)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(**{k: v for k, v in filters.items() if v})
    with planned_for_their_values():  # the GIN index of the detail, however often asked
        page = open_page(entries, 50, request.GET.get("page"))  # the log is not counted
    services.record(
        actor=request.user,
        action=Action.READ,
        object_type="audit.log",
        request=request,
        detail={"filters": {k: str(v) for k, v in filters.items() if v}},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": presentation.rows(page.rows),
            "query": query.urlencode(),
        },
    )


@role_required(Role.DPO)
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = services.verify()
    services.record(
        actor=request.user, action=Action.READ, object_type="audit.verify", request=request
    )
    return render(request, "audit/verify.html", {"report": report})
