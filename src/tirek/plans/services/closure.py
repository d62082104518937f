"""Closing a case (request, approval, return) and reopening it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access.policy import Section, get_case, is_supervisor_of
from tirek.accounts.models import User
from tirek.assessments.services import check_writable
from tirek.audit.models import Action
from tirek.audit.services import record, save_recorded
from tirek.cases.models import Case, CaseStatus
from tirek.core.exceptions import Refused
from tirek.core.races import integrity_error_as
from tirek.core.versioning import update_versioned

from ..deadlines import add_months, deadlines_for
from ..milestones import milestones_refresh
from ..models import (
    CLOSURE_CRITERIA,
    OPEN_GOAL_STATUSES,
    Closure,
    ClosureReason,
    ClosureStatus,
    FollowUp,
    Goal,
)
from .common import (
    STALE,
    _claim,
    _open_case,
    _record_decision,
    _required_text,
    is_case_manager,
)


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
    return save_recorded(
        closure, actor=user, request=request, detail={"case": case.pk, "reason": reason}
    )


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
    _record_decision(user, closure, request, case.pk, "approved")
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
    comment = _required_text(comment, "comment", _("Say why the case stays open."))
    _claim(
        Closure,
        closure.pk,
        expected_version,
        status=ClosureStatus.RETURNED,
        decided_by=user,
        decided_at=timezone.now(),
        decision_comment=comment[:2000],
    )
    _record_decision(user, closure, request, case.pk, "returned")
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
    reason = _required_text(reason, "reason", _("Say why the case is reopened."))
    if len(reason) > 2000:
        raise ValidationError({"reason": _("At most 2000 characters.")})
    now = timezone.now()
    # One open case per person.
    with integrity_error_as(
        ValidationError({"reason": _("This person already has another open case.")})
    ):
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
