"""Reads for plans, reviews, closure and task lists — always through the case policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Case as Switch
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from tirek.access import selectors as access
from tirek.access.policy import Section, cases_with_section
from tirek.cases.models import Case, CaseStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from tirek.accounts.models import User

    class DueAnnotations(TypedDict):
        due_step: str | None
        due_at: datetime | None


from .deadlines import CaseFacts, Deadlines, Step, current_step, deadlines_for, schedule
from .models import (
    CaseMilestones,
    Closure,
    ClosureStatus,
    FollowUp,
    Goal,
    Intervention,
    Plan,
    PlanDecision,
    PlanStatus,
    PlanVersion,
    Review,
)

# --- the plan ---------------------------------------------------------------------------


def plan_of(case: Case) -> Plan | None:
    """The case's plan with goals and interventions (the caller opened the case)."""
    plan = (
        Plan.objects.filter(case=case)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.select_related("responsible_agency", "responsible_user")
                .prefetch_related(
                    Prefetch(
                        "interventions",
                        queryset=Intervention.objects.select_related(
                            "provider", "responsible_user"
                        ),
                    )
                )
                .order_by("position", "id"),
            ),
            Prefetch("decisions", queryset=PlanDecision.objects.select_related("by")),
        )
        .first()
    )
    if plan is not None:
        plan.case = case
    return plan


