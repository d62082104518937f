"""The plan, reviews, closure, follow-ups and task lists in the JSON API.

Every endpoint goes through the case policy (404 when the case is not visible), carries
the version it read on writes (409 when stale) and answers bad input with problem details.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status

from tirek.access.policy import Section, get_case
from tirek.assessments.casework import MAX_ID
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.patching import patch_changes
from tirek.core.validation import BoundedDate, CleanStr, RecordId

from . import selectors, services
from .models import CLOSURE_CRITERIA, Goal, Intervention, Plan
from .panels import task_rows

if TYPE_CHECKING:
    from tirek.accounts.models import User

case_router = Router(tags=["plans"])
tasks_router = Router(tags=["plans"])

CASE_ID = Path(..., ge=1, le=MAX_ID)
OBJ_ID = Path(..., ge=1, le=MAX_ID)
REF = Field(None, ge=1, le=MAX_ID)


def _version_field() -> Any:
    return Field(..., ge=1, le=2_000_000_000)


# --- schemas ----------------------------------------------------------------------------


class InterventionOut(Schema):
    id: int
    version: int
    title: str
    description: str
    provider_id: int | None
    responsible_user_id: int | None
    responsible_name: str
    frequency: str
    start_date: date | None
    end_date: date | None
    status: str


class GoalOut(Schema):
    id: int
    version: int
    domain: str
    title: str
    indicator: str
    target_date: date | None
    responsible_agency_id: int | None
    responsible_user_id: int | None
    responsible_name: str
    status: str
    progress: int
    interventions: list[InterventionOut]


class PlanDecisionOut(Schema):
    decision: str
    by: str
    at: datetime
    comment: str
    version_number: int | None


class PlanOut(Schema):
    id: int | None
    case_id: int
    status: str
    version: int
    approved_number: int
    first_approved_at: datetime | None
    next_review_due_at: datetime | None
    goals: list[GoalOut]
    decisions: list[PlanDecisionOut]
    submit_problems: list[str]


class PlanVersionOut(Schema):
    number: int
    approved_at: datetime
    approved_by: str
    submitted_by: str
    comment: str


class GoalChangeOut(Schema):
    kind: str
    goal_id: int
    title: str
    fields: list[str]
    interventions_added: int
    interventions_removed: int
    interventions_changed: int


class PlanVersionDetailOut(PlanVersionOut):
    content: dict[str, Any]
    changes_from_previous: list[GoalChangeOut] | None


class GoalIn(Schema):
    domain: CleanStr = Field(..., max_length=32)
    title: CleanStr = Field(..., min_length=1, max_length=300)
    indicator: CleanStr = Field("", max_length=300)
    target_date: BoundedDate | None = None
    responsible_agency_id: RecordId | None = REF
    responsible_user_id: RecordId | None = REF
    responsible_name: CleanStr = Field("", max_length=200)
    status: CleanStr = Field("planned", max_length=16)
    progress: int = Field(0, ge=0, le=4)


class GoalPatch(Schema):
    version: int = _version_field()
    domain: CleanStr | None = Field(None, max_length=32)
    title: CleanStr | None = Field(None, min_length=1, max_length=300)
    indicator: CleanStr | None = Field(None, max_length=300)
    target_date: BoundedDate | None = None
    responsible_agency_id: RecordId | None = REF
    responsible_user_id: RecordId | None = REF
    responsible_name: CleanStr | None = Field(None, max_length=200)
    status: CleanStr | None = Field(None, max_length=16)
    progress: int | None = Field(None, ge=0, le=4)


class InterventionIn(Schema):
    title: CleanStr = Field(..., min_length=1, max_length=300)
    description: CleanStr = Field("", max_length=2000)
    provider_id: RecordId | None = REF
    responsible_user_id: RecordId | None = REF
    responsible_name: CleanStr = Field("", max_length=200)
    frequency: CleanStr = Field("", max_length=100)
    start_date: BoundedDate | None = None
    end_date: BoundedDate | None = None
    status: CleanStr = Field("planned", max_length=16)


class InterventionPatch(Schema):
    version: int = _version_field()
    title: CleanStr | None = Field(None, min_length=1, max_length=300)
    description: CleanStr | None = Field(None, max_length=2000)
    provider_id: RecordId | None = REF
    responsible_user_id: RecordId | None = REF
    responsible_name: CleanStr | None = Field(None, max_length=200)
    frequency: CleanStr | None = Field(None, max_length=100)
    start_date: BoundedDate | None = None
    end_date: BoundedDate | None = None
    status: CleanStr | None = Field(None, max_length=16)


class CaseworkVersionIn(Schema):
    version: int = _version_field()


class PlanDecisionIn(Schema):
    version: int = _version_field()
    comment: CleanStr = Field("", max_length=2000)


class GoalProgressIn(Schema):
    goal_id: int = Field(..., ge=1, le=MAX_ID)
    progress: int = Field(..., ge=0, le=4)
    status: CleanStr | None = Field(None, max_length=16)
    comment: CleanStr = Field("", max_length=1000)


class PlanReviewIn(Schema):
    held_on: BoundedDate
    child_views: CleanStr = Field(..., min_length=1, max_length=4000)
    family_views: CleanStr = Field("", max_length=4000)
    decisions: CleanStr = Field(..., min_length=1, max_length=4000)
    next_review_on: BoundedDate | None = None
    assessment_id: RecordId | None = REF
    progress: list[GoalProgressIn] = Field(default_factory=list, max_length=200)


class GoalProgressOut(Schema):
    goal_id: int
    progress: int
    status: str
    comment: str


class PlanReviewOut(Schema):
    id: int
    held_on: date
    plan_version: int
    assessment_id: int | None
    child_views: str
    family_views: str
    decisions: str
    next_review_on: date
    progress: list[GoalProgressOut]


class CaseClosureIn(Schema):
    reason: CleanStr = Field(..., max_length=32)
    checklist: list[CleanStr] = Field(..., max_length=20)
    explanation: CleanStr = Field("", max_length=2000)
    open_goals_explanation: CleanStr = Field("", max_length=2000)


class CaseReopenIn(Schema):
    version: int = _version_field()
    reason: CleanStr = Field(..., min_length=1, max_length=2000)


class CaseFollowUpIn(Schema):
    version: int = _version_field()
    done_on: BoundedDate
    outcome: CleanStr = Field(..., max_length=16)
    notes: CleanStr = Field(..., min_length=1, max_length=4000)
    child_views: CleanStr = Field("", max_length=4000)


class CaseClosureOut(Schema):
    id: int
    version: int
    status: str
    reason: str
    checklist: dict[str, Any]
    open_goals_explanation: str
    requested_at: datetime
    decided_at: datetime | None
    decision_comment: str
    reopened_at: datetime | None


class CaseFollowUpOut(Schema):
    id: int
    version: int
    months: int
    due_at: datetime
    done_on: date | None
    outcome: str
    cancelled: bool


class CaseClosureStateOut(Schema):
    case_status: str
    case_version: int
    criteria: list[str]
    closures: list[CaseClosureOut]
    follow_ups: list[CaseFollowUpOut]


class JourneyDueOut(Schema):
    step: str
    due_at: datetime
    done_at: datetime | None
    months: int | None


class JourneyOut(Schema):
    step: str
    schedule: list[JourneyDueOut]


class CaseTaskOut(Schema):
    case_id: int
    case_number: str
    initials: str
    step: str
    due_at: datetime
    overdue: bool


class CaseTasksOut(Schema):
    count: int
    items: list[CaseTaskOut]


# --- helpers ----------------------------------------------------------------------------


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _plan_out(request: AuthenticatedHttpRequest, case_id: int) -> dict[str, Any]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    plan = selectors.plan_of(case)
    if plan is None:
        return {
            "id": None,
            "case_id": case.pk,
            "status": "draft",
            "version": 0,
            "approved_number": 0,
            "first_approved_at": None,
            "next_review_due_at": None,
            "goals": [],
            "decisions": [],
            "submit_problems": [str(p) for p in services.submit_problems(Plan(case=case))],
        }
    return {
        "id": plan.pk,
        "case_id": case.pk,
        "status": plan.status,
        "version": plan.version,
        "approved_number": plan.approved_number,
        "first_approved_at": plan.first_approved_at,
        "next_review_due_at": plan.next_review_due_at,
        "goals": [_goal(g) for g in plan.goals.all()],
        "decisions": [
            {
                "decision": d.decision,
                "by": _person(d.by),
                "at": d.at,
                "comment": d.comment,
                "version_number": d.version_number,
            }
            for d in plan.decisions.all()
        ],
        "submit_problems": [str(p) for p in services.submit_problems(plan)],
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "version": goal.version,
        "domain": goal.domain,
        "title": goal.title,
        "indicator": goal.indicator,
        "target_date": goal.target_date,
        "responsible_agency_id": goal.responsible_agency_id,
        "responsible_user_id": goal.responsible_user_id,
        "responsible_name": goal.responsible_name,
        "status": goal.status,
        "progress": goal.progress,
        "interventions": [_intervention(i) for i in goal.interventions.all()],
    }


def _intervention(item: Intervention) -> dict[str, Any]:
    return {
        "id": item.pk,
        "version": item.version,
        "title": item.title,
        "description": item.description,
        "provider_id": item.provider_id,
        "responsible_user_id": item.responsible_user_id,
        "responsible_name": item.responsible_name,
        "frequency": item.frequency,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "status": item.status,
    }


def _goal_of_case(request: AuthenticatedHttpRequest, case_id: int, goal_id: int) -> None:
    """A goal of the plan of a case the caller may see (404 otherwise)."""
    get_case(request.user, case_id, section=Section.PLAN, request=request, audit=False)
    if not Goal.objects.filter(pk=goal_id, plan__case_id=case_id).exists():
        raise Http404


def _intervention_of_case(
    request: AuthenticatedHttpRequest, case_id: int, intervention_id: int
) -> None:
    """An intervention of the plan of a case the caller may see (404 otherwise)."""
    get_case(request.user, case_id, section=Section.PLAN, request=request, audit=False)
    if not Intervention.objects.filter(pk=intervention_id, goal__plan__case_id=case_id).exists():
        raise Http404


def _patch(
    request: AuthenticatedHttpRequest,
    payload: Schema,
    model: type[Goal | Intervention],
    update: Callable[..., Any],
    **item_id: int,
) -> Any:
    """A goal's or an intervention's PATCH: the PATCH rule (null clears or is refused),
    then the service with the version the caller read."""
    data = patch_changes(payload, model)
    version = data.pop("version")
    return update(user=request.user, expected_version=version, request=request, **item_id, **data)


# --- the plan ---------------------------------------------------------------------------


@case_router.get("/{case_id}/plan", response=PlanOut)
def plan_get(request: AuthenticatedHttpRequest, case_id: int = CASE_ID) -> dict[str, Any]:
    return _plan_out(request, case_id)


@case_router.get("/{case_id}/plan/versions", response=list[PlanVersionOut])
def plan_version_list(
    request: AuthenticatedHttpRequest, case_id: int = CASE_ID
) -> list[dict[str, Any]]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        return []
    return [
        {
            "number": v.number,
            "approved_at": v.approved_at,
            "approved_by": _person(v.approved_by),
            "submitted_by": _person(v.submitted_by),
            "comment": v.comment,
        }
        for v in selectors.plan_versions(plan)
    ]


@case_router.get("/{case_id}/plan/versions/{number}", response=PlanVersionDetailOut)
def plan_version_get(
    request: AuthenticatedHttpRequest,
    case_id: int = CASE_ID,
    number: int = Path(..., ge=1, le=100_000),
) -> dict[str, Any]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    plan = Plan.objects.filter(case=case).first()
    versions = {v.number: v for v in selectors.plan_versions(plan)} if plan else {}
    version = versions.get(number)
    if version is None:
        raise Http404
    previous = versions.get(number - 1)
    changes = None
    if previous is not None:
        changes = [
            {
                "kind": c.kind,
                "goal_id": c.goal["id"],
                "title": c.goal["title"],
                "fields": [name for name, _old, _new in c.fields],
                "interventions_added": len(c.interventions_added),
                "interventions_removed": len(c.interventions_removed),
                "interventions_changed": len(c.interventions_changed),
            }
            for c in selectors.diff(previous.snapshot, version.snapshot)
        ]
    return {
        "number": version.number,
        "approved_at": version.approved_at,
        "approved_by": _person(version.approved_by),
        "submitted_by": _person(version.submitted_by),
        "comment": version.comment,
        "content": version.snapshot,
        "changes_from_previous": changes,
    }


@case_router.post("/{case_id}/plan/goals", response={201: GoalOut})
def goal_create(
    request: AuthenticatedHttpRequest, payload: GoalIn, case_id: int = CASE_ID
) -> Status:
    goal = services.goal_create(
        user=request.user, case_id=case_id, request=request, **payload.dict()
    )
    return Status(201, _goal(goal))


@case_router.patch("/{case_id}/plan/goals/{goal_id}", response=GoalOut)
def goal_update(
    request: AuthenticatedHttpRequest,
    payload: GoalPatch,
    case_id: int = CASE_ID,
    goal_id: int = OBJ_ID,
) -> dict[str, Any]:
    _goal_of_case(request, case_id, goal_id)
    return _goal(_patch(request, payload, Goal, services.goal_update, goal_id=goal_id))


@case_router.delete("/{case_id}/plan/goals/{goal_id}", response={204: None})
def goal_delete(
    request: AuthenticatedHttpRequest,
    case_id: int = CASE_ID,
    goal_id: int = OBJ_ID,
    version: int = Query(..., ge=1, le=2_000_000_000),
) -> Status:
    _goal_of_case(request, case_id, goal_id)
    services.goal_delete(
        user=request.user, goal_id=goal_id, expected_version=version, request=request
    )
    return Status(204, None)


@case_router.post("/{case_id}/plan/goals/{goal_id}/interventions", response={201: InterventionOut})
def intervention_create(
    request: AuthenticatedHttpRequest,
    payload: InterventionIn,
    case_id: int = CASE_ID,
    goal_id: int = OBJ_ID,
) -> Status:
    _goal_of_case(request, case_id, goal_id)
    item = services.intervention_create(
        user=request.user, goal_id=goal_id, request=request, **payload.dict()
    )
    return Status(201, _intervention(item))


@case_router.patch("/{case_id}/plan/interventions/{intervention_id}", response=InterventionOut)
def intervention_update(
    request: AuthenticatedHttpRequest,
    payload: InterventionPatch,
    case_id: int = CASE_ID,
    intervention_id: int = OBJ_ID,
) -> dict[str, Any]:
    _intervention_of_case(request, case_id, intervention_id)
    item = _patch(
        request,
        payload,
        Intervention,
        services.intervention_update,
        intervention_id=intervention_id,
    )
    return _intervention(item)


@case_router.delete("/{case_id}/plan/interventions/{intervention_id}", response={204: None})
def intervention_delete(
    request: AuthenticatedHttpRequest,
    case_id: int = CASE_ID,
    intervention_id: int = OBJ_ID,
    version: int = Query(..., ge=1, le=2_000_000_000),
) -> Status:
    _intervention_of_case(request, case_id, intervention_id)
    services.intervention_delete(
        user=request.user,
        intervention_id=intervention_id,
        expected_version=version,
        request=request,
    )
    return Status(204, None)


@case_router.post("/{case_id}/plan/submit", response=PlanOut)
def plan_submit(
    request: AuthenticatedHttpRequest, payload: CaseworkVersionIn, case_id: int = CASE_ID
) -> dict[str, Any]:
    services.plan_submit(
        user=request.user, case_id=case_id, expected_version=payload.version, request=request
    )
    return _plan_out(request, case_id)


def _decide(
    request: AuthenticatedHttpRequest,
    case_id: int,
    decide: Callable[..., object],
    payload: PlanDecisionIn,
) -> None:
    """A supervisor's answer to a submitted plan or a proposed closure, with a comment."""
    decide(
        user=request.user,
        case_id=case_id,
        expected_version=payload.version,
        comment=payload.comment,
        request=request,
    )


