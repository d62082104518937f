"""Default deadlines of the case journey, per country, and the pure due-date computation.

DESIGN.md section 3: initial assessment within 72 hours of registration, comprehensive
assessment within 30 days, the plan within 14 days of that assessment, reviews every 90
days (30 for high risk), follow-ups 6 and 12 months after closure. Each country may set
its own: ``COUNTRY_DEADLINES`` holds the defaults, and ``settings.TIREK_DEADLINES`` (a
dict by country code, e.g. ``{"UZ": {"review_days": 60}}``) overrides any of them.

``schedule`` and ``next_due`` take plain facts and return dates — no database — so the
rules are tested directly; ``tirek.plans.selectors.due_cases`` computes the same
``next_due`` in SQL for task lists (a test keeps the two in step).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import pgettext_lazy


class Step(models.TextChoices):
    REGISTRATION = "registration", pgettext_lazy("case step", "Registration")
    INITIAL_ASSESSMENT = "initial_assessment", pgettext_lazy("case step", "Initial assessment")
    COMPREHENSIVE_ASSESSMENT = (
        "comprehensive_assessment",
        pgettext_lazy("case step", "Comprehensive assessment"),
    )
    PLAN = "plan", pgettext_lazy("case step", "Individual plan")
    IMPLEMENTATION = "implementation", pgettext_lazy("case step", "Implementation")
    REVIEW = "review", pgettext_lazy("case step", "Review")
    CLOSURE = "closure", pgettext_lazy("case step", "Closure")
    FOLLOW_UP = "follow_up", pgettext_lazy("case step", "Follow-up")


STEP_ORDER = [s.value for s in Step]


@dataclass(frozen=True)
class Deadlines:
    initial_assessment_hours: int = 72
    comprehensive_assessment_days: int = 30
    plan_days: int = 14  # after the comprehensive assessment
    review_days: int = 90
    review_days_high_risk: int = 30
    follow_up_months: tuple[int, ...] = (6, 12)
    upcoming_days: int = 7  # "upcoming" on task lists

    def review_interval(self, risk_level: str) -> timedelta:
        return timedelta(
            days=self.review_days_high_risk if risk_level == "high" else self.review_days
        )


# Same defaults everywhere until a country's rules say otherwise.
COUNTRY_DEADLINES: dict[str, Deadlines] = {
    "KZ": Deadlines(),
    "UZ": Deadlines(),
    "TJ": Deadlines(),
    "KG": Deadlines(),
}


def deadlines_for(country: str | None = None) -> Deadlines:
    code = (country or settings.COUNTRY_CODE or "KZ").upper()
    base = COUNTRY_DEADLINES.get(code, Deadlines())
    overrides: dict[str, Any] = dict(getattr(settings, "TIREK_DEADLINES", {}).get(code, {}))
    known = {f.name for f in fields(Deadlines)}
    unknown = set(overrides) - known
    if unknown:
        raise ImproperlyConfigured(f"TIREK_DEADLINES[{code}] has unknown keys: {sorted(unknown)}")
    if "follow_up_months" in overrides:
        overrides["follow_up_months"] = tuple(overrides["follow_up_months"])
    return replace(base, **overrides)


_Day = TypeVar("_Day", bound=date)


def add_months(moment: _Day, months: int) -> _Day:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class CaseFacts:
    """What has happened on a case, as far as deadlines care."""

    registered_at: datetime
    risk_level: str = "medium"
    initial_done_at: datetime | None = None  # an initial or comprehensive assessment completed
    comprehensive_done_at: datetime | None = None
    plan_approved_at: datetime | None = None  # the first approval
    next_review_at: datetime | None = None  # chosen at the last review
    closed_at: datetime | None = None
    follow_ups_done: frozenset[int] = frozenset()  # months of the follow-ups recorded


@dataclass(frozen=True)
class Due:
    step: str
    due_at: datetime
    done_at: datetime | None = None
    months: int | None = None  # for follow-ups

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at < now


def schedule(facts: CaseFacts, deadlines: Deadlines) -> list[Due]:
    """The whole journey's deadlines, done or not, in order."""
    initial_done = facts.initial_done_at or facts.comprehensive_done_at
    comprehensive_due = facts.registered_at + timedelta(
        days=deadlines.comprehensive_assessment_days
    )
    items = [
        Due(
            Step.INITIAL_ASSESSMENT,
            facts.registered_at + timedelta(hours=deadlines.initial_assessment_hours),
            initial_done,
        ),
        Due(Step.COMPREHENSIVE_ASSESSMENT, comprehensive_due, facts.comprehensive_done_at),
        Due(
            Step.PLAN,
            (facts.comprehensive_done_at or comprehensive_due)
            + timedelta(days=deadlines.plan_days),
            facts.plan_approved_at,
        ),
    ]
    if facts.plan_approved_at and facts.closed_at is None:
        items.append(Due(Step.REVIEW, review_due(facts, deadlines)))
    if facts.closed_at is not None:
        for months in deadlines.follow_up_months:
            done = facts.closed_at if months in facts.follow_ups_done else None
            items.append(Due(Step.FOLLOW_UP, add_months(facts.closed_at, months), done, months))
    return items


def review_due(facts: CaseFacts, deadlines: Deadlines) -> datetime:
    """The date chosen at the last review, else the risk level's interval after approval."""
    assert facts.plan_approved_at is not None
    if facts.next_review_at is not None:
        return facts.next_review_at
    return facts.plan_approved_at + deadlines.review_interval(facts.risk_level)


def next_due(facts: CaseFacts, deadlines: Deadlines) -> Due | None:
    """The one deadline a task list shows for the case: the first step not yet done.

    Open case: initial → comprehensive → plan → the next review. Closed case: the next
    follow-up not yet recorded; nothing once all are.
    """
    for item in schedule(facts, deadlines):
        if facts.closed_at is not None and item.step != Step.FOLLOW_UP:
            continue
        if item.done_at is None:
            return item
    return None


def current_step(
    facts: CaseFacts, deadlines: Deadlines, *, now: datetime, closure_requested: bool = False
) -> str:
    """Where the case stands on the journey (DESIGN.md section 3)."""
    if facts.closed_at is not None:
        return Step.FOLLOW_UP if next_due(facts, deadlines) else Step.CLOSURE
    if closure_requested:
        return Step.CLOSURE
    if not (facts.initial_done_at or facts.comprehensive_done_at):
        return Step.INITIAL_ASSESSMENT
    if not facts.comprehensive_done_at:
        return Step.COMPREHENSIVE_ASSESSMENT
    if not facts.plan_approved_at:
        return Step.PLAN
    # Between reviews the plan is being implemented; a review close at hand is the step.
    if review_due(facts, deadlines) <= now + timedelta(days=deadlines.upcoming_days):
        return Step.REVIEW
    return Step.IMPLEMENTATION
