"""What this app adds to other pages: "my work" panels, the case page panel and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import selectors as access
from tirek.access.policy import ROLE_SECTIONS, Section
from tirek.accounts.roles import Role
from tirek.audit.selectors import CASE_TYPE
from tirek.audit.services import shown
from tirek.cases.models import Case, CaseStatus
from tirek.cases.panels import WorkPanel, WorkRow, row_initials, work_row
from tirek.cases.selectors import CaseloadRead, my_open_caseload
from tirek.cases.timeline import RowSource
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.ids import IdList
from tirek.privacy.conf import CONSENT_EXPIRY_WARNING_DAYS
from tirek.privacy.selectors import consent_reminder, consent_reminder_from

from . import selectors
from .deadlines import Step, deadlines_for

if TYPE_CHECKING:
    from tirek.accounts.models import User

PANEL_ROWS = 10


@dataclass(frozen=True)
class TaskRow:
    case: Case
    step: str
    step_label: str
    due_at: datetime
    overdue: bool

    @property
    def url(self) -> str:
        # Worked out for the rows drawn only: "my work" dates the whole caseload to
        # count it and shows ten.
        return reverse(STEP_PAGES.get(Step(self.step), "plans:plan"), args=[self.case.pk])


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
        )
        for c in cases
    ]


def _works_on_cases(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(
        Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SUPERVISOR
    )


# A case worker's own list is bounded by their caseload (tens of cases), so the panels
# below share one query per page: loaded once, kept on the request.
MINE_LIMIT = 500

# The cases of the user's teams come with the open caseload the cases app reads for "my
# work": with their milestones, and with the closed ones whose follow-up is due.
caseload_read = CaseloadRead(related="milestones", closed_also=selectors.follow_up_due_q)


def _my_due_rows(request: AuthenticatedHttpRequest) -> list[TaskRow]:
    cached: list[TaskRow] | None = getattr(request, "_plans_due_mine", None)
    if cached is None:
        cached = task_rows(_my_due_cases(request)[:MINE_LIMIT])
        request._plans_due_mine = cached  # type: ignore[attr-defined]
    return cached


def _my_due_cases(request: AuthenticatedHttpRequest) -> list[Case]:
    user = request.user
    caseload = my_open_caseload(request)
    team = caseload.team_cases
    with_plan = access.case_ids_with_section(user, Section.PLAN)
    if team is not None and isinstance(with_plan, IdList):
        # As ``selectors.my_due_cases`` picks them, from the cases already read.
        plan_ids = set(with_plan.ids)
        return selectors.due_among(
            c for c in team if c.pk in plan_ids and c.status != CaseStatus.TRANSFERRED
        )
    # Open cases on the team or, failing those, any team at all (closed cases have
    # follow-ups): known from the relations the page read once, else one cheap query.
    # Either spares building the due-date query for nobody.
    teams = access.team_case_ids_read_once(user)
    on_a_team = bool(caseload.cases) or (
        bool(teams) if teams is not None else access.memberships_of(user).exists()
    )
    return selectors.my_due_cases(user) if on_a_team else []


def my_tasks_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not _works_on_cases(user):
        return None
    due = _my_due_rows(request)
    if not due:
        return None
    shown(request, CASE_TYPE, [row.case.pk for row in due[:PANEL_ROWS]])
    return {
        "title": _("Due and overdue on my cases"),
        "template": "plans/panel_tasks.html",
        "rows": due[:PANEL_ROWS],
        "total": len(due),
        "more_url": reverse("work:tasks") + "?scope=mine",
        "upcoming_days": deadlines_for().upcoming_days,
    }


def _unit_rows(request: AuthenticatedHttpRequest) -> list[Any]:
    """Plans and closures waiting in the unit the user supervises, read with the other
    "my work" rows in one query."""
    from django.db.models import F

    user = request.user
    if access.supervised_unit_id(user) is None:  # the policy's answer, admin included
        return []
    names = {
        "ref": F("case_id"),
        "case": F("case_id"),
        "label": F("case__number"),
        "name1": F("case__person__given_name"),
        "name2": F("case__person__family_name"),
    }
    return [
        work_row(selectors.waiting_plans(user), "plan_waiting", at=F("submitted_at"), **names),
        work_row(
            selectors.waiting_closures(user), "closure_waiting", at=F("requested_at"), **names
        ),
    ]


def _waiting(rows: list[WorkRow], kind: str) -> list[dict[str, Any]]:
    """The oldest ``PANEL_ROWS`` rows of ``kind`` as the panel shows them."""
    found = sorted((r for r in rows if r[0] == kind), key=lambda r: (r[5] is None, r[5], r[1]))
    return [
        {
            "case_id": r[2],
            "at": r[5],
            "number": r[7],
            "initials": row_initials(r),
        }
        for r in found[:PANEL_ROWS]
    ]


def _unit_tasks(request: AuthenticatedHttpRequest, rows: list[WorkRow]) -> dict[str, Any] | None:
    from django.db.models import Count, Window

    user = request.user
    if access.supervised_unit_id(user) is None:
        return None
    plans = _waiting(rows, "plan_waiting")
    closures = _waiting(rows, "closure_waiting")
    # The total comes with the first rows (a window count), not from a second query.
    overdue = list(
        selectors.due_cases(user, scope="unit", overdue_only=True).annotate(
            total=Window(Count("pk"))
        )[:PANEL_ROWS]
    )
    if not (plans or closures or overdue):
        return None
    shown(request, CASE_TYPE, [case.pk for case in overdue])
    return {
        "title": _("My unit"),
        "template": "plans/panel_unit.html",
        "plans": plans,
        "closures": closures,
        "rows": task_rows(overdue),
        "total": overdue[0].total if overdue else 0,
        "more_url": reverse("work:tasks") + "?scope=unit&overdue=1",
    }


unit_tasks_panel = WorkPanel(
    rows=_unit_rows, build=_unit_tasks, kinds=frozenset({"plan_waiting", "closure_waiting"})
)


def alerts_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not _works_on_cases(user):
        return None
    missed_rows = [r for r in _my_due_rows(request) if r.overdue and r.step == Step.REVIEW][
        :PANEL_ROWS
    ]
    # Cases the user is on the team of and may still open (the policy decides), with their
    # consent status, as the cases app read them for this page.
    caseload = my_open_caseload(request)
    consent = [
        {"case": c, "until": caseload.consent[c.person_id].case_management.until}
        for c in caseload.cases
        if caseload.consent[c.person_id].case_management.state == "expiring"
    ][:50]
    # The same counts as the daily digest: every consent on the user's open cases, counted
    # from the records read with the caseload when it holds all of them (the user's team
    # roles all see the core section, which the digest asks for).
    if caseload.complete and all(
        Section.CORE in ROLE_SECTIONS.get(role, frozenset({Section.CORE}))
        for role in getattr(user, "role_set", ())
    ):
        records = [r for rows in caseload.consent_records.values() for r in rows]
        consent_counts = consent_reminder_from(records)
    else:
        consent_counts = consent_reminder(user)
    if not (missed_rows or consent or not consent_counts.is_empty):
        return None
    shown(request, CASE_TYPE, [row.case.pk for row in missed_rows])
    shown(request, CASE_TYPE, [alert["case"].pk for alert in consent])
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


def _timeline_rows(case: Case, user: User) -> list[Any]:
    """Completed assessments, plan decisions, reviews, closure steps and follow-ups of the
    case as timeline rows (``tirek.cases.timeline.timeline_row``): read with the other
    apps' rows in one UNION ALL query. Nothing for a viewer without the plan section."""
    from django.db.models import F

    from tirek.access.policy import Section, can_see
    from tirek.assessments.models import Assessment, AssessmentStatus
    from tirek.cases.timeline import timeline_row as row

    from .models import Closure, FollowUp, PlanDecision, Review

    if not can_see(user, case, Section.PLAN):
        return []
    closures = Closure.objects.filter(case=case)
    return [
        row(
            Assessment.objects.filter(case=case, status=AssessmentStatus.COMPLETED),
            "assessment",
            "completed_by",
            at=F("completed_at"),
            code=F("overall_severity"),
            num=F("pk"),
            title=F("instrument_version__title"),
        ),
        row(
            PlanDecision.objects.filter(plan__case=case),
            "plan",
            "by",
            at=F("at"),
            code=F("decision"),
            text=F("comment"),
        ),
        row(
            Review.objects.filter(case=case),
            "review",
            "created_by",
            at=F("created_at"),
            day=F("held_on"),
        ),
        row(closures, "closure_requested", "requested_by", at=F("requested_at"), code=F("reason")),
        row(
            closures.filter(decided_at__isnull=False),
            "closure_decided",
            "decided_by",
            at=F("decided_at"),
            code=F("status"),
            text=F("decision_comment"),
        ),
        row(
            closures.filter(reopened_at__isnull=False),
            "closure_reopened",
            "reopened_by",
            at=F("reopened_at"),
            text=F("reopen_reason"),
        ),
        row(
            FollowUp.objects.filter(case=case, done_on__isnull=False),
            "follow_up",
            "done_by",
            code=F("outcome"),
            day=F("done_on"),
            num=F("months"),
        ),
    ]


