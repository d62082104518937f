"""Writes for plans, reviews, closure and follow-up: one function per use case, each
transactional, each leaving its audit entry in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import selectors as access
from tirek.access.policy import Section, get_case, is_supervisor_of
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.assessments.models import Assessment, AssessmentStatus, InstrumentKind
from tirek.assessments.services import check_writable
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseStatus
from tirek.core.exceptions import Conflict, Refused
from tirek.core.versioning import bump_version, update_versioned
from tirek.organisations.models import Agency

from .deadlines import add_months, deadlines_for
from .milestones import milestones_refresh
from .models import (
    CLOSURE_CRITERIA,
    OPEN_GOAL_STATUSES,
    Closure,
    ClosureReason,
    ClosureStatus,
    Decision,
    FollowUp,
    FollowUpOutcome,
    Goal,
    GoalProgress,
    Intervention,
    Plan,
    PlanDecision,
    PlanStatus,
    PlanVersion,
    Review,
)

STALE = "Someone else changed this record; reload it and try again."
GOAL_CONTENT = (
    "domain",
    "title",
    "indicator",
    "target_date",
    "responsible_agency_id",
    "responsible_user_id",
    "responsible_name",
)
GOAL_PROGRESS = ("status", "progress")
INTERVENTION_FIELDS = (
    "title",
    "description",
    "provider_id",
    "responsible_user_id",
    "responsible_name",
    "frequency",
    "start_date",
    "end_date",
    "status",
)


# --- who may do what -----------------------------------------------------------------


def is_case_manager(user: User, case: Case) -> bool:
    """The case's lead worker: the named case manager or a case manager on the team."""
    if case.case_manager_id == user.pk:
        return True
    return access.has_membership(case, user, [Role.CASE_MANAGER])


def _open_case(user: User, case_id: Any, request: HttpRequest | None) -> Case:
    """The case for a plan write: visible with its plan section (else 404) and not closed."""
    case = get_case(user, case_id, section=Section.PLAN, request=request, audit=False)
    check_writable(user, case)
    if case.status == CaseStatus.CLOSED:
        raise Refused(_("The case is closed; reopen it to change the plan."))
    return case


def _plan(case: Case, *, lock: bool = True) -> Plan:
    qs = Plan.objects.select_for_update() if lock else Plan.objects
    plan = qs.filter(case=case).first()
    if plan is None:
        plan = Plan(case=case)
        plan.full_clean(exclude=["case"])
        plan.save()
    plan.case = case
    return plan


def _bump_plan(plan: Plan, **changes: Any) -> None:
    bump_version(Plan, plan.pk, **changes)
    plan.refresh_from_db()


def _claim(model: type[Any], pk: Any, expected_version: Any, **changes: Any) -> None:
    """The optimistic-lock update: changes only if nobody saved since ``expected_version``."""
    if not isinstance(expected_version, int) or isinstance(expected_version, bool):
        raise ValidationError({"version": _("The version you read is required.")})
    update_versioned(model, pk, expected_version, _(STALE), **changes)


def _reference(model: type[Any], pk: Any, field: str, **filters: Any) -> Any:
    if pk in (None, ""):
        return None
    try:
        return model.objects.get(pk=int(pk), **filters)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError({field: _("Choose an existing entry.")}) from exc


def _check_target(value: date | None, field: str) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value < today - timedelta(days=366 * 3) or value > today + timedelta(days=366 * 5):
        raise ValidationError({field: _("Give a date within a few years of today.")})


# --- goals and interventions ------------------------------------------------------------


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
    user: User,
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
    *, user: User, goal_id: Any, expected_version: int, request: HttpRequest | None = None
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
    user: User,
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
    *, user: User, intervention_id: Any, expected_version: int, request: HttpRequest | None = None
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
    record(
        actor=user,
        action=Action.UPDATE,
        obj=plan,
        request=request,
        detail={"case": case.pk, "decision": "submitted"},
    )
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
    user: User,
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


