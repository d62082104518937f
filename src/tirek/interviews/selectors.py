"""Reads on interviews, already filtered by the policy and by level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count as CountOf
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from tirek.access import selectors as access
from tirek.access.policy import visible_cases
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record

from .access import DATES_ROLES, level, visible_interviews
from .models import Interview, InterviewStatus, Matter, Readiness
from .services import alert_threshold, held_count


def get_interview(user: Any, interview_id: Any, *, request: HttpRequest | None = None) -> Interview:
    try:
        interview = (
            visible_interviews(user)
            .select_related("case__person", "matter", "interviewer", "requested_by")
            .get(pk=interview_id)
        )
    except (Interview.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    found = level(user, interview)
    if found is None:
        raise Http404
    record(
        actor=user,
        action=Action.READ,
        obj=interview,
        request=request,
        detail={"case": interview.case_id, "level": found},
    )
    return interview


def case_interviews(user: Any, case: Any) -> QuerySet[Interview]:
    return (
        visible_interviews(user)
        .filter(case=case)
        .select_related("matter", "interviewer")
        .order_by("-requested_at", "-id")
    )


def matters_of(case: Any) -> QuerySet[Matter]:
    return Matter.objects.filter(person_id=case.person_id).order_by("title")


@dataclass(frozen=True)
class Count:
    held: int
    threshold: int

    @property
    def above(self) -> bool:
        return self.held > self.threshold


def count_for(case: Any) -> Count:
    return Count(held=held_count(case.person), threshold=alert_threshold())


def my_interview_tasks(user: Any) -> dict[str, list[Interview]]:
    """What waits for the user: interviews to conduct, repeats to approve, readiness to judge."""
    cases = visible_cases(user)
    base = Interview.objects.filter(case__in=cases).select_related("case__person", "matter")
    tasks: dict[str, list[Interview]] = {
        "conduct": list(
            base.filter(interviewer=user, status=InterviewStatus.PLANNED).order_by("scheduled_at")[
                :10
            ]
        ),
        "approve": [],
        "readiness": [],
    }
    if access.supervised_unit_id(user) is not None:  # the policy's answer, admin included
        tasks["approve"] = list(
            base.filter(
                access.supervised_q(user),
                is_repeat=True,
                repeat_approved_at__isnull=True,
                status__in=[InterviewStatus.REQUESTED, InterviewStatus.PLANNED],
            )[:10]
        )
    psychologist_on = access.on_team(user, "case_id", [Role.PSYCHOLOGIST])
    tasks["readiness"] = list(
        base.filter(
            psychologist_on,
            status__in=[InterviewStatus.REQUESTED, InterviewStatus.PLANNED],
        )
        .exclude(readiness=Readiness.READY)
        .order_by("requested_at")[:10]
    )
    return tasks


def count_alerts(user: Any) -> list[tuple[Any, int]]:
    """Open cases the user leads, supports (case manager, psychologist) or supervises whose
    child has been interviewed more often than the threshold, with the count."""
    from tirek.cases.models import Case

    condition = Q(access.on_team(user, "pk", DATES_ROLES)) | access.supervised_q(user, "")
    cases = visible_cases(user).filter(condition).exclude(status="closed")
    counts = dict(
        Interview.objects.filter(
            status=InterviewStatus.HELD, case__person_id__in=cases.values("person_id")
        )
        .values("case__person_id")
        .annotate(n=CountOf("id"))
        .filter(n__gt=alert_threshold())
        .values_list("case__person_id", "n")
    )
    if not counts:
        return []
    rows = Case.objects.filter(pk__in=cases.values("pk"), person_id__in=counts).select_related(
        "person"
    )
    return [(case, counts[case.person_id]) for case in rows.order_by("number")[:20]]