def plan_versions(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("approved_by", "submitted_by").order_by("-number")


# --- differences between versions ------------------------------------------------------

GOAL_FIELDS = (
    "domain",
    "title",
    "indicator",
    "target_date",
    "responsible_agency",
    "responsible_user",
    "responsible_name",
    "status",
    "progress",
)
INTERVENTION_FIELDS = (
    "title",
    "description",
    "provider",
    "responsible_user",
    "responsible_name",
    "frequency",
    "start_date",
    "end_date",
    "status",
)


@dataclass
class GoalChange:
    kind: str  # added / removed / changed
    goal: dict[str, Any]
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    interventions_added: list[dict[str, Any]] = field(default_factory=list)
    interventions_removed: list[dict[str, Any]] = field(default_factory=list)
    interventions_changed: list[tuple[dict[str, Any], list[tuple[str, Any, Any]]]] = field(
        default_factory=list
    )


def _changed(
    old: dict[str, Any], new: dict[str, Any], names: tuple[str, ...]
) -> list[tuple[str, Any, Any]]:
    return [(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]


def diff(older: dict[str, Any], newer: dict[str, Any]) -> list[GoalChange]:
    """What changed between two plan snapshots: goals added, removed and changed (with
    the fields and interventions that changed), matched by goal id."""
    old_goals = {g["id"]: g for g in older.get("goals", [])}
    new_goals = {g["id"]: g for g in newer.get("goals", [])}
    changes: list[GoalChange] = []
    for goal_id, goal in new_goals.items():
        before = old_goals.get(goal_id)
        if before is None:
            changes.append(GoalChange("added", goal))
            continue
        old_i = {i["id"]: i for i in before.get("interventions", [])}
        new_i = {i["id"]: i for i in goal.get("interventions", [])}
        change = GoalChange(
            "changed",
            goal,
            fields=_changed(before, goal, GOAL_FIELDS),
            interventions_added=[i for k, i in new_i.items() if k not in old_i],
            interventions_removed=[i for k, i in old_i.items() if k not in new_i],
            interventions_changed=[
                (i, _changed(old_i[k], i, INTERVENTION_FIELDS))
                for k, i in new_i.items()
                if k in old_i and _changed(old_i[k], i, INTERVENTION_FIELDS)
            ],
        )
        if (
            change.fields
            or change.interventions_added
            or change.interventions_removed
            or change.interventions_changed
        ):
            changes.append(change)
    changes.extend(GoalChange("removed", g) for k, g in old_goals.items() if k not in new_goals)
    return changes


# --- reviews, closure -------------------------------------------------------------------


def case_reviews(case: Case) -> QuerySet[Review]:
    return (
        Review.objects.filter(case=case)
        .select_related("created_by", "plan_version", "assessment__instrument_version__instrument")
        .prefetch_related("progress__goal")
        .order_by("-held_on", "-id")
    )


def case_closures(case: Case) -> QuerySet[Closure]:
    return Closure.objects.filter(case=case).select_related(
        "requested_by", "decided_by", "reopened_by"
    )


def case_follow_ups(case: Case) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case).select_related("done_by").order_by("due_at", "id")


# --- deadlines: facts of one case, and the same rules in SQL for lists -------------------


def facts_for(case: Case) -> tuple[CaseFacts, bool]:
    """The deadline facts of one case, and whether a closure waits for approval."""
    # One query: the milestones (if any) and whether a closure is requested.
    fields = ("initial_done_at", "comprehensive_done_at", "plan_approved_at", "next_review_at")
    requested = Exists(Closure.objects.filter(case=OuterRef("pk"), status=ClosureStatus.REQUESTED))
    found = (
        Case.objects.filter(pk=case.pk)
        .annotate(
            **{f"m_{f}": F(f"milestones__{f}") for f in fields},
            m_follow_ups=F("milestones__follow_ups_done"),
            m_exists=F("milestones__case_id"),
            m_requested=requested,
        )
        .values("m_exists", "m_follow_ups", "m_requested", *(f"m_{f}" for f in fields))
        .first()
    ) or {}
    facts = CaseFacts(
        registered_at=case.opened_at,
        risk_level=case.risk_level,
        initial_done_at=found.get("m_initial_done_at"),
        comprehensive_done_at=found.get("m_comprehensive_done_at"),
        plan_approved_at=found.get("m_plan_approved_at"),
        next_review_at=found.get("m_next_review_at"),
        closed_at=case.closed_at if case.status == CaseStatus.CLOSED else None,
        follow_ups_done=frozenset(found.get("m_follow_ups") or ()),
    )
    return facts, bool(found.get("m_requested"))


@dataclass
class Journey:
    step: str
    items: list[Any]
    now: datetime
    facts: CaseFacts


def journey(case: Case) -> Journey:
    """Where the case stands. Drawing the case page, its header and its plan section share
    one answer through ``case.page_memo`` (set by ``tirek.cases.case_page`` for one request)."""
    memo: dict[str, Any] | None = getattr(case, "page_memo", None)
    if memo is not None and "plans.journey" in memo:
        return memo["plans.journey"]
    facts, requested = facts_for(case)
    deadlines = deadlines_for()
    now = timezone.now()
    found = Journey(
        step=current_step(facts, deadlines, now=now, closure_requested=requested),
        items=schedule(facts, deadlines),
        now=now,
        facts=facts,
    )
    if memo is not None:
        memo["plans.journey"] = found
    return found


class _Later(ExpressionWrapper):
    """``column + delta``, a datetime, for a delta of whole seconds (the deadline settings
    are in hours and days). Django adds a duration on SQLite with a Python function called
    for every row and every mention (``django_format_dtdelta``): most of the cost of the
    unit's overdue list. SQLite's own ``strftime`` moves the stored text instead; a shift by
    whole seconds leaves the microseconds as they are, so they are copied over (not given
    to ``strftime``, which rounds them: 23:59:59.999999 would become midnight)."""

    def __init__(self, column: F, delta: timedelta) -> None:
        super().__init__(column + Value(delta), output_field=DateTimeField())
        self.seconds = int(delta.total_seconds())

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.expression.lhs)
        sql = f"(strftime(%s, substr({column}, 1, 19), %s) || substr({column}, 20))"
        return sql, ("%Y-%m-%d %H:%M:%S", *params, f"{self.seconds:+d} seconds", *params)


