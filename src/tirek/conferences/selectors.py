"""Reads on case conferences, already filtered by the case policy."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from tirek.access import selectors as access
from tirek.access.policy import visible_case_ids
from tirek.audit.models import Action
from tirek.audit.services import record

from .models import ActionItem, ActionStatus, Conference, Participant

if TYPE_CHECKING:
    from tirek.accounts.models import User


def visible_conferences(user: User) -> QuerySet[Conference]:
    """Conferences on at least one case the user may open."""
    on_visible_case = Conference.cases.through.objects.filter(
        conference_id=OuterRef("pk"), case__in=visible_case_ids(user)
    )
    return (
        Conference.objects.filter(Exists(on_visible_case))
        .select_related("unit__agency", "chair")
        .prefetch_related("cases__person")
    )


def with_details(rows: QuerySet[Conference]) -> QuerySet[Conference]:
    """Participants and actions loaded with the page, for pages and answers that show them."""
    return rows.prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("user__agency")),
        Prefetch("actions", queryset=ActionItem.objects.select_related("owner", "case__person")),
    )


def get_conference(
    user: User, conference_id: Any, *, request: HttpRequest | None = None
) -> Conference:
    try:
        conference = with_details(visible_conferences(user)).get(pk=conference_id)
    except (Conference.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    record(
        actor=user,
        action=Action.READ,
        obj=conference,
        request=request,
        detail={"cases": [c.pk for c in conference.cases.all()]},
    )
    return conference


def case_conferences(user: User, case: Any) -> QuerySet[Conference]:
    return visible_conferences(user).filter(cases=case).order_by("-scheduled_at")


def my_actions(user: User) -> QuerySet[ActionItem]:
    """Open actions the user owns, on cases they may still open."""
    return (
        ActionItem.objects.filter(
            owner=user, status=ActionStatus.OPEN, case__in=visible_case_ids(user)
        )
        .select_related("case__person", "conference")
        .order_by("due_date", "id")
    )


def overdue_actions_supervised(user: User) -> QuerySet[ActionItem]:
    """Overdue actions of others on cases of the supervisor's unit."""
    if access.supervised_unit_id(user) is None:  # the policy's answer, admin included
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(
            access.supervised_q(user),
            status=ActionStatus.OPEN,
            due_date__lt=timezone.localdate(),
        )
        .filter(~Q(owner=user))
        .select_related("case__person", "owner", "conference")
        .order_by("due_date", "id")
    )


def upcoming_conferences(user: User) -> QuerySet[Conference]:
    """Scheduled conferences the user is invited to, from today on."""
    return (
        visible_conferences(user)
        .filter(
            participants__user=user,
            status="scheduled",
            scheduled_at__gte=timezone.now() - timedelta(hours=12),
        )
        .order_by("scheduled_at")
    )


def records_about_cases(case_ids: list[int]) -> dict[str, set[int]]:
    """The conferences on these cases and their actions for them, for the audit log's
    filter by case (a conference's later entries name no case)."""
    links = Conference.cases.through.objects.filter(case_id__in=case_ids)
    actions = ActionItem.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)
    return {
        "conferences.conference": set(links.values_list("conference_id", flat=True)),
        "conferences.actionitem": set(actions),
    }
