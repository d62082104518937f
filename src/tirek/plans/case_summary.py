"""The case page header's deadlines and overdue alerts, from the journey (plan section)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tirek.access.policy import Section
from tirek.cases.models import Case

from . import selectors
from .deadlines import Step
from .panels import STEP_PAGES


def deadlines_and_alerts(
    request: HttpRequest, case: Case, sections: frozenset[str]
) -> dict[str, Any] | None:
    """The journey's steps not yet done: every one is a deadline, an overdue one an alert.

    Two queries (milestones and a pending closure); nothing for a viewer without the plan
    section, since the steps tell where the child stands in the programme."""
    from tirek.cases.panels import Alert, Deadline

    if Section.PLAN not in sections:
        return None
    journey = selectors.journey(case)
    closed = case.closed_at is not None
    deadlines: list[Deadline] = []
    alerts: list[Alert] = []
    for item in journey.items:
        if item.done_at is not None or (closed and item.step != Step.FOLLOW_UP):
            continue
        label = str(Step(item.step).label)
        url = reverse(STEP_PAGES.get(Step(item.step), "plans:plan"), args=[case.pk])
        overdue = item.overdue(journey.now)
        deadlines.append(Deadline(label=label, due_at=item.due_at, overdue=overdue, url=url))
        if overdue:
            alerts.append(Alert(text=_("Overdue: %(step)s") % {"step": label}, url=url))
    return {"deadlines": deadlines, "alerts": alerts}