# --- reviews ----------------------------------------------------------------------------


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@transaction.atomic
def review_create(
    *,
    user: User,
    case_id: Any,
    held_on: date,
    child_views: str,
    decisions: str,
    family_views: str = "",
    next_review_on: date | None = None,
    assessment_id: Any = None,
    progress: list[dict[str, Any]] | None = None,
    request: HttpRequest | None = None,
) -> Review:
    """Record a review: the re-assessment, progress per goal, views, decisions, the next date."""
    case = _open_case(user, case_id, request)
    plan = _plan(case)
    if plan.approved_number == 0:
        raise Refused(_("A review needs an approved plan."))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if held_on > today:
        errors["held_on"] = _("The review cannot be dated in the future.")
    elif plan.first_approved_at and held_on < timezone.localtime(plan.first_approved_at).date():
        errors["held_on"] = _("The review cannot be before the plan was approved.")
    if next_review_on is None:
        next_review_on = held_on + deadlines_for().review_interval(case.risk_level)
    elif next_review_on <= held_on or next_review_on > held_on + timedelta(days=366):
        errors["next_review_on"] = _("The next review is after this one and within a year.")
    assessment = None
    if assessment_id not in (None, ""):
        assessment = Assessment.objects.filter(
            pk=assessment_id if str(assessment_id).isdigit() else 0,
            case=case,
            status=AssessmentStatus.COMPLETED,
        ).first()
        if assessment is None:
            errors["assessment_id"] = _("Choose a completed assessment of this case.")
    if errors:
        raise ValidationError(errors)
    version = plan.versions.get(number=plan.approved_number)
    review = Review(
        case=case,
        plan_version=version,
        assessment=assessment,
        held_on=held_on,
        child_views=(child_views or "").strip(),
        family_views=(family_views or "").strip(),
        decisions=(decisions or "").strip(),
        next_review_on=next_review_on,
        created_by=user,
    )
    review.full_clean()
    review.save()
    goals = {g.pk: g for g in plan.goals.all()}
    seen: set[int] = set()
    for index, item in enumerate(progress or []):
        goal = goals.get(_int_or_none(item.get("goal_id")) or 0)
        if goal is None or goal.pk in seen:
            raise ValidationError({f"progress.{index}.goal_id": _("Choose a goal of this plan.")})
        seen.add(goal.pk)
        entry = GoalProgress(
            review=review,
            goal=goal,
            progress=item.get("progress"),  # type: ignore[misc]  # None is refused by full_clean
            status=item.get("status") or goal.status,
            comment=(item.get("comment") or "").strip(),
        )
        try:
            entry.full_clean(exclude=["review", "goal"])
        except ValidationError as exc:
            raise ValidationError(
                {f"progress.{index}.{k}": v for k, v in exc.message_dict.items()}
            ) from exc
        entry.save()
        # The goal shows its latest progress; this is implementation, not a plan change.
        bump_version(Goal, goal.pk, progress=entry.progress, status=entry.status)
    bump_version(Plan, plan.pk, next_review_due_at=end_of_day(next_review_on))
    record(
        actor=user,
        action=Action.CREATE,
        obj=review,
        request=request,
        detail={
            "case": case.pk,
            "goals": sorted(seen),
            "next_review_on": next_review_on.isoformat(),
        },
    )
    milestones_refresh(case.pk)
    return review


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


# --- closure, reopening, follow-up ------------------------------------------------------


def open_goals(case: Case) -> list[Goal]:
    return list(Goal.objects.filter(plan__case=case, status__in=OPEN_GOAL_STATUSES))


