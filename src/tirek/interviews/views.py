from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tirek.access.policy import get_case, is_supervisor_of
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import add_errors, flash_refusal
from tirek.core.http import AuthenticatedHttpRequest
from tirek.referrals.links import case_url

from . import selectors, services
from .access import (
    CONTENT,
    REQUEST,
    at_least,
    case_level,
    is_psychologist_on,
    level,
    may_follow_up,
    may_request,
)
from .forms import (
    ApproveForm,
    CancelForm,
    FollowUpForm,
    PlanForm,
    ReadinessForm,
    RecordForm,
    RequestForm,
)
from .models import Interview, InterviewStatus


@login_required
def my_interviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "interviews/mine.html",
        {
            "tasks": selectors.my_interview_tasks(request.user),
            "alerts": selectors.count_alerts(request.user),
        },
    )


def _case_for_interviews(request: AuthenticatedHttpRequest, case_id: int) -> tuple[Any, str]:
    case = get_case(request.user, case_id, request=request)
    found = case_level(request.user, case)
    if found is None and not selectors.case_interviews(request.user, case).exists():
        raise Http404
    return case, found or ""


@login_required
def case_interviews(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case, found = _case_for_interviews(request, case_id)
    return render(
        request,
        "interviews/case.html",
        {
            "case": case,
            "case_link": case_url(case.pk),
            "interviews": selectors.case_interviews(request.user, case),
            "count": selectors.count_for(case),
            "level": found,
            "may_request": case.is_open and may_request(request.user, case),
        },
    )


@login_required
def interview_new(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = get_case(user, case_id, request=request)
    if not may_request(user, case):
        raise Http404
    matters = selectors.matters_of(case)
    form = RequestForm(request.POST or None, matters=matters)
    # "Interview once": the earlier interviews on the chosen matter, before anything else.
    matter_id = request.POST.get("matter") or request.GET.get("matter") or ""
    matter = matters.filter(pk=matter_id).first() if matter_id.isdigit() else None
    if request.method == "GET" and matter is not None:
        form.initial["matter"] = matter.pk
    earlier = (
        list(services.earlier_interviews(matter).select_related("interviewer")) if matter else []
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = data.get("matter") or services.matter_create(
                by=user,
                case=case,
                title=data["new_matter"],
                reference=data.get("new_matter_reference", ""),
                request=request,
            )
            interview = services.interview_request(
                by=user,
                case=case,
                matter=chosen,
                kind=data["kind"],
                requesting_authority=data["requesting_authority"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
                repeat_justification=data.get("repeat_justification", ""),
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc, strip_id=True)
        except (Refused, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The interview request is recorded."))
            return redirect("interviews:detail", interview.pk)
    return render(
        request,
        "interviews/request_form.html",
        {
            "case": case,
            "form": form,
            "matter": matter,
            "matters": matters,
            "earlier": earlier,
            "content": at_least(case_level(user, case), CONTENT),
            "count": selectors.count_for(case),
        },
    )


@login_required
def interview_detail(request: AuthenticatedHttpRequest, interview_id: int) -> HttpResponse:
    user = request.user
    interview = selectors.get_interview(user, interview_id, request=request)
    found = level(user, interview)
    case = interview.case
    earlier = [
        (e, level(user, e))
        for e in services.earlier_interviews(interview.matter, exclude=interview).select_related(
            "interviewer"
        )
    ]
    v = {"version": interview.version}
    is_open = interview.is_open
    return render(
        request,
        "interviews/detail.html",
        {
            "interview": interview,
            "level": found,
            "content": found == CONTENT,
            "request_details": at_least(found, REQUEST),
            "earlier": earlier,
            "count": selectors.count_for(case),
            "case_link": case_url(case.pk),
            "approve_form": ApproveForm(initial=v)
            if interview.needs_approval and is_supervisor_of(user, case) and is_open
            else None,
            "readiness_form": ReadinessForm(
                initial={**v, "readiness": interview.readiness, "note": interview.readiness_note}
            )
            if is_open and is_psychologist_on(user, case)
            else None,
            "plan_form": PlanForm(
                initial={
                    **v,
                    "interviewer": interview.interviewer_id,
                    "scheduled_at": interview.scheduled_at,
                    "time_of_day": interview.time_of_day,
                    "language": interview.language,
                    "interpreter": interview.interpreter,
                    "support_person": interview.support_person,
                    "room": interview.room,
                    "child_friendly_room": interview.child_friendly_room,
                }
            )
            if is_open and may_request(user, case) and not interview.needs_approval
            else None,
            "record_form": RecordForm(initial=v)
            if interview.status == InterviewStatus.PLANNED and interview.interviewer_id == user.pk
            else None,
            "follow_up_form": FollowUpForm(initial={**v, "follow_up": interview.follow_up})
            if interview.status == InterviewStatus.HELD and may_follow_up(user, case)
            else None,
            "cancel_form": CancelForm(initial=v) if is_open and may_request(user, case) else None,
        },
    )


# The steps of an interview's page: each service gets the form's fields.
ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Interview], str]] = {
    "approve": (
        ApproveForm,
        services.interview_approve_repeat,
        _("The repeat interview is approved."),
    ),
    "readiness": (ReadinessForm, services.interview_readiness, _("The readiness is recorded.")),
    "plan": (PlanForm, services.interview_plan, _("The interview is planned.")),
    "record": (RecordForm, services.interview_record, _("The interview is recorded.")),
    "follow-up": (
        FollowUpForm,
        services.interview_follow_up,
        _("The follow-up support is recorded."),
    ),
    "cancel": (CancelForm, services.interview_cancel, _("The interview is cancelled.")),
}


@login_required
@require_POST
def interview_action(
    request: AuthenticatedHttpRequest, interview_id: int, action: str
) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    interview = selectors.get_interview(request.user, interview_id, request=request)
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("interviews:detail", interview.pk)
    try:
        run(by=request.user, interview=interview, request=request, **form.cleaned_data)
    except (ValidationError, Conflict, Refused, PermissionDenied) as exc:
        flash_refusal(request, exc, _("You may not do that."))
    else:
        messages.success(request, str(done))
    return redirect("interviews:detail", interview.pk)
