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
from ..models import Decision, Goal, Intervention, Plan, PlanDecision, PlanStatus, PlanVersion
from .common import (
    GOAL_CONTENT,
    GOAL_PROGRESS,
    INTERVENTION_FIELDS,
    STALE,
    _bump_plan,
    _check_target,
    _claim,
    _id_of,
    _open_case,
    _plan,
    _record_decision,
    _reference,
    _required_text,
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


def _resolve(values: dict[str, Any], field: str, model: type[Agency] | type[User]) -> None:
    """``values[field]``, when given, as the id of an active ``model`` row (or None)."""
    if field in values:
        found = _reference(model, values[field], field, is_active=True)
        values[field] = found.pk if found else None


def _save_changes(
    *,
    user: User,
    obj: Goal | Intervention,
    plan: Plan,
    values: dict[str, Any],
    expected_version: int,
    content: tuple[str, ...],
    request: HttpRequest | None,
    **extra: Any,
) -> None:
    """Applies ``values`` to a goal or intervention under its version; a change of one of the
    ``content`` fields is a change of the plan (see ``_content_edit_allowed``)."""
    changed = {k for k, v in values.items() if getattr(obj, k) != v}
    plan_changes = _content_edit_allowed(plan) if changed & set(content) else {}
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    if isinstance(obj, Intervention):
        _check_period(obj)
    _claim(type(obj), obj.pk, expected_version, **values, **extra)
    if changed:
        _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.UPDATE,
        obj=obj,
        request=request,
        detail={"case": plan.case_id, "fields": sorted(changed)},
    )
    obj.refresh_from_db()


def _delete(
    *,
    user: User,
    obj: Goal | Intervention,
    object_id: Any,
    plan: Plan,
    expected_version: int,
    request: HttpRequest | None,
) -> None:
    plan_changes = _content_edit_allowed(plan)
    deleted, _rows = type(obj).objects.filter(pk=obj.pk, version=expected_version).delete()
    if not deleted:
        raise Conflict(_(STALE))
    _bump_plan(plan, **plan_changes)
    record(
        actor=user,
        action=Action.DELETE,
        object_type=f"plans.{type(obj)._meta.model_name}",
        object_id=object_id,
        request=request,
        detail={"case": plan.case_id},
    )


def _goal_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in GOAL_CONTENT + GOAL_PROGRESS}
    _resolve(values, "responsible_agency_id", Agency)
    _resolve(values, "responsible_user_id", User)
    if "target_date" in values:
        _check_target(values["target_date"], "target_date")
    return values


@transaction.atomic
def goal_create(
    *, user: User, case_id: Any, request: HttpRequest | None = None, **data: Any
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


def _goal_for(user: User, goal_id: Any, request: HttpRequest | None) -> tuple[Goal, Plan]:
    case_id = _id_of(Goal, goal_id, "plan__case_id")
    case = _open_case(user, case_id, request)
    plan = _plan(case)
    goal = Goal.objects.get(pk=goal_id)
    return goal, plan


@transaction.atomic
def goal_update(
    *,
    user: User,
    goal_id: Any,
    expected_version: int,
    request: HttpRequest | None = None,
    **data: Any,
) -> Goal:
    goal, plan = _goal_for(user, goal_id, request)
    _save_changes(
        user=user,
        obj=goal,
        plan=plan,
        values=_goal_values(data),
        expected_version=expected_version,
        content=GOAL_CONTENT,
        request=request,
        updated_at=timezone.now(),
    )
    return goal


@transaction.atomic
def goal_delete(
    *, user: User, goal_id: Any, expected_version: int, request: HttpRequest | None = None
) -> None:
    goal, plan = _goal_for(user, goal_id, request)
    _content_edit_allowed(plan)
    if goal.reviews.exists():
        raise Refused(_("This goal was reviewed; cancel it instead of deleting it."))
    _delete(
        user=user,
        obj=goal,
        object_id=goal_id,
        plan=plan,
        expected_version=expected_version,
        request=request,
    )


def _intervention_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in INTERVENTION_FIELDS}
    _resolve(values, "provider_id", Agency)
    _resolve(values, "responsible_user_id", User)
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
    *, user: User, goal_id: Any, request: HttpRequest | None = None, **data: Any
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
    user: User, intervention_id: Any, request: HttpRequest | None
) -> tuple[Intervention, Plan]:
    goal_id = _id_of(Intervention, intervention_id, "goal_id")
    _goal, plan = _goal_for(user, goal_id, request)
    return Intervention.objects.get(pk=intervention_id), plan


@transaction.atomic
def intervention_update(
    *,
    user: User,
    intervention_id: Any,
    expected_version: int,
    request: HttpRequest | None = None,
    **data: Any,
) -> Intervention:
    intervention, plan = _intervention_for(user, intervention_id, request)
    _save_changes(
        user=user,
        obj=intervention,
        plan=plan,
        values=_intervention_values(data),
        expected_version=expected_version,
        # Marking a service done or ongoing is implementation, not a change of the plan.
        content=tuple(f for f in INTERVENTION_FIELDS if f != "status"),
        request=request,
    )
    return intervention


@transaction.atomic
def intervention_delete(
    *, user: User, intervention_id: Any, expected_version: int, request: HttpRequest | None = None
) -> None:
    intervention, plan = _intervention_for(user, intervention_id, request)
    _delete(
        user=user,
        obj=intervention,
        object_id=intervention_id,
        plan=plan,
        expected_version=expected_version,
        request=request,
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
    *, user: User, case_id: Any, expected_version: int, request: HttpRequest | None = None
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
    _record_decision(user, plan, request, case.pk, "submitted")
    plan.refresh_from_db()
    return plan


def _supervisor_decision(
    user: User, case_id: Any, request: HttpRequest | None
) -> tuple[Case, Plan]:
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

    def person(user: User | None) -> str:
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
    user: User,
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
    _record_decision(user, plan, request, case.pk, "approved", version=number)
    milestones_refresh(plan.case_id)
    return version


@transaction.atomic
def plan_return(
    *,
    user: User,
    case_id: Any,
    expected_version: int,
    comment: str,
    request: HttpRequest | None = None,
) -> Plan:
    case, plan = _supervisor_decision(user, case_id, request)
    comment = _required_text(comment, "comment", _("Say what needs to change."))
    decision = PlanDecision(plan=plan, decision=Decision.RETURNED, by=user, comment=comment)
    decision.full_clean()
    _claim(Plan, plan.pk, expected_version, status=PlanStatus.RETURNED)
    decision.save()
    _record_decision(user, plan, request, case.pk, "returned")
    plan.refresh_from_db()
    return plan
