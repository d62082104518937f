"""Keeping ``CaseMilestones`` in step with the records it summarises."""

from __future__ import annotations

from typing import Any

from django.db.models import Min

from tirek.assessments.models import Assessment, AssessmentStatus, InstrumentKind

from .models import CaseMilestones, FollowUp, Plan


def milestones_refresh(case_id: int) -> CaseMilestones:
    """Recompute one case's row from its assessments, plan, reviews and follow-ups."""
    completed = Assessment.objects.filter(case_id=case_id, status=AssessmentStatus.COMPLETED)
    initial = completed.filter(
        kind__in=[InstrumentKind.INITIAL, InstrumentKind.COMPREHENSIVE]
    ).aggregate(at=Min("completed_at"))["at"]
    comprehensive = completed.filter(kind=InstrumentKind.COMPREHENSIVE).aggregate(
        at=Min("completed_at")
    )["at"]
    plan = (
        Plan.objects.filter(case_id=case_id)
        .values("first_approved_at", "next_review_due_at")
        .first()
    )
    live = FollowUp.objects.filter(case_id=case_id, cancelled_at__isnull=True)
    next_follow_up = (
        live.filter(done_on__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    done = sorted(live.filter(done_on__isnull=False).values_list("months", flat=True))
    row, _created = CaseMilestones.objects.update_or_create(
        case_id=case_id,
        defaults={
            "initial_done_at": initial,
            "comprehensive_done_at": comprehensive,
            "plan_approved_at": plan["first_approved_at"] if plan else None,
            "next_review_at": plan["next_review_due_at"] if plan else None,
            "next_follow_up_at": next_follow_up,
            "follow_ups_done": done,
        },
    )
    return row


def on_assessment_completed(sender: Any, assessment: Assessment, **kwargs: Any) -> None:
    milestones_refresh(assessment.case_id)