def annotate_due(
    qs: QuerySet[Case], deadlines: Deadlines
) -> QuerySet[WithAnnotations[Case, DueAnnotations]]:
    """``next_due`` of ``tirek.plans.deadlines`` in SQL: each case gets ``due_step`` and
    ``due_at`` (null when nothing is due), so lists filter, order and page in the database.
    One LEFT JOIN to the case's milestones; a case without them has done nothing yet."""
    m = "milestones__"
    closed = Q(status=CaseStatus.CLOSED)
    due_at = Switch(
        When(closed, then=F(m + "next_follow_up_at")),
        When(
            **{m + "initial_done_at__isnull": True},
            then=_Later(F("opened_at"), timedelta(hours=deadlines.initial_assessment_hours)),
        ),
        When(
            **{m + "comprehensive_done_at__isnull": True},
            then=_Later(F("opened_at"), timedelta(days=deadlines.comprehensive_assessment_days)),
        ),
        When(
            **{m + "plan_approved_at__isnull": True},
            then=_Later(F(m + "comprehensive_done_at"), timedelta(days=deadlines.plan_days)),
        ),
        When(**{m + "next_review_at__isnull": False}, then=F(m + "next_review_at")),
        When(
            risk_level="high",
            then=_Later(F(m + "plan_approved_at"), timedelta(days=deadlines.review_days_high_risk)),
        ),
        default=_Later(F(m + "plan_approved_at"), timedelta(days=deadlines.review_days)),
        output_field=DateTimeField(),
    )
    due_step = Switch(
        When(closed, then=Value(Step.FOLLOW_UP.value)),
        When(**{m + "initial_done_at__isnull": True}, then=Value(Step.INITIAL_ASSESSMENT.value)),
        When(
            **{m + "comprehensive_done_at__isnull": True},
            then=Value(Step.COMPREHENSIVE_ASSESSMENT.value),
        ),
        When(**{m + "plan_approved_at__isnull": True}, then=Value(Step.PLAN.value)),
        default=Value(Step.REVIEW.value),
        output_field=CharField(),
    )
    return qs.annotate(due_at=due_at, due_step=due_step)


def _with_plan(user: User) -> QuerySet[Case]:
    """Cases whose plan section the user may see, but for those transferred away."""
    return cases_with_section(user, Section.PLAN).exclude(status=CaseStatus.TRANSFERRED)


def _on_my_teams_with_plan(user: User) -> QuerySet[Case]:
    return _with_plan(user).filter(access.on_team(user, "pk"))


def due_cases(
    user: User,
    *,
    scope: str = "mine",
    now: datetime | None = None,
    overdue_only: bool = False,
    step: str | None = None,
) -> QuerySet[WithAnnotations[Case, DueAnnotations]]:
    """Cases with work due within the "upcoming" window (or overdue), soonest first.

    ``mine``: cases on whose team the user is; ``unit``: the supervisor's unit. Only cases
    whose plan section the user may see; transferred cases are someone else's now.
    """
    deadlines = deadlines_for()
    now = now or timezone.now()
    if scope == "unit":
        # The policy says whom the user supervises (nobody, for a system administrator).
        if access.supervised_unit_id(user) is None:
            return annotate_due(Case.objects.none(), deadlines)
        base = _with_plan(user).filter(access.supervised_q(user, prefix=""))
    else:
        base = _on_my_teams_with_plan(user)
    qs = annotate_due(base, deadlines)
    horizon = now if overdue_only else now + timedelta(days=deadlines.upcoming_days)
    qs = qs.filter(due_at__isnull=False, due_at__lte=horizon)
    if step:
        qs = qs.filter(due_step=step)
    return qs.select_related("person").order_by("due_at", "pk")


def due_of(case: Case, deadlines: Deadlines) -> tuple[str, datetime | None]:
    """``annotate_due`` for one case loaded with its milestones (``select_related``): the
    same branches in the same order, so the two agree (the deadline tests check both)."""
    milestones: CaseMilestones | None = getattr(case, "milestones", None)
    if case.status == CaseStatus.CLOSED:
        return Step.FOLLOW_UP.value, milestones.next_follow_up_at if milestones else None
    if milestones is None or milestones.initial_done_at is None:
        return Step.INITIAL_ASSESSMENT.value, case.opened_at + timedelta(
            hours=deadlines.initial_assessment_hours
        )
    if milestones.comprehensive_done_at is None:
        return Step.COMPREHENSIVE_ASSESSMENT.value, case.opened_at + timedelta(
            days=deadlines.comprehensive_assessment_days
        )
    if milestones.plan_approved_at is None:
        return Step.PLAN.value, milestones.comprehensive_done_at + timedelta(
            days=deadlines.plan_days
        )
    if milestones.next_review_at is not None:
        return Step.REVIEW.value, milestones.next_review_at
    return Step.REVIEW.value, milestones.plan_approved_at + deadlines.review_interval(
        case.risk_level
    )