@transaction.atomic
def closure_request(
    *,
    user: User,
    case_id: Any,
    reason: str,
    checklist: dict[str, Any] | list[str],
    explanation: str = "",
    open_goals_explanation: str = "",
    request: HttpRequest | None = None,
) -> Closure:
    case = _open_case(user, case_id, request)
    if not is_case_manager(user, case):
        raise PermissionDenied(_("The case manager proposes closing the case."))
    if Closure.objects.filter(case=case, status=ClosureStatus.REQUESTED).exists():
        raise Refused(_("Closing this case is already waiting for approval."))
    confirmed = set(
        checklist if isinstance(checklist, list) else [k for k, v in checklist.items() if v is True]
    )
    errors: dict[str, str] = {}
    known = {key for key, _label in CLOSURE_CRITERIA}
    if confirmed - known:
        errors["checklist"] = _("Unknown closure criteria.")
    elif known - confirmed:
        errors["checklist"] = _("Confirm every closure criterion before closing.")
    if reason not in ClosureReason.values:
        errors["reason"] = _("Choose a reason.")
    if reason == ClosureReason.OTHER and not explanation.strip():
        errors["explanation"] = _("Explain the reason.")
    if open_goals(case) and not open_goals_explanation.strip():
        errors["open_goals_explanation"] = _(
            "Some goals are still open: say why the case closes anyway."
        )
    if errors:
        raise ValidationError(errors)
    closure = Closure(
        case=case,
        reason=reason,
        explanation=explanation.strip(),
        checklist=dict.fromkeys(sorted(confirmed), True),
        open_goals_explanation=open_goals_explanation.strip(),
        requested_by=user,
    )
    closure.full_clean()
    closure.save()
    record(
        actor=user,
        action=Action.CREATE,
        obj=closure,
        request=request,
        detail={"case": case.pk, "reason": reason},
    )
    return closure


def _pending_closure(user: User, case_id: Any, request: HttpRequest | None) -> tuple[Case, Closure]:
    case = _open_case(user, case_id, request)
    if not is_supervisor_of(user, case):
        raise PermissionDenied(_("Only a supervisor of the case's unit decides on closing."))
    closure = (
        Closure.objects.select_for_update()
        .filter(case=case, status=ClosureStatus.REQUESTED)
        .first()
    )
    if closure is None:
        raise Refused(_("Closing this case is not waiting for approval."))
    return case, closure


def case_close(
    *, user: User, case: Case, expected_version: int, request: HttpRequest | None = None
) -> Case:
    """The one write this app makes to a case row: status, closure time, version."""
    now = timezone.now()
    update_versioned(
        Case,
        case.pk,
        expected_version,
        _(STALE),
        where=~Q(status=CaseStatus.CLOSED),
        status=CaseStatus.CLOSED,
        closed_at=now,
        updated_at=now,
    )
    record(
        actor=user,
        action=Action.UPDATE,
        obj=case,
        request=request,
        detail={"status": CaseStatus.CLOSED},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def closure_approve(
    *,
    user: User,
    case_id: Any,
    expected_version: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Closure:
    case, closure = _pending_closure(user, case_id, request)
    if closure.requested_by_id == user.pk:
        raise Refused(_("Closing is approved by someone other than the person who proposed it."))
    now = timezone.now()
    _claim(
        Closure,
        closure.pk,
        expected_version,
        status=ClosureStatus.APPROVED,
        decided_by=user,
        decided_at=now,
        decision_comment=(comment or "").strip()[:2000],
    )
    case = case_close(user=user, case=case, expected_version=case.version, request=request)
    assert case.closed_at is not None
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                case=case, closure=closure, months=months, due_at=add_months(case.closed_at, months)
            )
            for months in deadlines_for().follow_up_months
        ]
    )
    record(
        actor=user,
        action=Action.UPDATE,
        obj=closure,
        request=request,
        detail={"case": case.pk, "decision": "approved"},
    )
    closure.refresh_from_db()
    milestones_refresh(case.pk)
    return closure


@transaction.atomic
def closure_return(
    *,
    user: User,
    case_id: Any,
    expected_version: int,
    comment: str,
    request: HttpRequest | None = None,
) -> Closure:
    case, closure = _pending_closure(user, case_id, request)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the case stays open.")})
    _claim(
        Closure,
        closure.pk,
        expected_version,
        status=ClosureStatus.RETURNED,
        decided_by=user,
        decided_at=timezone.now(),
        decision_comment=comment[:2000],
    )
    record(
        actor=user,
        action=Action.UPDATE,
        obj=closure,
        request=request,
        detail={"case": case.pk, "decision": "returned"},
    )
    closure.refresh_from_db()
    return closure


