"""What this app adds to other pages: "my work" panels, the case page panel and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from tirek.accounts.models import User

from tirek.access import selectors as access
from tirek.accounts.roles import Role
from tirek.cases.models import Case

from . import selectors
from .deadlines import Step, deadlines_for

PANEL_ROWS = 10


@dataclass(frozen=True)
class TaskRow:
    case: Case
    step: str
    step_label: str
    due_at: datetime
    overdue: bool
    url: str


STEP_PAGES = {
    Step.INITIAL_ASSESSMENT: "assessments:case_assessments",
    Step.COMPREHENSIVE_ASSESSMENT: "assessments:case_assessments",
    Step.PLAN: "plans:plan",
    Step.REVIEW: "plans:reviews",
    Step.FOLLOW_UP: "plans:closure",
}


def task_rows(cases: Any, now: datetime | None = None) -> list[TaskRow]:
    now = now or timezone.now()
    return [
        TaskRow(
            case=c,
            step=c.due_step,
            step_label=str(Step(c.due_step).label),
            due_at=c.due_at,
            overdue=c.due_at < now,
            url=reverse(STEP_PAGES.get(Step(c.due_step), "plans:plan"), args=[c.pk]),
        )
        for c in cases
    ]


def _works_on_cases(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(
        Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SUPERVISOR
    )


# A case worker's own list is bounded by their caseload (tens of cases), so the panels
# below share one query per page: loaded once, kept on the request.
MINE_LIMIT = 500


def _my_due_rows(request: HttpRequest) -> list[TaskRow]:
    cached: list[TaskRow] | None = getattr(request, "_plans_due_mine", None)
    if cached is None:
        on_a_team = access.memberships_of(
            request.user
        ).exists()  # one cheap query spares building the due-date query for nobody
        cached = (
            task_rows(selectors.due_cases(request.user, scope="mine")[:MINE_LIMIT])
            if on_a_team
            else []
        )
        request._plans_due_mine = cached  # type: ignore[attr-defined]
    return cached


def my_tasks_panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not _works_on_cases(user):
        return None
    due = _my_due_rows(request)
    if not due:
        return None
    return {
        "title": _("Due and overdue on my cases"),
        "template": "plans/panel_tasks.html",
        "rows": due[:PANEL_ROWS],
        "total": len(due),
        "more_url": reverse("work:tasks") + "?scope=mine",
        "upcoming_days": deadlines_for().upcoming_days,
    }


def unit_tasks_panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if access.supervised_unit_id(user) is None:  # the policy's answer, admin included
        return None
    plans = list(selectors.waiting_plans(user)[:PANEL_ROWS])
    closures = list(selectors.waiting_closures(user)[:PANEL_ROWS])
    overdue = selectors.due_cases(user, scope="unit", overdue_only=True)
    rows = task_rows(overdue[:PANEL_ROWS])
    if not (plans or closures or rows):
        return None
    return {
        "title": _("My unit"),
        "template": "plans/panel_unit.html",
        "plans": plans,
        "closures": closures,
        "rows": rows,
        "total": overdue.count() if len(rows) == PANEL_ROWS else len(rows),
        "more_url": reverse("work:tasks") + "?scope=unit&overdue=1",
    }


def _consent_alerts(cases: list[Case]) -> list[dict[str, Any]]:
    """Consent for case management expiring soon (the privacy app's consent status)."""
    from tirek.privacy import selectors as privacy

    if not cases:
        return []
    by_person = privacy.consent_status_many([c.person for c in cases])
    alerts = []
    for case in cases:
        status = by_person.get(case.person_id)
        purpose = status.case_management if status is not None else None
        if purpose is not None and purpose.state == "expiring":
            alerts.append({"case": case, "until": purpose.until})
    return alerts


def alerts_panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not _works_on_cases(user):
        return None
    missed_rows = [r for r in _my_due_rows(request) if r.overdue and r.step == Step.REVIEW][
        :PANEL_ROWS
    ]
    # Cases the user is on the team of and may still open (the policy decides).
    my_cases = list(access.team_cases(user).exclude(status="closed").select_related("person")[:50])
    consent = _consent_alerts(my_cases)
    # The same counts as the daily digest: every consent on the user's open cases.
    from tirek.privacy.conf import CONSENT_EXPIRY_WARNING_DAYS
    from tirek.privacy.selectors import consent_reminder

    consent_counts = consent_reminder(user)
    if not (missed_rows or consent or not consent_counts.is_empty):
        return None
    return {
        "title": _("Alerts"),
        "template": "plans/panel_alerts.html",
        "missed": missed_rows,
        "consent": consent,
        "consent_counts": consent_counts,
        "consent_days": CONSENT_EXPIRY_WARNING_DAYS,
    }


# --- the case page ------------------------------------------------------------------------


def case_panel(request: HttpRequest, case: Case, sections: frozenset[str]) -> dict[str, Any] | None:
    """Where the case stands on the journey, the plan's state and links to the pages."""
    from tirek.access.policy import Section
    from tirek.assessments.models import AssessmentStatus
    from tirek.assessments.selectors import case_assessments
    from tirek.assessments.trends import build_trend, default_instrument

    if Section.PLAN not in sections:
        return None
    journey = selectors.journey(case)
    plan = case_plan_summary(case)
    completed = list(case_assessments(case).filter(status=AssessmentStatus.COMPLETED))
    latest = completed[0] if completed else None
    trend = build_trend(completed, default_instrument(completed), prefix="case-trend", compact=True)
    upcoming = next(
        (
            i
            for i in journey.items
            if i.done_at is None and (case.closed_at is None or i.step == Step.FOLLOW_UP)
        ),
        None,
    )
    return {
        "title": _("Assessments and plan"),
        "template": "plans/case_panel.html",
        "case": case,
        "step_label": Step(journey.step).label,
        "upcoming": upcoming,
        "upcoming_label": Step(upcoming.step).label if upcoming else "",
        "overdue": bool(upcoming and upcoming.overdue(journey.now)),
        "plan": plan,
        "latest": latest,
        # The trend per domain once there is something to compare.
        "trend": trend if len(trend.assessments) > 1 else None,
    }


def case_plan_summary(case: Case) -> Any:
    from .models import Plan

    return Plan.objects.filter(case=case).only("status", "approved_number", "case_id").first()


def timeline_items(case: Case, user: Any) -> list[Any]:
    """Completed assessments, plan decisions, reviews, closure and follow-ups."""
    from tirek.access.policy import Section, can_see
    from tirek.assessments.models import Assessment, AssessmentStatus
    from tirek.cases.timeline import TimelineItem

    from .models import Closure, ClosureStatus, FollowUp, PlanDecision, Review

    if not can_see(user, case, Section.PLAN):
        return []

    def person(u: Any) -> str:
        return (u.get_full_name() or u.username) if u else ""

    items: list[Any] = []
    for a in Assessment.objects.filter(case=case, status=AssessmentStatus.COMPLETED).select_related(
        "instrument_version", "completed_by"
    ):
        items.append(
            TimelineItem(
                at=a.completed_at or timezone.now(),
                title=_("Assessment completed: %(name)s")
                % {"name": a.instrument_version.display_title},
                detail=str(a.get_overall_severity_display() or ""),
                section=Section.PLAN,
                actor=person(a.completed_by),
                url=reverse("assessments:detail", args=[case.pk, a.pk]),
                kind="assessment",
            )
        )
    for d in PlanDecision.objects.filter(plan__case=case).select_related("by"):
        items.append(
            TimelineItem(
                at=d.at,
                title=_("Plan: %(decision)s") % {"decision": d.get_decision_display()},
                detail=d.comment,
                section=Section.PLAN,
                actor=person(d.by),
                url=reverse("plans:plan", args=[case.pk]),
                kind="plan",
            )
        )
    for r in Review.objects.filter(case=case).select_related("created_by"):
        items.append(
            TimelineItem(
                at=r.created_at,
                title=_("Plan review held on %(day)s") % {"day": r.held_on.strftime("%d.%m.%Y")},
                section=Section.PLAN,
                actor=person(r.created_by),
                url=reverse("plans:reviews", args=[case.pk]),
                kind="review",
            )
        )
    for c in Closure.objects.filter(case=case).select_related(
        "requested_by", "decided_by", "reopened_by"
    ):
        url = reverse("plans:closure", args=[case.pk])
        events: list[tuple[datetime, Any, str, User | None]] = [
            (c.requested_at, _("Closing proposed"), c.get_reason_display(), c.requested_by)
        ]
        if c.decided_at:
            title = (
                _("Closing returned; the case stays open")
                if c.status == ClosureStatus.RETURNED
                else _("Case closed")
            )
            events.append((c.decided_at, title, c.decision_comment, c.decided_by))
        if c.reopened_at:
            events.append((c.reopened_at, _("Case reopened"), c.reopen_reason, c.reopened_by))
        items.extend(
            TimelineItem(
                at=at,
                title=str(title),
                detail=str(detail),
                section=Section.PLAN,
                actor=person(actor),
                url=url,
                kind="closure",
            )
            for at, title, detail, actor in events
        )
    for f in FollowUp.objects.filter(case=case, done_on__isnull=False).select_related("done_by"):
        if f.done_on is None:  # excluded by the filter; for the type checker
            continue
        items.append(
            TimelineItem(
                at=timezone.make_aware(datetime.combine(f.done_on, time(12, 0))),
                title=_("Follow-up after %(months)d months") % {"months": f.months},
                detail=f.get_outcome_display(),
                section=Section.PLAN,
                actor=person(f.done_by),
                url=reverse("plans:closure", args=[case.pk]),
                kind="follow_up",
            )
        )
    return items
