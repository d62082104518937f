from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access.policy import is_supervisor_of
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors, flash_refusal
from tirek.core.http import AuthenticatedHttpRequest
from tirek.referrals.links import case_url

from . import pdf, selectors, services
from .access import can_read_minutes, can_run
from .forms import (
    ActionCloseForm,
    ActionForm,
    AttendanceForm,
    ConferenceForm,
    MinutesForm,
    ParticipantForm,
    team_users,
)
from .models import ActionItem, ActionStatus, Conference, Participant

if TYPE_CHECKING:
    from tirek.accounts.models import User


def _flash_errors(request: HttpRequest, exc: Exception) -> None:
    flash_refusal(request, exc, _("You may not do that."))


@login_required
def conference_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.visible_conferences(request.user).order_by("-scheduled_at", "-id")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "conferences/list.html", {"page": page, "query": ""})


@login_required
def conference_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ConferenceForm(request.POST or None, user=user)
    offered = cast(forms.ModelChoiceField, form.fields["cases"]).queryset
    if offered is None or not offered.exists():
        raise PermissionDenied
    if request.method == "GET" and request.GET.get("case", "").isdigit():
        form.initial["cases"] = [int(request.GET["case"])]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cases = list(data["cases"])
        try:
            conference = services.conference_schedule(
                by=user,
                cases=cases,
                scheduled_at=data["scheduled_at"],
                location=data.get("location", ""),
                agenda=data.get("agenda", ""),
                invite=list(team_users(cases)) if data.get("invite_team") else [],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc, strip_id=True)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The conference is scheduled."))
            return redirect("conferences:detail", conference.pk)
    return render(request, "conferences/form.html", {"form": form})


def _context(request: AuthenticatedHttpRequest, conference: Any) -> dict[str, Any]:
    user = request.user
    minutes = can_read_minutes(user, conference)
    runs = can_run(user, conference)
    cases = conference.cases.all()
    actions = conference.actions.select_related("owner", "case__person")
    if not minutes:
        actions = actions.filter(owner=user)
    return {
        "conference": conference,
        "cases": [(c, case_url(c.pk)) for c in cases],
        "participants": conference.participants.select_related("user__agency"),
        "actions": actions,
        "minutes": minutes,
        "runs": runs,
        "minutes_form": MinutesForm(
            initial={
                "version": conference.version,
                "scheduled_at": conference.scheduled_at,
                "location": conference.location,
                "status": conference.status,
                "agenda": conference.agenda,
                "child_views": conference.child_views,
                "family_views": conference.family_views,
                "decisions": conference.decisions,
            }
        )
        if runs and minutes
        else None,
        "participant_form": ParticipantForm(cases=cases) if runs else None,
        "action_form": ActionForm(cases=cases) if runs else None,
        "attendance_choices": cast(
            forms.ChoiceField, AttendanceForm.base_fields["attendance"]
        ).choices,
        "plans": _approvable_plans(user, conference, cases) if runs else [],
    }


def _approvable_plans(user: User, conference: Any, cases: Any) -> list[Any]:
    """Submitted plans of the conference's cases this user (their supervisor) may approve."""
    if services.plan_approve_service() is None or conference.status == "cancelled":
        return []
    from tirek.plans.models import Plan

    return [
        plan
        for plan in Plan.objects.filter(case__in=cases, status="submitted").select_related("case")
        if is_supervisor_of(user, plan.case) and plan.submitted_by_id != user.pk
    ]


@login_required
@require_POST
def approve_plan(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    case = conference.cases.filter(pk=request.POST.get("case", "") or 0).first()
    if case is None:
        raise Http404
    try:
        services.conference_approve_plan(
            by=request.user,
            conference=conference,
            version=int(request.POST.get("version", "0") or 0),
            case=case,
            plan_version=int(request.POST.get("plan_version", "0") or 0),
            comment=request.POST.get("comment", "")[:1500],
            request=request,
        )
    except (ValidationError, Conflict, Refused, PermissionDenied) as exc:
        _flash_errors(request, exc)
    except ValueError:
        messages.error(request, _("The form was not valid; reload the page."))
    else:
        messages.success(request, _("The plan is approved by the conference."))
    return redirect("conferences:detail", conference.pk)


@login_required
def conference_detail(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    return render(request, "conferences/detail.html", _context(request, conference))


@login_required
@require_POST
def conference_minutes(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    if not can_read_minutes(request.user, conference):
        raise Http404
    form = MinutesForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.conference_update(
                by=request.user,
                conference=conference,
                version=version,
                changes=data,
                request=request,
            )
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect("conferences:detail", conference.pk)
    context = _context(request, conference)
    if form.is_bound:
        context["minutes_form"] = form
    return render(request, "conferences/detail.html", context, status=422)


def _add(
    request: AuthenticatedHttpRequest,
    conference: Conference,
    form: forms.Form,
    add: Callable[..., object],
    done: str,
) -> HttpResponse:
    """Add what the form names to the conference; its errors come back as messages."""
    if form.is_valid():
        try:
            add(by=request.user, conference=conference, request=request, **form.cleaned_data)
        except (ValidationError, PermissionDenied, Refused) as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, done)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("conferences:detail", conference.pk)


@login_required
@require_POST
def participant_add(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    form = ParticipantForm(request.POST, cases=conference.cases.all())
    return _add(request, conference, form, services.participant_add, _("The participant is added."))


@login_required
@require_POST
def attendance(
    request: AuthenticatedHttpRequest, conference_id: int, participant_id: int
) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    participant = get_object_or_404(Participant, conference=conference, pk=participant_id)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_record(
                by=request.user,
                participant=participant,
                attendance=form.cleaned_data["attendance"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            _flash_errors(request, exc)
    return redirect("conferences:detail", conference.pk)


@login_required
@require_POST
def action_add(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    form = ActionForm(request.POST, cases=conference.cases.all())
    return _add(request, conference, form, services.action_add, _("The action is added."))


@login_required
@require_POST
def action_close(request: AuthenticatedHttpRequest, action_id: int) -> HttpResponse:
    item = (
        ActionItem.objects.filter(
            pk=action_id, conference__in=selectors.visible_conferences(request.user)
        )
        .select_related("conference")
        .first()
    )
    if item is None:
        raise Http404
    form = ActionCloseForm(request.POST)
    if form.is_valid():
        try:
            services.action_close(
                by=request.user,
                item=item,
                request=request,
                **form.cleaned_data,
            )
        except (ValidationError, Conflict, Refused, PermissionDenied) as exc:
            _flash_errors(request, exc)
        else:
            messages.success(
                request,
                _("The action is done.")
                if form.cleaned_data["status"] == ActionStatus.DONE
                else _("The action is cancelled."),
            )
    next_url = request.POST.get("next", "")
    if next_url == "home":
        return redirect("home")
    return redirect("conferences:detail", item.conference_id)


@login_required
def minutes_pdf(request: AuthenticatedHttpRequest, conference_id: int) -> HttpResponse:
    conference = selectors.get_conference(request.user, conference_id, request=request)
    if not can_read_minutes(request.user, conference):
        raise Http404
    content = pdf.render(conference)
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=conference,
        request=request,
        detail={"format": "pdf", "cases": [c.pk for c in conference.cases.all()]},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="conference-{conference.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
