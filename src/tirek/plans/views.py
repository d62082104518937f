"""Plan, review, closure and task pages. Thin: forms in, one service call, redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from tirek.access.policy import (
    Section,
    can_write,
    get_case,
    is_supervisor_of,
    supervised_unit_id,
)
from tirek.assessments.casework import case_context
from tirek.assessments.domains import Domain
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseStatus
from tirek.core.exceptions import Conflict, Refused
from tirek.core.forms import step_done, submit
from tirek.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .deadlines import Step
from .forms import (
    ClosureRequestForm,
    CommentForm,
    FollowUpForm,
    GoalForm,
    InterventionForm,
    ReopenForm,
    ReviewForm,
)
from .models import (
    CLOSURE_CRITERIA,
    ClosureStatus,
    FollowUp,
    Goal,
    GoalStatus,
    Intervention,
    InterventionStatus,
    PlanStatus,
    Progress,
    Review,
)
from .pdf import render_plan
from .phases import ORDER as PHASE_ORDER
from .phases import entry_problems

if TYPE_CHECKING:
    from tirek.accounts.models import User

FAILURES = (ValidationError, Conflict, Refused, PermissionDenied)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _explain(request: HttpRequest, exc: Exception, form: Any = None) -> None:
    """Show a service's refusal: field errors on the form, anything else as a message."""
    if isinstance(exc, ValidationError) and form is not None and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("This is not allowed."))


def _saved(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[], object], done: str
) -> bool:
    """A plan form's step: a refusal shows on the form or as a message (see _explain)."""
    return submit(
        request,
        form,
        save,
        done,
        failures=FAILURES,
        explain=lambda exc: _explain(request, exc, form),
    )


def _case(request: AuthenticatedHttpRequest, case_id: int) -> Case:
    return get_case(request.user, case_id, section=Section.PLAN, request=request)


# --- the plan page ----------------------------------------------------------------------


@login_required
def plan(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    current = selectors.plan_of(case)
    versions = list(selectors.plan_versions(current)) if current else []
    journey = selectors.journey(case)
    next_phase = _next_phase(case)
    editable = (
        case.status != CaseStatus.CLOSED
        and can_write(request.user, case, Section.PLAN)
        and (current is None or current.status != PlanStatus.SUBMITTED)
    )
    return render(
        request,
        "plans/plan.html",
        {
            **case_context(case, "plan"),
            "plan": current,
            "goals": list(current.goals.all()) if current else [],
            "versions": versions,
            "journey": journey,
            "steps": _steps(journey),
            "next_phase": next_phase,
            "phase_problems": entry_problems(
                journey.facts, next_phase, reviews=Review.objects.filter(case=case).count()
            )
            if next_phase
            else [],
            "editable": editable,
            "can_submit": bool(
                current
                and current.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)
                and services.is_case_manager(request.user, case)
                and case.status != CaseStatus.CLOSED
            ),
            "problems": services.submit_problems(current) if current else [],
            "can_decide": bool(
                current
                and current.status == PlanStatus.SUBMITTED
                and is_supervisor_of(request.user, case)
            ),
            "comment_form": CommentForm(),
        },
    )


def _next_phase(case: Case) -> str | None:
    order = [str(p) for p in PHASE_ORDER]
    index = order.index(case.phase) if case.phase in order else -1
    return order[index + 1] if 0 <= index < len(order) - 1 else None


def _steps(journey: Any) -> list[dict[str, Any]]:
    """The journey as a row of labelled steps: done, current, overdue, ahead."""
    by_step: dict[str, Any] = {}
    for item in journey.items:
        by_step.setdefault(item.step, item)
    order = list(Step)
    current_index = order.index(Step(journey.step))
    result = []
    for index, step in enumerate(order):
        item = by_step.get(step)
        state = "done" if index < current_index else ("current" if index == current_index else "")
        if item is not None and item.overdue(journey.now):
            state = "overdue"
        result.append({"label": step.label, "state": state, "item": item})
    return result