@transaction.atomic
def case_reopen(
    *,
    user: User,
    case_id: Any,
    expected_version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    """Reopen a closed case (version-checked); pending follow-ups are cancelled."""
    case = get_case(user, case_id, section=Section.PLAN, request=request, audit=False)
    check_writable(user, case)
    if not (is_supervisor_of(user, case) or is_case_manager(user, case)):
        raise PermissionDenied(_("The case manager or the supervisor reopens a case."))
    if case.status != CaseStatus.CLOSED:
        raise Refused(_("The case is not closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("At most 2000 characters.")})
    now = timezone.now()
    try:
        with transaction.atomic():
            update_versioned(
                Case,
                case.pk,
                expected_version,
                _(STALE),
                where=Q(status=CaseStatus.CLOSED),
                status=CaseStatus.REOPENED,
                closed_at=None,
                updated_at=now,
            )
    except IntegrityError as exc:  # one open case per person
        raise ValidationError({"reason": _("This person already has another open case.")}) from exc
    closure = (
        Closure.objects.filter(case=case, status=ClosureStatus.APPROVED)
        .order_by("-decided_at")
        .first()
    )
    if closure is not None:
        closure.status = ClosureStatus.REOPENED
        closure.reopened_by = user
        closure.reopened_at = now
        closure.reopen_reason = reason
        closure.full_clean()
        closure.save(update_fields=["status", "reopened_by", "reopened_at", "reopen_reason"])
    FollowUp.objects.filter(case=case, done_on__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    record(
        actor=user,
        action=Action.UPDATE,
        obj=case,
        request=request,
        detail={"status": CaseStatus.REOPENED, "reopened": True},
    )
    case.refresh_from_db()
    milestones_refresh(case.pk)
    return case


@transaction.atomic
def follow_up_record(
    *,
    user: User,
    follow_up_id: Any,
    expected_version: int,
    done_on: date,
    outcome: str,
    notes: str,
    child_views: str = "",
    request: HttpRequest | None = None,
) -> FollowUp:
    try:
        case_id = FollowUp.objects.values_list("case_id", flat=True).get(pk=follow_up_id)
    except (FollowUp.DoesNotExist, ValueError, TypeError) as exc:
        from django.http import Http404

        raise Http404 from exc
    case = get_case(user, case_id, section=Section.PLAN, request=request, audit=False)
    check_writable(user, case)
    follow_up = FollowUp.objects.get(pk=follow_up_id)
    if not follow_up.is_pending:
        raise Refused(_("This follow-up is already recorded or was cancelled."))
    errors: dict[str, str] = {}
    if done_on > timezone.localdate():
        errors["done_on"] = _("The date cannot be in the future.")
    elif case.closed_at and done_on < timezone.localtime(case.closed_at).date():
        errors["done_on"] = _("A follow-up comes after the closure.")
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = _("Choose an outcome.")
    if not (notes or "").strip():
        errors["notes"] = _("Write what was found.")
    if errors:
        raise ValidationError(errors)
    follow_up.done_on = done_on
    follow_up.done_by = user
    follow_up.outcome = outcome
    follow_up.notes = notes.strip()
    follow_up.child_views = (child_views or "").strip()
    follow_up.full_clean()
    _claim(FollowUp, follow_up.pk, expected_version)
    follow_up.version = expected_version + 1
    follow_up.save(update_fields=["done_on", "done_by", "outcome", "notes", "child_views"])
    record(
        actor=user,
        action=Action.UPDATE,
        obj=follow_up,
        request=request,
        detail={"case": case.pk, "months": follow_up.months, "outcome": outcome},
    )
    milestones_refresh(case.pk)
    return follow_up
