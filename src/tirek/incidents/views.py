"""Incident pages: the list of a case, recording one, its detail with actions."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access import policy
from tirek.access import selectors as access
from tirek.access.policy import get_case
from tirek.accounts.models import User
from tirek.core.forms import INVALID_OR_FORBIDDEN, add_errors, show_refusal, submit
from tirek.core.http import AuthenticatedHttpRequest
from tirek.referrals.links import case_url

from . import selectors, services
from .forms import ActionForm, CloseForm, IncidentForm
from .models import Incident, IncidentAction

SECTION = Incident.SECTION


# The service names the linked cases ``cases``; the form's field is ``other_cases``.
FIELD_NAMES = {"cases": "other_cases"}


def _explain(form: Form) -> Callable[[Exception], None]:
    return lambda exc: show_refusal(form, exc, rename=FIELD_NAMES)


@login_required
def case_incidents(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = get_case(user, case_id, section=SECTION, request=request)
    return render(
        request,
        "incidents/case.html",
        {
            "case": case,
            "case_link": case_url(case.pk),
            "incidents": selectors.case_incidents(user, case),
            "may_record": case.is_open and policy.can_write(user, case, SECTION),
        },
    )


@login_required
def incident_new(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = get_case(user, case_id, section=SECTION, request=request)
    if not policy.can_write(user, case, SECTION):
        raise PermissionDenied
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        others = [r for r in data.pop("other_cases", "").replace(";", ",").split(",") if r.strip()]
        try:
            incident = services.incident_record(
                by=user, cases=[case.pk, *others], request=request, **data
            )
        except ValidationError as exc:
            add_errors(form, exc, rename=FIELD_NAMES)
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect("incidents:detail", incident_id=incident.pk)
    return render(
        request,
        "incidents/form.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


def _owners(incident: Incident) -> list[tuple[int, str]]:
    """Team members of the incident's cases who see the incidents section."""
    seen: dict[int, str] = {}
    for case in incident.cases.all():
        for member in access.active_team(case).select_related("user"):
            if member.user_id not in seen and policy.can_see(member.user, case, SECTION):
                seen[member.user_id] = member.user.get_full_name() or member.user.username
    return sorted(seen.items(), key=lambda item: item[1])


def _detail(
    request: AuthenticatedHttpRequest,
    incident: Incident,
    action_form: ActionForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    user = request.user
    cases = selectors.linked_cases(user, incident)
    from tirek.audit.models import Action
    from tirek.audit.services import record

    # The cases the page shows, so that the entry says whose incident was read.
    record(
        actor=user,
        action=Action.READ,
        obj=incident,
        request=request,
        detail={"cases": [c.pk for c in cases]},
    )
    writable = any(policy.can_write(user, c, SECTION) for c in cases)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "cases": cases,
            "actions": incident.actions.select_related("owner"),
            "writable": writable,
            "action_form": action_form or ActionForm(owners=_owners(incident)),
            "close_form": close_form or CloseForm(),
        },
        status=400 if (action_form or close_form) else 200,
    )


@login_required
def incident_detail(request: AuthenticatedHttpRequest, incident_id: int) -> HttpResponse:
    return _detail(request, selectors.incident_get(request.user, incident_id))


@login_required
@require_POST
def action_new(request: AuthenticatedHttpRequest, incident_id: int) -> HttpResponse:
    user = request.user
    incident = selectors.incident_get(user, incident_id)
    owners = _owners(incident)
    form = ActionForm(request.POST, owners=owners)

    def add() -> None:
        services.action_add(
            by=user,
            incident=incident,
            description=form.cleaned_data["description"],
            owner=User.objects.get(pk=form.cleaned_data["owner"]),
            due_date=form.cleaned_data["due_date"],
            request=request,
        )

    if submit(request, form, add, failures=INVALID_OR_FORBIDDEN, explain=_explain(form)):
        return redirect("incidents:detail", incident_id=incident.pk)
    return _detail(request, incident, action_form=form)


@login_required
@require_POST
def action_done(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    user = request.user
    action = IncidentAction.objects.filter(
        pk=action_id, incident__in=selectors.visible_incidents(user)
    ).first()
    if action is None:
        raise Http404
    services.action_done(by=user, action=action, request=request)
    return redirect("incidents:detail", incident_id=action.incident_id)


@login_required
@require_POST
def incident_close(request: AuthenticatedHttpRequest, incident_id: int) -> HttpResponse:
    user = request.user
    incident = selectors.incident_get(user, incident_id)
    form = CloseForm(request.POST)
    if submit(
        request,
        form,
        lambda: services.incident_close(
            by=user, incident=incident, outcome=form.cleaned_data["outcome"], request=request
        ),
        failures=INVALID_OR_FORBIDDEN,
        explain=_explain(form),
    ):
        return redirect("incidents:detail", incident_id=incident.pk)
    return _detail(request, incident, close_form=form)