def _plan_write(
    request: HttpRequest, case_id: int, action: Callable[[], Any], success: str
) -> HttpResponse:
    step_done(request, action, success, failures=FAILURES, fallback=_("This is not allowed."))
    return redirect("plans:plan", case_id)


@login_required
@require_http_methods(["GET", "POST"])
def goal_new(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = GoalForm(request.POST or None, case=case, initial={"status": "planned", "progress": 0})
    if request.method == "POST" and _saved(
        request,
        form,
        lambda: services.goal_create(
            user=request.user, case_id=case.pk, request=request, **form.service_data()
        ),
        _("The goal is added."),
    ):
        return redirect("plans:plan", case.pk)
    return render(
        request,
        "plans/goal_form.html",
        {**case_context(case, "plan"), "form": form, "goal": None},
        status=422 if request.method == "POST" else 200,
    )


ItemStep = tuple[Callable[..., object], str]  # a service and its success message


def _item_post(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: GoalForm | InterventionForm,
    update: ItemStep,
    delete: ItemStep,
    **item_id: int,
) -> HttpResponse | None:
    """A goal's or an intervention's form posted: its deletion, or its changes saved
    (None: the form is drawn again with what was refused)."""
    version = _version(request)
    if request.POST.get("action") == "delete":
        remove, deleted = delete
        return _plan_write(
            request,
            case.pk,
            lambda: remove(user=request.user, expected_version=version, request=request, **item_id),
            deleted,
        )
    change, saved = update
    if _saved(
        request,
        form,
        lambda: change(
            user=request.user,
            expected_version=version,
            request=request,
            **item_id,
            **form.service_data(),
        ),
        saved,
    ):
        return redirect("plans:plan", case.pk)
    return None


def _goal(case: Case, goal_id: int) -> Goal:
    goal = Goal.objects.filter(pk=goal_id, plan__case=case).first()
    if goal is None:
        raise Http404
    return goal


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: AuthenticatedHttpRequest, case_id: int, goal_id: int) -> HttpResponse:
    case = _case(request, case_id)
    goal = _goal(case, goal_id)
    form = GoalForm(request.POST or None, case=case, goal=goal)
    if request.method == "POST":
        answer = _item_post(
            request,
            case,
            form,
            (services.goal_update, _("The goal is saved.")),
            (services.goal_delete, _("The goal is deleted.")),
            goal_id=goal.pk,
        )
        if answer is not None:
            return answer
    return render(
        request,
        "plans/goal_form.html",
        {**case_context(case, "plan"), "form": form, "goal": goal},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_new(request: AuthenticatedHttpRequest, case_id: int, goal_id: int) -> HttpResponse:
    case = _case(request, case_id)
    goal = _goal(case, goal_id)
    form = InterventionForm(request.POST or None, case=case, initial={"status": "planned"})
    if request.method == "POST" and _saved(
        request,
        form,
        lambda: services.intervention_create(
            user=request.user, goal_id=goal.pk, request=request, **form.service_data()
        ),
        _("The intervention is added."),
    ):
        return redirect("plans:plan", case.pk)
    return render(
        request,
        "plans/intervention_form.html",
        {**case_context(case, "plan"), "form": form, "goal": goal, "intervention": None},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_edit(
    request: AuthenticatedHttpRequest, case_id: int, intervention_id: int
) -> HttpResponse:
    case = _case(request, case_id)
    intervention = (
        Intervention.objects.select_related("goal")
        .filter(pk=intervention_id, goal__plan__case=case)
        .first()
    )
    if intervention is None:
        raise Http404
    form = InterventionForm(request.POST or None, case=case, intervention=intervention)
    if request.method == "POST":
        answer = _item_post(
            request,
            case,
            form,
            (services.intervention_update, _("The intervention is saved.")),
            (services.intervention_delete, _("The intervention is deleted.")),
            intervention_id=intervention.pk,
        )
        if answer is not None:
            return answer
    return render(
        request,
        "plans/intervention_form.html",
        {
            **case_context(case, "plan"),
            "form": form,
            "goal": intervention.goal,
            "intervention": intervention,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def plan_submit(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    return _plan_write(
        request,
        case_id,
        lambda: services.plan_submit(
            user=request.user, case_id=case_id, expected_version=_version(request), request=request
        ),
        _("The plan is submitted for approval."),
    )


@login_required
@require_POST
def plan_decide(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("comment", [])))
        return redirect("plans:plan", case_id)
    if request.POST.get("decision") == "approve":
        return _plan_write(
            request,
            case_id,
            lambda: services.plan_approve(
                user=request.user,
                case_id=case_id,
                expected_version=_version(request),
                comment=comment,
                request=request,
            ),
            _("The plan is approved."),
        )
    return _plan_write(
        request,
        case_id,
        lambda: services.plan_return(
            user=request.user,
            case_id=case_id,
            expected_version=_version(request),
            comment=comment,
            request=request,
        ),
        _("The plan is returned for changes."),
    )


@login_required
def plan_version(request: AuthenticatedHttpRequest, case_id: int, number: int) -> HttpResponse:
    case = _case(request, case_id)
    current = selectors.plan_of(case)
    if current is None:
        raise Http404
    versions = list(selectors.plan_versions(current))
    version = next((v for v in versions if v.number == int(number)), None)
    if version is None:
        raise Http404
    compare_to = request.GET.get("compare", "")
    older = None
    if compare_to.isdigit():
        older = next((v for v in versions if v.number == int(compare_to)), None)
    elif version.number > 1:
        older = next((v for v in versions if v.number == version.number - 1), None)
    changes = selectors.diff(older.snapshot, version.snapshot) if older else []
    return render(
        request,
        "plans/version.html",
        {
            **case_context(case, "plan"),
            "plan": current,
            "version": version,
            "versions": versions,
            "older": older,
            "changes": [_describe(c) for c in changes],
            "goals": [_goal_display(g) for g in version.snapshot.get("goals", [])],
        },
    )


FIELD_LABELS = {
    "domain": _lazy("Domain"),
    "title": _lazy("Goal"),
    "indicator": _lazy("Indicator"),
    "target_date": _lazy("Target date"),
    "responsible_agency": _lazy("Responsible agency"),
    "responsible_user": _lazy("Responsible person"),
    "responsible_name": _lazy("Responsible person (name)"),
    "status": _lazy("Status"),
    "progress": _lazy("Progress"),
    "description": _lazy("Details"),
    "provider": _lazy("Provided by"),
    "frequency": _lazy("How often"),
    "start_date": _lazy("From"),
    "end_date": _lazy("Until"),
}


def _shown(name: str, value: Any, *, intervention: bool = False) -> str:
    """A snapshot value as people read it."""
    if value in (None, ""):
        return "—"
    choices: Any = {
        "domain": Domain,
        "status": InterventionStatus if intervention else GoalStatus,
        "progress": Progress,
    }.get(name)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)
    if name.endswith("_date"):
        try:
            return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _describe(change: Any) -> dict[str, Any]:
    lines = [
        _("Intervention added: %(title)s") % {"title": i["title"]}
        for i in change.interventions_added
    ]
    lines += [
        _("Intervention removed: %(title)s") % {"title": i["title"]}
        for i in change.interventions_removed
    ]
    for item, fields in change.interventions_changed:
        described = "; ".join(
            f"{FIELD_LABELS.get(n, n)}: {_shown(n, a, intervention=True)} → {_shown(n, b, intervention=True)}"
            for n, a, b in fields
        )
        lines.append(
            _("Intervention changed: %(title)s (%(fields)s)")
            % {"title": item["title"], "fields": described}
        )
    return {
        "kind": change.kind,
        "title": change.goal["title"],
        "fields": [
            (FIELD_LABELS.get(n, n), _shown(n, a), _shown(n, b)) for n, a, b in change.fields
        ],
        "interventions": lines,
    }


def _goal_display(goal: dict[str, Any]) -> dict[str, Any]:
    responsible = ", ".join(
        p
        for p in (
            goal.get("responsible_agency"),
            goal.get("responsible_user"),
            goal.get("responsible_name"),
        )
        if p
    )
    return {
        "title": goal["title"],
        "domain": _shown("domain", goal.get("domain")),
        "indicator": goal.get("indicator"),
        "target_date": _shown("target_date", goal.get("target_date")),
        "responsible": responsible,
        "status": _shown("status", goal.get("status")),
        "progress": _shown("progress", goal.get("progress")),
        "interventions": [
            " · ".join(
                p
                for p in (
                    i["title"],
                    ", ".join(
                        x
                        for x in (
                            i.get("provider"),
                            i.get("responsible_user"),
                            i.get("responsible_name"),
                        )
                        if x
                    ),
                    i.get("frequency"),
                    _shown("status", i.get("status"), intervention=True),
                )
                if p
            )
            for i in goal.get("interventions", [])
        ],
    }


@login_required
def plan_pdf(
    request: AuthenticatedHttpRequest, case_id: int, number: int | None = None
) -> HttpResponse:
    """The plan as PDF: a given approved version, or the latest one (else the draft)."""
    case = _case(request, case_id)
    current = selectors.plan_of(case)
    if current is None:
        raise Http404
    version = None
    if number is not None:
        version = (
            current.versions.filter(number=number)
            .select_related("approved_by", "submitted_by")
            .first()
        )
        if version is None:
            raise Http404
    elif current.approved_number and request.GET.get("draft") != "1":
        version = current.versions.select_related("approved_by", "submitted_by").get(
            number=current.approved_number
        )
    if version is not None:
        content = version.snapshot
        approval = {
            "submitted_by": _person(version.submitted_by),
            "submitted_at": version.submitted_at,
            "approved_by": _person(version.approved_by),
            "approved_at": version.approved_at,
            "comment": version.comment,
        }
        body = render_plan(case=case, content=content, number=version.number, approval=approval)
    else:
        body = render_plan(
            case=case, content=services.snapshot(current), number=None, approval=None
        )
    record(
        actor=request.user,
        action=Action.EXPORT,
        obj=case,
        request=request,
        detail={"export": "plan_pdf", "version": version.number if version else "draft"},
    )
    response = HttpResponse(body, content_type="application/pdf")
    suffix = f"v{version.number}" if version else "draft"
    response["Content-Disposition"] = f'attachment; filename="plan-{case.number}-{suffix}.pdf"'
    return response


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


# --- reviews ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reviews(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    current = selectors.plan_of(case)
    goals = list(current.goals.all()) if current else []
    can_review = bool(
        current
        and current.approved_number
        and case.status != CaseStatus.CLOSED
        and can_write(request.user, case, Section.PLAN)
    )
    form = ReviewForm(request.POST or None, case=case, goals=goals) if can_review else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied

        def create() -> None:
            data = form.cleaned_data
            assessment = data["assessment"]
            services.review_create(
                user=request.user,
                case_id=case.pk,
                held_on=data["held_on"],
                child_views=data["child_views"],
                family_views=data["family_views"],
                decisions=data["decisions"],
                next_review_on=data["next_review_on"],
                assessment_id=assessment.pk if assessment else None,
                progress=form.progress(),
                request=request,
            )

        if _saved(request, form, create, _("The review is recorded.")):
            return redirect("plans:reviews", case.pk)
    return render(
        request,
        "plans/reviews.html",
        {
            **case_context(case, "reviews"),
            "plan": current,
            "reviews": list(selectors.case_reviews(case)),
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


# --- closure and follow-up ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def closure(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    closures = list(selectors.case_closures(case))
    pending = next((c for c in closures if c.status == ClosureStatus.REQUESTED), None)
    writable = can_write(request.user, case, Section.PLAN)
    can_request = (
        writable
        and pending is None
        and case.status != CaseStatus.CLOSED
        and services.is_case_manager(request.user, case)
    )
    request_form = ClosureRequestForm(request.POST or None) if can_request else None
    if request.method == "POST":
        response = _closure_post(request, case, pending, request_form)
        if response is not None:
            return response
    follow_ups = list(selectors.case_follow_ups(case))
    return render(
        request,
        "plans/closure.html",
        {
            **case_context(case, "closure"),
            "closures": closures,
            "pending": pending,
            "request_form": request_form,
            "criteria": CLOSURE_CRITERIA,
            "open_goals": services.open_goals(case),
            "can_decide": bool(pending and is_supervisor_of(request.user, case)),
            "comment_form": CommentForm(),
            "follow_ups": follow_ups,
            "follow_up_forms": {
                f.pk: FollowUpForm(prefix=f"fu{f.pk}") for f in follow_ups if f.is_pending
            }
            if writable
            else {},
            "can_reopen": case.status == CaseStatus.CLOSED
            and writable
            and (
                is_supervisor_of(request.user, case) or services.is_case_manager(request.user, case)
            ),
            "reopen_form": ReopenForm(),
        },
        status=422 if request.method == "POST" else 200,
    )


def _closure_post(
    request: AuthenticatedHttpRequest,
    case: Case,
    pending: Any,
    request_form: ClosureRequestForm | None,
) -> HttpResponse | None:
    action = request.POST.get("action", "")
    done = redirect("plans:closure", case.pk)
    try:
        if action == "request":
            if request_form is None:
                raise PermissionDenied(_("The case manager proposes closing the case."))
            if not request_form.is_valid():
                return None
            data = request_form.cleaned_data
            services.closure_request(
                user=request.user,
                case_id=case.pk,
                reason=data["reason"],
                checklist=list(data["checklist"]),
                explanation=data["explanation"],
                open_goals_explanation=data["open_goals_explanation"],
                request=request,
            )
            messages.success(request, _("Closing is proposed to the supervisor."))
        elif action in ("approve", "return"):
            form: forms.Form = CommentForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("The comment is too long or has control characters."))
                return done
            decide = services.closure_approve if action == "approve" else services.closure_return
            decide(
                user=request.user,
                case_id=case.pk,
                expected_version=_version(request),
                comment=form.cleaned_data["comment"],
                request=request,
            )
            messages.success(
                request,
                _("The case is closed; follow-ups are scheduled.")
                if action == "approve"
                else _("Closing is returned; the case stays open."),
            )
        elif action == "reopen":
            form = ReopenForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the case is reopened."))
                return done
            services.case_reopen(
                user=request.user,
                case_id=case.pk,
                expected_version=_version(request),
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("The case is reopened."))
        elif action == "follow_up":
            follow_up = FollowUp.objects.filter(
                pk=request.POST.get("follow_up", "0")
                if str(request.POST.get("follow_up", "")).isdigit()
                else 0,
                case=case,
            ).first()
            if follow_up is None:
                raise Http404
            form = FollowUpForm(request.POST, prefix=f"fu{follow_up.pk}")
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return done
            services.follow_up_record(
                user=request.user,
                follow_up_id=follow_up.pk,
                expected_version=_version(request),
                request=request,
                **form.cleaned_data,
            )
            messages.success(request, _("The follow-up is recorded."))
        else:
            raise Http404
    except FAILURES as exc:
        _explain(request, exc, request_form if action == "request" else None)
        if action == "request" and request_form is not None and request_form.errors:
            return None
    return done


# --- tasks ------------------------------------------------------------------------------


@login_required
def tasks(request: AuthenticatedHttpRequest) -> HttpResponse:
    from .panels import task_rows

    scope = request.GET.get("scope", "mine")
    if scope not in ("mine", "unit"):
        scope = "mine"
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.due_cases(request.user, scope=scope, overdue_only=overdue)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/tasks.html",
        {
            "page": page,
            "rows": task_rows(page.object_list),
            "scope": scope,
            "overdue": overdue,
            "query": query.urlencode(),
            "is_supervisor": supervised_unit_id(request.user) is not None,
        },
    )