@case_router.post("/{case_id}/plan/approve", response=PlanOut)
def plan_approve(
    request: AuthenticatedHttpRequest, payload: PlanDecisionIn, case_id: int = CASE_ID
) -> dict[str, Any]:
    _decide(request, case_id, services.plan_approve, payload)
    return _plan_out(request, case_id)


@case_router.post("/{case_id}/plan/return", response=PlanOut)
def plan_return(
    request: AuthenticatedHttpRequest, payload: PlanDecisionIn, case_id: int = CASE_ID
) -> dict[str, Any]:
    _decide(request, case_id, services.plan_return, payload)
    return _plan_out(request, case_id)


# --- journey, reviews -------------------------------------------------------------------


@case_router.get("/{case_id}/journey", response=JourneyOut)
def journey_get(request: AuthenticatedHttpRequest, case_id: int = CASE_ID) -> dict[str, Any]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    journey = selectors.journey(case)
    return {
        "step": journey.step,
        "schedule": [
            {"step": i.step, "due_at": i.due_at, "done_at": i.done_at, "months": i.months}
            for i in journey.items
        ],
    }


def _review(review: Any) -> dict[str, Any]:
    return {
        "id": review.pk,
        "held_on": review.held_on,
        "plan_version": review.plan_version.number,
        "assessment_id": review.assessment_id,
        "child_views": review.child_views,
        "family_views": review.family_views,
        "decisions": review.decisions,
        "next_review_on": review.next_review_on,
        "progress": [
            {"goal_id": p.goal_id, "progress": p.progress, "status": p.status, "comment": p.comment}
            for p in review.progress.all()
        ],
    }


