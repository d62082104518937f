"""Reviews of the plan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.accounts.models import User
from tirek.assessments.models import Assessment, AssessmentStatus
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.exceptions import Refused
from tirek.core.versioning import bump_version

from ..deadlines import deadlines_for
from ..milestones import milestones_refresh
from ..models import Goal, GoalProgress, Plan, Review
from .common import _open_case, _plan


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
