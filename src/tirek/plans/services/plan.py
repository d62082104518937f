"""Writes of the plan itself: goals and interventions; submitting, approving and returning."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access.policy import is_supervisor_of
from tirek.accounts.models import User
from tirek.assessments.models import Assessment, AssessmentStatus, InstrumentKind
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core.exceptions import Conflict, Refused
from tirek.organisations.models import Agency

from ..milestones import milestones_refresh
from ..models import (
    Decision,
    Goal,
    Intervention,
    Plan,
    PlanDecision,
    PlanStatus,
    PlanVersion,
)
from .common import (
    GOAL_CONTENT,
    GOAL_PROGRESS,
    INTERVENTION_FIELDS,
    STALE,
    _bump_plan,
    _check_target,
    _claim,
    _open_case,
    _plan,
    _reference,
    is_case_manager,
)


def _content_edit_allowed(plan: Plan) -> dict[str, Any]:
    """Goal content cannot change while the supervisor looks at it; changing an approved
    plan starts the next revision (a draft)."""
    if plan.status == PlanStatus.SUBMITTED:
        raise Refused(
            _("The plan is waiting for approval; the supervisor returns it if it needs changes.")
        )
    return {"status": PlanStatus.DRAFT} if plan.status == PlanStatus.APPROVED else {}


def _goal_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in GOAL_CONTENT + GOAL_PROGRESS}
    if "responsible_agency_id" in values:
        agency = _reference(
            Agency, values["responsible_agency_id"], "responsible_agency_id", is_active=True
        )
        values["responsible_agency_id"] = agency.pk if agency else None
    if "responsible_user_id" in values:
        person = _reference(
            User, values["responsible_user_id"], "responsible_user_id", is_active=True
        )
        values["responsible_user_id"] = person.pk if person else None
    if "target_date" in values:
        _check_target(values["target_date"], "target_date")
    return values


@transaction.atomic
def goal_create(
    *, user: Any, case_id: Any, request: HttpRequest | None = None, **data: Any
) -> Goal:
    case = _open_case(user, case_id, request)
    plan = _plan(case)
    plan_changes = _content_edit_allowed(plan)
    values = _goal_values(data)
    goal = Goal(plan=plan, position=plan.goals.count() + 1, **values)
    goal.full_clean()
    goal.save()
    _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.CREATE,
        obj=goal,
        request=request,
        detail={"case": case.pk, "domain": goal.domain},
    )
    return goal


def _goal_for(user: Any, goal_id: Any, request: HttpRequest | None) -> tuple[Goal, Plan]:
    try:
        case_id = Goal.objects.values_list("plan__case_id", flat=True).get(pk=goal_id)
    except (Goal.DoesNotExist, ValueError, TypeError) as exc:
        from django.http import Http404

        raise Http404 from exc
    case = _open_case(user, case_id, request)
    plan = _plan(case)
    goal = Goal.objects.get(pk=goal_id)
    return goal, plan


@transaction.atomic
def goal_update(
    *,
    user: Any,
    goal_id: Any,
    expected_version: int,
    request: HttpRequest | None = None,
    **data: Any,
) -> Goal:
    goal, plan = _goal_for(user, goal_id, request)
    values = _goal_values(data)
    changed = {k: v for k, v in values.items() if getattr(goal, k) != v}
    content_changed = any(k in GOAL_CONTENT for k in changed)
    plan_changes = _content_edit_allowed(plan) if content_changed else {}
    for name, value in values.items():
        setattr(goal, name, value)
    goal.full_clean()
    _claim(Goal, goal.pk, expected_version, **values, updated_at=timezone.now())
    if changed:
        _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.UPDATE,
        obj=goal,
        request=request,
        detail={"case": plan.case_id, "fields": sorted(changed)},
    )
    goal.refresh_from_db()
    return goal


@transaction.atomic
def goal_delete(
    *, user: Any, goal_id: Any, expected_version: int, request: HttpRequest | None = None
) -> None:
    goal, plan = _goal_for(user, goal_id, request)
    plan_changes = _content_edit_allowed(plan)
    if goal.reviews.exists():
        raise Refused(_("This goal was reviewed; cancel it instead of deleting it."))
    deleted, _rows = Goal.objects.filter(pk=goal.pk, version=expected_version).delete()
    if not deleted:
        raise Conflict(_(STALE))
    _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.DELETE,
        object_type="plans.goal",
        object_id=goal_id,
        request=request,
        detail={"case": plan.case_id},
    )


def _intervention_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in INTERVENTION_FIELDS}
    if "provider_id" in values:
        agency = _reference(Agency, values["provider_id"], "provider_id", is_active=True)
        values["provider_id"] = agency.pk if agency else None
    if "responsible_user_id" in values:
        person = _reference(
            User, values["responsible_user_id"], "responsible_user_id", is_active=True
        )
        values["responsible_user_id"] = person.pk if person else None
    for name in ("start_date", "end_date"):
        if name in values:
            _check_target(values[name], name)
    return values


def _check_period(intervention: Intervention) -> None:
    if (
        intervention.start_date
        and intervention.end_date
        and intervention.end_date < intervention.start_date
    ):
        raise ValidationError({"end_date": _("The end cannot be before the start.")})


@transaction.atomic
def intervention_create(
    *, user: Any, goal_id: Any, request: HttpRequest | None = None, **data: Any
) -> Intervention:
    goal, plan = _goal_for(user, goal_id, request)
    plan_changes = _content_edit_allowed(plan)
    intervention = Intervention(goal=goal, **_intervention_values(data))
    intervention.full_clean()
    _check_period(intervention)
    intervention.save()
    _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.CREATE,
        obj=intervention,
        request=request,
        detail={"case": plan.case_id, "goal": goal.pk},
    )
    return intervention


def _intervention_for(
    user: Any, intervention_id: Any, request: HttpRequest | None
) -> tuple[Intervention, Plan]:
    try:
        goal_id = Intervention.objects.values_list("goal_id", flat=True).get(pk=intervention_id)
    except (Intervention.DoesNotExist, ValueError, TypeError) as exc:
        from django.http import Http404

        raise Http404 from exc
    _goal, plan = _goal_for(user, goal_id, request)
    return Intervention.objects.get(pk=intervention_id), plan


@transaction.atomic
def intervention_update(
    *,
    user: Any,
    intervention_id: Any,
    expected_version: int,
    request: HttpRequest | None = None,
    **data: Any,
) -> Intervention:
    intervention, plan = _intervention_for(user, intervention_id, request)
    values = _intervention_values(data)
    changed = {k for k, v in values.items() if getattr(intervention, k) != v}
    # Marking a service done or ongoing is implementation, not a change of the plan.
    plan_changes = _content_edit_allowed(plan) if changed - {"status"} else {}
    for name, value in values.items():
        setattr(intervention, name, value)
    intervention.full_clean()
    _check_period(intervention)
    _claim(Intervention, intervention.pk, expected_version, **values)
    if changed:
        _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.UPDATE,
        obj=intervention,
        request=request,
        detail={"case": plan.case_id, "fields": sorted(changed)},
    )
    intervention.refresh_from_db()
    return intervention


@transaction.atomic
def intervention_delete(
    *, user: Any, intervention_id: Any, expected_version: int, request: HttpRequest | None = None
) -> None:
    intervention, plan = _intervention_for(user, intervention_id, request)
    plan_changes = _content_edit_allowed(plan)
    deleted, _rows = Intervention.objects.filter(
        pk=intervention.pk, version=expected_version
    ).delete()
    if not deleted:
        raise Conflict(_(STALE))
    _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.DELETE,
        object_type="plans.intervention",
        object_id=intervention_id,
        request=request,
        detail={"case": plan.case_id},
    )


# --- submit, approve, return ----------------------------------------------------------


def has_completed_comprehensive(case: Case) -> bool:
    return Assessment.objects.filter(
        case=case, kind=InstrumentKind.COMPREHENSIVE, status=AssessmentStatus.COMPLETED
    ).exists()


def submit_problems(plan: Plan) -> list[str]:
    """The plan's entry criteria for approval; empty when it may be submitted."""
    problems = []
    if not has_completed_comprehensive(plan.case):
        problems.append(_("Complete the comprehensive needs assessment first."))
    goals = list(plan.goals.all()) if plan.pk else []
    if not goals:
        problems.append(_("Add at least one goal."))
    for goal in goals:
        if not (goal.indicator and goal.target_date):
            problems.append(
                _("Goal “%(goal)s” needs an indicator and a target date.") % {"goal": goal.title}
            )
        if not (goal.responsible_agency_id or goal.responsible_user_id or goal.responsible_name):
            problems.append(
                _("Goal “%(goal)s” needs a responsible agency or person.") % {"goal": goal.title}
            )
    return problems