@case_router.get("/{case_id}/reviews", response=list[PlanReviewOut])
def review_list(request: AuthenticatedHttpRequest, case_id: int = CASE_ID) -> list[dict[str, Any]]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request)
    return [_review(r) for r in selectors.case_reviews(case)]


@case_router.post("/{case_id}/reviews", response={201: PlanReviewOut})
def review_create(
    request: AuthenticatedHttpRequest, payload: PlanReviewIn, case_id: int = CASE_ID
) -> Status:
    data = payload.dict()
    review = services.review_create(
        user=request.user,
        case_id=case_id,
        held_on=data["held_on"],
        child_views=data["child_views"],
        family_views=data["family_views"],
        decisions=data["decisions"],
        next_review_on=data["next_review_on"],
        assessment_id=data["assessment_id"],
        progress=data["progress"],
        request=request,
    )
    fresh = selectors.case_reviews(review.case).get(pk=review.pk)
    return Status(201, _review(fresh))


# --- closure and follow-up ----------------------------------------------------------------


def _closure_state(
    request: AuthenticatedHttpRequest, case_id: int, *, audit: bool = True
) -> dict[str, Any]:
    case = get_case(request.user, case_id, section=Section.PLAN, request=request, audit=audit)
    return {
        "case_status": case.status,
        "case_version": case.version,
        "criteria": [key for key, _label in CLOSURE_CRITERIA],
        "closures": [
            {
                "id": c.pk,
                "version": c.version,
                "status": c.status,
                "reason": c.reason,
                "checklist": c.checklist,
                "open_goals_explanation": c.open_goals_explanation,
                "requested_at": c.requested_at,
                "decided_at": c.decided_at,
                "decision_comment": c.decision_comment,
                "reopened_at": c.reopened_at,
            }
            for c in selectors.case_closures(case)
        ],
        "follow_ups": [
            {
                "id": f.pk,
                "version": f.version,
                "months": f.months,
                "due_at": f.due_at,
                "done_on": f.done_on,
                "outcome": f.outcome,
                "cancelled": f.cancelled_at is not None,
            }
            for f in selectors.case_follow_ups(case)
        ],
    }


