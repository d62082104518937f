"""Follow-up contacts after a case is closed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access.policy import Section, get_case
from tirek.accounts.models import User
from tirek.assessments.services import check_writable
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Refused

from ..milestones import milestones_refresh
from ..models import FollowUp, FollowUpOutcome
from .common import _claim, _id_of


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
    case_id = _id_of(FollowUp, follow_up_id, "case_id")
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