@transaction.atomic
def plan_submit(
    *, user: Any, case_id: Any, expected_version: int, request: HttpRequest | None = None
) -> Plan:
    case = _open_case(user, case_id, request)
    if not is_case_manager(user, case):
        raise PermissionDenied(_("The case manager submits the plan."))
    plan = _plan(case)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        raise Refused(_("Only a draft or returned plan can be submitted."))
    problems = submit_problems(plan)
    if problems:
        raise Refused(" ".join(str(p) for p in problems))
    now = timezone.now()
    _claim(
        Plan,
        plan.pk,
        expected_version,
        status=PlanStatus.SUBMITTED,
        submitted_at=now,
        submitted_by=user,
    )
    PlanDecision.objects.create(plan=plan, decision=Decision.SUBMITTED, by=user, at=now)
    record(
        actor=user,
        action=Action.UPDATE,
        obj=plan,
        request=request,
        detail={"case": case.pk, "decision": "submitted"},
    )
    plan.refresh_from_db()
    return plan


def _supervisor_decision(user: Any, case_id: Any, request: HttpRequest | None) -> tuple[Case, Plan]:
    case = _open_case(user, case_id, request)
    if not is_supervisor_of(user, case):
        raise PermissionDenied(
            _("Only a supervisor of the case's unit approves or returns a plan.")
        )
    plan = _plan(case)
    if plan.status != PlanStatus.SUBMITTED:
        raise Refused(_("The plan is not waiting for approval."))
    return case, plan


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's content as JSON: what an approval freezes and a version shows."""
    goals = (
        plan.goals.select_related("responsible_agency", "responsible_user")
        .prefetch_related("interventions__provider", "interventions__responsible_user")
        .order_by("position", "id")
    )

    def person(user: Any) -> str:
        return (user.get_full_name() or user.username) if user else ""

    return {
        "goals": [
            {
                "id": g.pk,
                "domain": g.domain,
                "title": g.title,
                "indicator": g.indicator,
                "target_date": g.target_date.isoformat() if g.target_date else None,
                "responsible_agency_id": g.responsible_agency_id,
                "responsible_agency": g.responsible_agency.name if g.responsible_agency else "",
                "responsible_user_id": g.responsible_user_id,
                "responsible_user": person(g.responsible_user),
                "responsible_name": g.responsible_name,
                "status": g.status,
                "progress": g.progress,
                "interventions": [
                    {
                        "id": i.pk,
                        "title": i.title,
                        "description": i.description,
                        "provider_id": i.provider_id,
                        "provider": i.provider.name if i.provider else "",
                        "responsible_user_id": i.responsible_user_id,
                        "responsible_user": person(i.responsible_user),
                        "responsible_name": i.responsible_name,
                        "frequency": i.frequency,
                        "start_date": i.start_date.isoformat() if i.start_date else None,
                        "end_date": i.end_date.isoformat() if i.end_date else None,
                        "status": i.status,
                    }
                    for i in g.interventions.all()
                ],
            }
            for g in goals
        ]
    }