def _timeline_items(case: Case, user: User, rows: list[Any]) -> list[Any]:
    """Completed assessments, plan decisions, reviews, closure and follow-ups."""
    from tirek.access.policy import Section
    from tirek.assessments.definitions import localised
    from tirek.assessments.models import Assessment
    from tirek.cases.timeline import TimelineItem

    from .models import Closure, ClosureStatus, FollowUp, PlanDecision

    def labels(model: Any, field: str) -> dict[str, Any]:
        return dict(model._meta.get_field(field).flatchoices)

    severity = labels(Assessment, "overall_severity")
    decisions = labels(PlanDecision, "decision")
    reasons = labels(Closure, "reason")
    outcomes = labels(FollowUp, "outcome")
    plan_url = reverse("plans:plan", args=[case.pk])
    closure_url = reverse("plans:closure", args=[case.pk])
    items: list[Any] = []
    for kind, at, code, text, day, num, title, first, last, username in rows:
        actor = f"{first or ''} {last or ''}".strip() or (username or "")
        if kind == "assessment":
            name = localised(title) if isinstance(title, dict) else str(title or "")
            item = TimelineItem(
                at=at or timezone.now(),
                title=_("Assessment completed: %(name)s") % {"name": name},
                detail=str(severity.get(code, "") if code else ""),
                url=reverse("assessments:detail", args=[case.pk, num]),
                kind="assessment",
            )
        elif kind == "plan":
            item = TimelineItem(
                at=at,
                title=_("Plan: %(decision)s") % {"decision": decisions.get(code, code)},
                detail=text or "",
                url=plan_url,
                kind="plan",
            )
        elif kind == "review":
            item = TimelineItem(
                at=at,
                title=_("Plan review held on %(day)s") % {"day": day.strftime("%d.%m.%Y")},
                url=reverse("plans:reviews", args=[case.pk]),
                kind="review",
            )
        elif kind == "closure_requested":
            item = TimelineItem(
                at=at,
                title=str(_("Closing proposed")),
                detail=str(reasons.get(code, code)),
                url=closure_url,
                kind="closure",
            )
        elif kind == "closure_decided":
            title_text = (
                _("Closing returned; the case stays open")
                if code == ClosureStatus.RETURNED
                else _("Case closed")
            )
            item = TimelineItem(
                at=at, title=str(title_text), detail=text or "", url=closure_url, kind="closure"
            )
        elif kind == "closure_reopened":
            item = TimelineItem(
                at=at,
                title=str(_("Case reopened")),
                detail=text or "",
                url=closure_url,
                kind="closure",
            )
        else:  # follow_up
            item = TimelineItem(
                at=timezone.make_aware(datetime.combine(day, time(12, 0))),
                title=_("Follow-up after %(months)d months") % {"months": num},
                detail=str(outcomes.get(code, code or "")),
                url=closure_url,
                kind="follow_up",
            )
        item.section = Section.PLAN
        item.actor = actor
        items.append(item)
    return items


# Registered by the app as a timeline source: its rows are read with the other apps'.
timeline_items = RowSource(
    rows=_timeline_rows,
    items=_timeline_items,
    kinds=frozenset(
        {
            "assessment",
            "plan",
            "review",
            "closure_requested",
            "closure_decided",
            "closure_reopened",
            "follow_up",
        }
    ),
)