# Above this many cases on a user's teams, ``my_due_cases`` leaves the work to the database.
CASELOAD_READ_LIMIT = 1000


def my_due_cases(user: User, *, now: datetime | None = None) -> list[Case]:
    """``due_cases(user, scope="mine", now=now)`` as a list, for a caseload read whole.

    On SQLite date arithmetic in SQL runs as a Python function for every row and every
    mention of the expression (the list's filter and order repeat it): about 10 ms for a
    caseload of 40. A caseload is tens of cases, so here one plain query reads them with
    their milestones and ``due_among`` dates them."""
    cases = list(
        _on_my_teams_with_plan(user)
        .select_related("person", "milestones")
        .defer("return_history")[: CASELOAD_READ_LIMIT + 1]
    )
    if len(cases) > CASELOAD_READ_LIMIT:
        return list(due_cases(user, now=now))
    return due_among(cases, now=now)


def due_among(cases: Iterable[Case], *, now: datetime | None = None) -> list[Case]:
    """Those of ``cases`` (loaded with their milestones) with work due within the
    "upcoming" window or overdue, dated as ``due_cases`` dates them, soonest first."""
    deadlines = deadlines_for()
    horizon = (now or timezone.now()) + timedelta(days=deadlines.upcoming_days)
    due: list[tuple[datetime, int, Case]] = []
    for case in cases:
        dated = cast("WithAnnotations[Case, DueAnnotations]", case)
        dated.due_step, dated.due_at = due_of(case, deadlines)
        if dated.due_at is not None and dated.due_at <= horizon:
            due.append((dated.due_at, case.pk, case))
    return [case for _at, _pk, case in sorted(due, key=lambda d: d[:2])]


def follow_up_due_q(*, now: datetime | None = None) -> Q:
    """Cases (closed ones) whose follow-up falls due within the "upcoming" window or is
    overdue: the closed cases ``due_among`` may list."""
    horizon = (now or timezone.now()) + timedelta(days=deadlines_for().upcoming_days)
    return Q(milestones__next_follow_up_at__lte=horizon)


def waiting_plans(user: User) -> QuerySet[Plan]:
    """Plans submitted in the unit the user supervises (as the policy says), oldest first."""
    if access.supervised_unit_id(user) is None:
        return Plan.objects.none()
    return (
        Plan.objects.filter(access.supervised_q(user), status=PlanStatus.SUBMITTED)
        .select_related("case__person", "submitted_by")
        .order_by("submitted_at")
    )


def waiting_closures(user: User) -> QuerySet[Closure]:
    if access.supervised_unit_id(user) is None:
        return Closure.objects.none()
    return (
        Closure.objects.filter(access.supervised_q(user), status=ClosureStatus.REQUESTED)
        .select_related("case__person", "requested_by")
        .order_by("requested_at")
    )


def open_responsibilities(
    case: Case, user_ids: list[int]
) -> tuple[QuerySet[Goal], QuerySet[Intervention]]:
    """The open goals and interventions of the case's plan held by these users (a
    transfer hands them to the new case manager)."""
    from .models import OPEN_GOAL_STATUSES, InterventionStatus

    goals = Goal.objects.filter(
        plan__case=case, responsible_user_id__in=user_ids, status__in=OPEN_GOAL_STATUSES
    )
    interventions = Intervention.objects.filter(
        goal__plan__case=case,
        responsible_user_id__in=user_ids,
        status__in=(InterventionStatus.PLANNED, InterventionStatus.ONGOING),
    )
    return goals, interventions
