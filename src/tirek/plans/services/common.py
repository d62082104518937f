"""What every plan write shares: who may write, the case and plan to write to, the
optimistic-lock update and the checks of references and dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import selectors as access
from tirek.access.policy import Section, get_case
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.assessments.services import check_writable
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseStatus
from tirek.core.exceptions import Refused
from tirek.core.versioning import bump_version, update_versioned

from ..models import FollowUp, Goal, Intervention, Plan

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


def _id_of(model: type[Goal] | type[Intervention] | type[FollowUp], pk: Any, field: str) -> Any:
    """``field`` of the row ``pk`` of ``model``; no such row answers 404."""
    try:
        return model.objects.values_list(field, flat=True).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _record_decision(
    user: User, obj: Any, request: HttpRequest | None, case_id: Any, decision: str, **detail: Any
) -> None:
    """The audit entry of a step in an approval (plan or closure): submitted, approved..."""
    record(
        actor=user,
        action=Action.UPDATE,
        obj=obj,
        request=request,
        detail={"case": case_id, "decision": decision, **detail},
    )


def _required_text(value: str | None, field: str, message: str) -> str:
    """``value`` stripped; empty is a validation error on ``field`` with ``message``."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _check_target(value: date | None, field: str) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value < today - timedelta(days=366 * 3) or value > today + timedelta(days=366 * 5):
        raise ValidationError({field: _("Give a date within a few years of today.")})
