"""Reads on interviews, already filtered by the policy and by level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Q, QuerySet, Value, When
from django.db.models import Case as DbCase
from django.db.models import Count as CountOf
from django.http import Http404, HttpRequest

from tirek.access import selectors as access
from tirek.access.policy import visible_case_ids, visible_cases
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.crypto import encrypted_field_names

from .access import DATES_ROLES, level, visible_interviews
from .models import Interview, InterviewStatus, Matter, Readiness
from .services import alert_threshold, held_count

if TYPE_CHECKING:
    from tirek.accounts.models import User


def get_interview(
    user: User, interview_id: Any, *, request: HttpRequest | None = None
) -> Interview:
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


def case_interviews(user: User, case: Any) -> QuerySet[Interview]:
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


# An interviewer's or psychologist's open interviews are a handful; "my work" reads at most this.
TASKS_READ_LIMIT = 300
# The task lists name the child and the dates, none of the encrypted texts.
_NOT_SHOWN_IN_TASKS = (*encrypted_field_names(Interview), "case__return_history")


def my_interview_tasks(user: User) -> dict[str, list[Interview]]:
    """What waits for the user: interviews to conduct, repeats to approve, readiness to judge
    (ten of each, in one query)."""
    open_statuses = [InterviewStatus.REQUESTED, InterviewStatus.PLANNED]
    conduct = Q(interviewer=user, status=InterviewStatus.PLANNED)
    unit_id = access.supervised_unit_id(user)  # the policy's answer, admin included
    approve = Q(pk__in=[])
    if unit_id is not None:
        approve = access.supervised_q(user) & Q(
            is_repeat=True, repeat_approved_at__isnull=True, status__in=open_statuses
        )
    # Readiness is judged by the child's psychologist on the team: only a user who holds
    # the role (as the policy counts memberships) has any to judge.
    readiness = Q(pk__in=[])
    is_ready_task: Any = Value(False, output_field=BooleanField())
    if Role.PSYCHOLOGIST in user.role_set:
        readiness = (
            access.on_team(user, "case_id", [Role.PSYCHOLOGIST])
            & Q(status__in=open_statuses)
            & ~Q(readiness=Readiness.READY)
        )
        is_ready_task = DbCase(
            When(readiness, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    found = list(
        Interview.objects.filter(case__in=visible_case_ids(user))
        .filter(conduct | approve | readiness)
        .annotate(_readiness=is_ready_task)
        .select_related("case__person")  # what the task lists show
        .defer(*_NOT_SHOWN_IN_TASKS)
        .order_by("requested_at", "id")[:TASKS_READ_LIMIT]
    )

    # The two conditions on the row itself are told again in Python (building each
    # condition into the query once more costs more than the query).
    def to_conduct(i: Interview) -> bool:
        return i.interviewer_id == user.pk and i.status == InterviewStatus.PLANNED

    def to_approve(i: Interview) -> bool:
        return (
            unit_id is not None
            and i.case.supervising_unit_id == unit_id
            and i.is_repeat
            and i.repeat_approved_at is None
            and i.status in open_statuses
        )

    def far_future(i: Interview) -> Any:
        return (i.scheduled_at is None, i.scheduled_at or i.requested_at, i.pk)

    conduct_rows: list[Interview] = [i for i in found if to_conduct(i)]
    approve_rows: list[Interview] = [i for i in found if to_approve(i)]
    readiness_rows: list[Interview] = [i for i in found if i._readiness]
    conduct_rows.sort(key=far_future)
    return {
        "conduct": conduct_rows[:10],
        "approve": approve_rows[:10],
        "readiness": readiness_rows[:10],
    }


def count_alerts(user: User, my_open_cases: list[Any] | None = None) -> list[tuple[Any, int]]:
    """Open cases the user leads, supports (case manager, psychologist) or supervises whose
    child has been interviewed more often than the threshold, with the count.

    ``my_open_cases``: every open case on the user's teams that the user may open, by
    number, with the person, when the page read them already ("my work"); for a user who
    supervises no unit the cases come from those, as the team roles read once pick them."""
    from tirek.cases.models import Case

    on_dates_team = access.team_case_ids_read_once(user, DATES_ROLES)
    if on_dates_team is not None and access.supervised_unit_id(user) is None:
        if not on_dates_team:
            return []
        if my_open_cases is not None:
            mine = [c for c in my_open_cases if c.pk in on_dates_team]
            counts = _held_counts([c.person_id for c in mine]) if mine else {}
            return [(c, counts[c.person_id]) for c in mine if c.person_id in counts][:20]
    condition = Q(access.on_team(user, "pk", DATES_ROLES)) | access.supervised_q(user, "")
    cases = visible_cases(user).filter(condition).exclude(status="closed")
    counts = _held_counts(cases.values("person_id"))
    if not counts:
        return []
    rows = (
        Case.objects.filter(pk__in=cases.values("pk"), person_id__in=counts)
        .select_related("person")
        .defer("return_history")
    )
    return [(case, counts[case.person_id]) for case in rows.order_by("number")[:20]]


def _held_counts(person_ids: Any) -> dict[int, int]:
    """Person id -> interviews held, for those of ``person_ids`` above the threshold."""
    return dict(
        Interview.objects.filter(status=InterviewStatus.HELD, case__person_id__in=person_ids)
        .values("case__person_id")
        .annotate(n=CountOf("id"))
        .filter(n__gt=alert_threshold())
        .values_list("case__person_id", "n")
    )