@transaction.atomic
def plan_approve(
    *,
    user: Any,
    case_id: Any,
    expected_version: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> PlanVersion:
    case, plan = _supervisor_decision(user, case_id, request)
    if plan.submitted_by_id == user.pk:
        raise Refused(_("A plan is approved by someone other than the person who submitted it."))
    now = timezone.now()
    number = plan.approved_number + 1
    _claim(
        Plan,
        plan.pk,
        expected_version,
        status=PlanStatus.APPROVED,
        approved_number=number,
        first_approved_at=plan.first_approved_at or now,
        last_approved_at=now,
    )
    version = PlanVersion(
        plan=plan,
        number=number,
        snapshot=snapshot(plan),
        submitted_by_id=plan.submitted_by_id,
        submitted_at=plan.submitted_at,
        approved_by=user,
        approved_at=now,
        comment=comment.strip(),
    )
    version.full_clean()
    version.save()
    PlanDecision.objects.create(
        plan=plan,
        decision=Decision.APPROVED,
        by=user,
        at=now,
        comment=comment.strip(),
        version_number=number,
    )
    record(
        actor=user,
        action=Action.UPDATE,
        obj=plan,
        request=request,
        detail={"case": case.pk, "decision": "approved", "version": number},
    )
    milestones_refresh(plan.case_id)
    return version


@transaction.atomic
def plan_return(
    *,
    user: Any,
    case_id: Any,
    expected_version: int,
    comment: str,
    request: HttpRequest | None = None,
) -> Plan:
    case, plan = _supervisor_decision(user, case_id, request)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs to change.")})
    decision = PlanDecision(plan=plan, decision=Decision.RETURNED, by=user, comment=comment)
    decision.full_clean()
    _claim(Plan, plan.pk, expected_version, status=PlanStatus.RETURNED)
    decision.save()
    record(
        actor=user,
        action=Action.UPDATE,
        obj=plan,
        request=request,
        detail={"case": case.pk, "decision": "returned"},
    )
    plan.refresh_from_db()
    return plan