@case_router.get("/{case_id}/closure", response=CaseClosureStateOut)
def closure_get(request: AuthenticatedHttpRequest, case_id: int = CASE_ID) -> dict[str, Any]:
    return _closure_state(request, case_id)


@case_router.post("/{case_id}/closure", response={201: CaseClosureStateOut})
def closure_request(
    request: AuthenticatedHttpRequest, payload: CaseClosureIn, case_id: int = CASE_ID
) -> Status:
    services.closure_request(
        user=request.user,
        case_id=case_id,
        reason=payload.reason,
        checklist=list(payload.checklist),
        explanation=payload.explanation,
        open_goals_explanation=payload.open_goals_explanation,
        request=request,
    )
    return Status(201, _closure_state(request, case_id, audit=False))


@case_router.post("/{case_id}/closure/approve", response=CaseClosureStateOut)
def closure_approve(
    request: AuthenticatedHttpRequest, payload: PlanDecisionIn, case_id: int = CASE_ID
) -> dict[str, Any]:
    _decide(request, case_id, services.closure_approve, payload)
    return _closure_state(request, case_id, audit=False)


@case_router.post("/{case_id}/closure/return", response=CaseClosureStateOut)
def closure_return(
    request: AuthenticatedHttpRequest, payload: PlanDecisionIn, case_id: int = CASE_ID
) -> dict[str, Any]:
    _decide(request, case_id, services.closure_return, payload)
    return _closure_state(request, case_id, audit=False)


