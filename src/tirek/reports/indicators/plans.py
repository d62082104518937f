"""Indicators of assessments and plans (tirek.assessments, tirek.plans): initial
assessment on time, assessed and planned, plans reviewed on time, follow-ups done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.assessments.models import Assessment, AssessmentStatus, InstrumentKind
from tirek.cases.models import Case, RiskLevel
from tirek.plans.deadlines import deadlines_for
from tirek.plans.models import FollowUp, Review

from ..dimensions import case_dimensions, quarter
from ..periods import Period
from ..registry import Indicator, Population, SplitDef, register, register_population
from .cases import ACTIVE_SPLITS, YEAR_FLOW, YEAR_STOCK, _opened_in


def _hours(hours: int) -> timedelta:
    return timedelta(hours=hours)


def _after(expression: Any, delta: timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(expression + Value(delta), output_field=DateTimeField())


def _completed(kinds: Sequence[str], before: Any) -> Any:
    return Assessment.objects.filter(
        case=OuterRef("pk"),
        status=AssessmentStatus.COMPLETED,
        kind__in=kinds,
        completed_at__lt=before,
    )


def _initial_due(period: Period) -> Q:
    hours = deadlines_for().initial_assessment_hours
    return Q(opened_at__lte=period.end - _hours(hours))


def _initial_on_time(period: Period) -> Q:
    # A comprehensive assessment done first counts as the initial one (as on task lists).
    deadline = _after(OuterRef("opened_at"), _hours(deadlines_for().initial_assessment_hours))
    kinds = [InstrumentKind.INITIAL, InstrumentKind.COMPREHENSIVE]
    return Q(Exists(_completed(kinds, period.end).filter(completed_at__lte=deadline)))


def _plan_due(period: Period) -> Q:
    d = deadlines_for()
    return Q(
        opened_at__lte=period.end - timedelta(days=d.comprehensive_assessment_days + d.plan_days)
    )


def _assessed_and_planned(period: Period) -> Q:
    comprehensive = _completed([InstrumentKind.COMPREHENSIVE], period.end)
    return Q(Exists(comprehensive)) & Q(plan__first_approved_at__lt=period.end)


def _by_risk(make: Any) -> Q:
    d = deadlines_for()
    high = Q(risk_level=RiskLevel.HIGH)
    return (high & make(d.review_days_high_risk)) | (~high & make(d.review_days))


def _review_due(period: Period) -> Q:
    return _by_risk(lambda days: Q(plan__first_approved_at__lt=period.end - timedelta(days=days)))


def _reviewed_on_time(period: Period) -> Q:
    def recent(days: int) -> Q:
        return Q(
            Exists(
                Review.objects.filter(
                    case=OuterRef("pk"),
                    held_on__gt=period.last_day - timedelta(days=days),
                    held_on__lte=period.last_day,
                )
            )
        )

    return _by_risk(recent)


# The people whose initial deadline had passed are a population of their own, not a
# split of "registered": as a split, its remainder (registered in the last 72 hours of
# the period — always a handful, in every region) was a cell of the same protected
# table, and hiding it hid the denominator with it, up to the national total, so the
# tile showed "…" in every running year. Across two cubes the remainder is covered by
# the cell-key perturbation (sdc.py, rule 5) instead.
register_population(
    Population(
        code="registered_due",
        label=_("People registered in the year whose initial assessment was due"),
        queryset=lambda period: Case.objects.filter(_opened_in(period) & _initial_due(period)),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=lambda period: quarter("opened_at", period),
        counted=_("people"),
        splits={"initial_on_time": SplitDef(_initial_on_time)},
    )
)
ACTIVE_SPLITS.update(
    {
        "plan_due": SplitDef(_plan_due),
        "assessed_planned": SplitDef(_assessed_and_planned, within="plan_due"),
        "review_due": SplitDef(_review_due),
        "reviewed_on_time": SplitDef(_reviewed_on_time, within="review_due"),
    }
)
register(
    Indicator(
        code="initial_assessment_on_time",
        name=_("Initial assessment within the deadline"),
        definition=_(
            "Of the people registered in the year whose deadline for the initial "
            "assessment (72 hours by default, a setting per country) had passed by the end "
            "of the year, the share whose initial (or comprehensive) assessment was "
            "completed within it."
        ),
        numerator=_("Initial assessment completed within the deadline"),
        denominator=_("Registered in the year, deadline passed"),
        kind="share",
        population="registered_due",
        measure="initial_on_time",
        period=YEAR_FLOW,
    )
)
register(
    Indicator(
        code="assessed_and_planned",
        name=_("Comprehensive assessment and an approved plan"),
        definition=_(
            "Of the people in the programme at the end of the year who had been registered "
            "long enough for both deadlines to pass (30 days for the assessment, then 14 "
            "for the plan, by default), the share with a completed comprehensive "
            "assessment and an individual plan approved by a supervisor."
        ),
        numerator=_("With a comprehensive assessment and an approved plan"),
        denominator=_("In the programme at the end of the year, deadlines passed"),
        kind="share",
        population="active",
        measure="assessed_planned",
        period=YEAR_STOCK,
    )
)
register(
    Indicator(
        code="plans_reviewed_on_time",
        name=_("Plans reviewed on time"),
        definition=_(
            "Of the approved plans of people in the programme at the end of the year for "
            "which a review had fallen due (every 90 days, every 30 for high risk), the "
            "share reviewed within the last review interval — i.e. not overdue."
        ),
        numerator=_("Plans whose last review is within the interval"),
        denominator=_("Approved plans with a review due"),
        kind="share",
        population="active",
        measure="reviewed_on_time",
        period=YEAR_STOCK,
    )
)


# Follow-ups after closure: people with a follow-up due in the year.
def _all_follow_ups_due(period: Period) -> Any:
    until = min(period.end, timezone.now())
    return FollowUp.objects.filter(
        cancelled_at__isnull=True, due_at__gte=period.start, due_at__lt=until
    )


def _follow_ups_due(period: Period) -> Any:
    return _all_follow_ups_due(period).filter(case=OuterRef("pk"))


def _follow_ups_done(period: Period) -> Q:
    undone = _follow_ups_due(period).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=period.last_day)
    )
    return ~Q(Exists(undone))


register_population(
    Population(
        code="follow_up_due",
        label=_("People with a follow-up due in the year"),
        # "pk IN (…)" runs the inner query once; EXISTS would probe it per case.
        queryset=lambda period: Case.objects.filter(
            pk__in=_all_follow_ups_due(period).values("case_id")
        ),
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        counted=_("people"),
        splits={"follow_ups_done": SplitDef(_follow_ups_done)},
    )
)
register(
    Indicator(
        code="follow_ups_done",
        name=_("Follow-ups done after closure"),
        definition=_(
            "Of the people whose case was closed and who had a follow-up check due in the "
            "year (6 and 12 months after closure, by default), the share whose every due "
            "follow-up was done by the end of the year."
        ),
        numerator=_("All follow-ups due in the year done"),
        denominator=_("People with a follow-up due in the year"),
        kind="share",
        population="follow_up_due",
        measure="follow_ups_done",
        period=YEAR_FLOW,
    )
)
