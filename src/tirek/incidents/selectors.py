"""Reads of incidents, always through the policy's cases with the INCIDENTS section."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tirek.access import policy
from tirek.accounts.models import User
from tirek.cases.models import Case

from .models import Incident, IncidentAction


def _open_to(user: User) -> QuerySet[Case]:
    return policy.cases_with_section(user, Incident.SECTION)


def _on_a_visible_case(user: User, incident: str = "pk") -> Exists:
    """Whether the incident ``incident`` names (in the outer query) is linked to a case
    whose incidents ``user`` may see."""
    through = Incident.cases.through.objects.filter(
        incident_id=OuterRef(incident),
        case__in=policy.case_ids_with_section(user, Incident.SECTION),
    )
    return Exists(through)


def visible_incidents(user: User) -> QuerySet[Incident]:
    return Incident.objects.filter(_on_a_visible_case(user))


def case_incidents(user: User, case: Case) -> QuerySet[Incident]:
    if not policy.can_see(user, case, Incident.SECTION):
        return Incident.objects.none()
    return Incident.objects.filter(cases=case).prefetch_related("actions__owner")


def incident_get(user: User, pk: Any) -> Incident:
    try:
        return visible_incidents(user).get(pk=int(pk))
    except (Incident.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def linked_cases(user: User, incident: Incident) -> list[Case]:
    """The incident's cases that ``user`` may see the incidents of (no others are named)."""
    return list(_open_to(user).filter(incidents=incident).order_by("number"))


def my_open_actions(user: User) -> QuerySet[IncidentAction]:
    """Open actions owned by ``user`` on incidents they still see, soonest first."""
    return (
        IncidentAction.objects.filter(owner=user, done_on__isnull=True)
        # Asked of each of the user's few open actions, not as "among the visible
        # incidents", which SQLite answered by going through every incident.
        .filter(_on_a_visible_case(user, "incident_id"))
        .select_related("incident")
        .order_by("due_date", "id")
    )


def records_about_cases(case_ids: list[int]) -> dict[str, set[int]]:
    """The incidents linked to these cases and their actions, for the audit log's filter
    by case (an action's entries name its incident, not the cases)."""
    links = Incident.cases.through.objects.filter(case_id__in=case_ids)
    incidents = set(links.values_list("incident_id", flat=True))
    actions = IncidentAction.objects.filter(incident_id__in=incidents).values_list("pk", flat=True)
    return {"incidents.incident": incidents, "incidents.incidentaction": set(actions)}