@case_router.post("/{case_id}/reopen", response=CaseClosureStateOut)
def case_reopen(
    request: AuthenticatedHttpRequest, payload: CaseReopenIn, case_id: int = CASE_ID
) -> dict[str, Any]:
    services.case_reopen(
        user=request.user,
        case_id=case_id,
        expected_version=payload.version,
        reason=payload.reason,
        request=request,
    )
    return _closure_state(request, case_id, audit=False)


@case_router.post("/{case_id}/follow-ups/{follow_up_id}", response=CaseClosureStateOut)
def follow_up_record(
    request: AuthenticatedHttpRequest,
    payload: CaseFollowUpIn,
    case_id: int = CASE_ID,
    follow_up_id: int = OBJ_ID,
) -> dict[str, Any]:
    from .models import FollowUp

    get_case(request.user, case_id, section=Section.PLAN, request=request, audit=False)
    if not FollowUp.objects.filter(pk=follow_up_id, case_id=case_id).exists():
        raise Http404
    services.follow_up_record(
        user=request.user,
        follow_up_id=follow_up_id,
        expected_version=payload.version,
        done_on=payload.done_on,
        outcome=payload.outcome,
        notes=payload.notes,
        child_views=payload.child_views,
        request=request,
    )
    return _closure_state(request, case_id, audit=False)


# --- tasks --------------------------------------------------------------------------------


@tasks_router.get("", response=CaseTasksOut)
def my_tasks(
    request: AuthenticatedHttpRequest,
    scope: str = Query("mine", pattern="^(mine|unit)$"),
    overdue: bool = False,
    limit: int = Query(25, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    qs = selectors.due_cases(request.user, scope=scope, overdue_only=overdue)
    rows = task_rows(qs[offset : offset + limit])
    return {
        "count": qs.count(),
        "items": [
            {
                "case_id": r.case.pk,
                "case_number": r.case.number,
                "initials": r.case.person.initials,
                "step": r.step,
                "due_at": r.due_at,
                "overdue": r.overdue,
            }
            for r in rows
        ],
    }
