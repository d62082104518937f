"""The indicator definitions (issue #7): declarative, one block per population.

Each population is a queryset over one model and period; each indicator names a measure
on it (see docs/performance.md, "Indicators and dashboards"). Other apps register their
own indicators from their ``apps.py`` (e.g. transfers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.access.selectors import memberships_active_at
from tirek.accounts.models import StaffCompetency, User
from tirek.assessments.models import (
    Assessment,
    AssessmentStatus,
    DomainScore,
    InstrumentKind,
    InstrumentVersion,
)
from tirek.cases.models import Case, CaseStatus, RiskLevel
from tirek.interviews.models import Interview, InterviewStatus
from tirek.organisations.models import localised
from tirek.plans.deadlines import deadlines_for
from tirek.plans.models import FollowUp, Review
from tirek.referrals.models import Referral, ReferralEvent, ReferralStatus
from tirek.training import cascade
from tirek.training.models import Audience, Certificate, Course, Event, Participant
from tirek.training.selectors import ROLE_NEEDS

from . import conf, sdc
from .cube import ROOT, Dimension, N, Row
from .dimensions import LABELS, UNKNOWN, case_dimensions, quarter
from .periods import Period, years_before
from .registry import (
    DIMENSION_LABELERS,
    POPULATION_DIMENSIONS,
    CustomRows,
    Indicator,
    Population,
    Scope,
    SplitDef,
    Stat,
    region_tree,
    register,
    register_population,
)
from .sqlfuncs import DaysBetween

YEAR_FLOW = _("Calendar year; counted when the event falls in the year.")
YEAR_STOCK = _("At the end of the calendar year (today for the current year).")


# --- cases: registered, active, closed ----------------------------------------------------

# Outcomes measured on these two populations are added by the blocks below when their
# source app is installed (a split must be protected in the same cube as its population).
REGISTERED_SPLITS: dict[str, SplitDef] = {}
ACTIVE_SPLITS: dict[str, SplitDef] = {}


def _opened_in(period: Period) -> Q:
    return Q(opened_at__gte=period.start, opened_at__lt=period.end)


def _active_at_end(period: Period) -> Q:
    open_then = Q(closed_at__isnull=True) & ~Q(status=CaseStatus.CLOSED)
    return Q(opened_at__lt=period.end) & (open_then | Q(closed_at__gte=period.end))


register_population(
    Population(
        code="registered",
        label=_("People registered in the year"),
        queryset=lambda period: Case.objects.filter(_opened_in(period)),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=lambda period: quarter("opened_at", period),
        counted=_("people"),
        splits=REGISTERED_SPLITS,
    )
)

register_population(
    Population(
        code="active",
        label=_("People in the programme at the end of the year"),
        queryset=lambda period: Case.objects.filter(_active_at_end(period)),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        counted=_("people"),
        splits=ACTIVE_SPLITS,
    )
)

register_population(
    Population(
        code="closed",
        label=_("Cases closed in the year"),
        queryset=lambda period: Case.objects.filter(
            closed_at__gte=period.start, closed_at__lt=period.end
        ),
        region="region_id",
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=lambda period: quarter("closed_at", period),
        counted=_("cases"),
    )
)

register(
    Indicator(
        code="registered",
        name=_("People registered"),
        definition=_(
            "Children and adults whose case was opened in the year (registration on return "
            "or identification). A person has at most one open case at a time."
        ),
        numerator=_("Cases opened in the year"),
        denominator=None,
        kind="count",
        population="registered",
        disaggregations=("region", "phase", "sex", "age_band", "agency", "quarter"),
        period=YEAR_FLOW,
        unit_label=_("people"),
    )
)

register(
    Indicator(
        code="active",
        name=_("People in the programme, by phase"),
        definition=_(
            "People with an open case at the end of the year, by the phase of their case "
            "(rehabilitation, reintegration, monitoring)."
        ),
        numerator=_("Cases open at the end of the year"),
        denominator=None,
        kind="count",
        population="active",
        disaggregations=("phase", "region", "sex", "age_band", "agency"),
        period=YEAR_STOCK,
        unit_label=_("people"),
    )
)

register(
    Indicator(
        code="closed",
        name=_("Cases closed"),
        definition=_("Cases closed in the year against the closure criteria."),
        numerator=_("Cases closed in the year"),
        denominator=None,
        kind="count",
        population="closed",
        disaggregations=("region", "phase", "sex", "age_band", "agency", "quarter"),
        period=YEAR_FLOW,
        unit_label=_("cases"),
    )
)


# --- assessments and plans (tirek.assessments, tirek.plans) ------------------------------


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


# Wellbeing: the change between the first and the latest screening, by domain.
def _all_screenings(period: Period) -> Any:
    return Assessment.objects.filter(
        kind=InstrumentKind.SCREENING,
        status=AssessmentStatus.COMPLETED,
        assessed_on__lte=period.last_day,
    )


def _screenings(period: Period) -> Any:
    return _all_screenings(period).filter(case=OuterRef("pk"))


def _change(domain: str) -> Any:
    """Latest minus first score in ``domain``, in points of the maximum: two lookups
    on the (assessment, domain) unique index, by the row's first and last screening."""
    table = DomainScore._meta.db_table

    def sql(q: Any) -> tuple[str, list[Any]]:
        def percent(column: str) -> str:
            return (
                f"SELECT {q('score')} * 100.0 / {q('max_score')} FROM {q(table)} "  # noqa: S608
                f"WHERE {q('assessment_id')} = {q('rows')}.{q(column)} "
                f"AND {q('domain')} = %s AND {q('max_score')} > 0"
            )

        return f"({percent('last_screening')}) - ({percent('first_screening')})", [
            domain,
            domain,
        ]

    return sql


def _screening_titles() -> dict[str, str]:
    """Domain titles from the screening instruments' definitions, in this language."""
    titles: dict[str, str] = {}
    for definition in InstrumentVersion.objects.filter(
        instrument__kind=InstrumentKind.SCREENING
    ).values_list("definition", flat=True):
        for item in definition.get("totals") or []:
            titles.setdefault("wb_total", localised(item.get("title") or {}) or item["code"])
        for item in definition.get("domains") or []:
            code = f"wb_{item['code']}"
            titles.setdefault(code, localised(item.get("title") or {}) or item["code"])
    return titles


def _screening_domains(period: Period) -> dict[str, Stat]:
    """One stat per domain the screening instruments score (instruments are data)."""
    titles = {code[3:]: title for code, title in _screening_titles().items()}
    found = (
        DomainScore.objects.filter(assessment__kind=InstrumentKind.SCREENING)
        .values_list("domain", "is_total")
        .distinct()
    )
    stats: dict[str, Stat] = {}
    for domain, is_total in sorted(found, key=lambda d: (not d[1], d[0])):
        code = "wb_total" if is_total else f"wb_{domain}"
        if code in stats:
            continue
        stats[code] = Stat(sql=_change(domain), label=titles.get(domain, domain))
    if "wb_total" not in stats:
        stats["wb_total"] = Stat(
            lambda period: Cast(Value(None, output_field=FloatField()), FloatField())
        )
    return stats


def _has_screening(period: Period) -> Any:
    screened = _all_screenings(period).values("case_id")
    return Case.objects.filter(_active_at_end(period), pk__in=screened)


def _first_and_last(period: Period) -> dict[str, Any]:
    return {
        "first_screening": Subquery(
            _screenings(period).order_by("assessed_on", "id").values("id")[:1]
        ),
        "last_screening": Subquery(
            _screenings(period).order_by("-assessed_on", "-id").values("id")[:1]
        ),
    }


def _screened_twice(q: Any) -> str:
    """Two screenings or more: the first and the latest are different assessments."""
    return f"{q('rows')}.{q('first_screening')} <> {q('rows')}.{q('last_screening')}"


register_population(
    Population(
        code="screened",
        label=_("People in the programme screened at least twice"),
        queryset=_has_screening,
        row_columns=_first_and_last,
        row_filter=_screened_twice,
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        stats=_screening_domains,
        stat_labels=lambda period: _screening_titles(),
        counted=_("people"),
    )
)
register(
    Indicator(
        code="wellbeing_change",
        name=_("Change in screening scores, first to latest"),
        definition=_(
            "For people in the programme at the end of the year with at least two "
            "screenings (e.g. PSC-17), the mean change from the first to the latest "
            "screening, in percentage points of the scale's maximum, by domain. A negative "
            "change means fewer difficulties reported."
        ),
        numerator=_("Sum of the changes (latest minus first, in points of the maximum)"),
        denominator=_("People screened at least twice"),
        kind="mean",
        population="screened",
        measure="wb_total",
        family="wb_",
        disaggregations=("domain", "region", "sex", "age_band", "agency"),
        period=YEAR_STOCK,
    )
)


# --- referrals (tirek.referrals) ---------------------------------------------------------


def _all_referrals_in(period: Period) -> Any:
    return Referral.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


def _referrals_in(period: Period) -> Any:
    return _all_referrals_in(period).filter(case=OuterRef("pk"))


def _count_of(queryset: Any) -> Any:
    return Coalesce(
        Subquery(
            queryset.order_by().values("case").annotate(c=Count("id")).values("c")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _accepted(period: Period) -> Any:
    ever = Exists(
        ReferralEvent.objects.filter(referral=OuterRef("pk"), status=ReferralStatus.ACCEPTED)
    )
    later = [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED]
    return _referrals_in(period).filter(Q(status__in=later) | Q(ever))


def _completed_in(period: Period) -> Any:
    return _referrals_in(period).filter(
        status=ReferralStatus.COMPLETED, closed_at__isnull=False, closed_at__lt=period.end
    )


def _days_to_completion(period: Period) -> Any:
    return Subquery(
        _completed_in(period)
        .order_by()
        .values("case")
        .annotate(d=Avg(DaysBetween(F("closed_at"), F("created_at"))))
        .values("d")[:1],
        output_field=FloatField(),
    )


register_population(
    Population(
        code="referred",
        label=_("People referred in the year"),
        queryset=lambda period: Case.objects.filter(
            pk__in=_all_referrals_in(period).values("case_id")
        ),
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        quarter=None,
        counted=_("people"),
        stats={
            "made": Stat(lambda period: _count_of(_referrals_in(period))),
            # Zero becomes "no value": the total is shown only for a group of at least
            # five people who had one accepted (completed), never "2 accepted".
            "accepted": Stat(lambda period: NullIf(_count_of(_accepted(period)), 0)),
            "completed": Stat(lambda period: NullIf(_count_of(_completed_in(period)), 0)),
            "days": Stat(_days_to_completion, top_code=365),
        },
    )
)
register(
    Indicator(
        code="referred",
        name=_("People referred to services"),
        definition=_("People for whom at least one referral was sent in the year."),
        numerator=_("People with a referral sent in the year"),
        denominator=None,
        kind="count",
        population="referred",
        period=YEAR_FLOW,
    )
)
for code, name, definition in (
    (
        "made",
        _("Referrals made"),
        _("Referrals sent in the year, for the people referred."),
    ),
    (
        "accepted",
        _("Referrals accepted"),
        _(
            "Referrals sent in the year that the receiving service accepted; shown only "
            "for groups of people with an accepted referral large enough to publish."
        ),
    ),
    (
        "completed",
        _("Referrals completed"),
        _("Referrals sent in the year and completed by the end of the year."),
    ),
):
    register(
        Indicator(
            code=f"referrals_{code}",
            name=name,
            definition=definition,
            numerator=name,
            denominator=None,
            kind="sum",
            population="referred",
            measure=code,
            period=YEAR_FLOW,
        )
    )
register(
    Indicator(
        code="referral_days_to_completion",
        name=_("Days from referral to completion"),
        definition=_(
            "For people with a referral sent and completed in the year: the mean, over "
            "people, of their mean number of days from sending to completion. The maximum "
            "is capped at 365 days."
        ),
        numerator=_("Days from sending to completion"),
        denominator=_("People with a completed referral"),
        kind="mean",
        population="referred",
        measure="days",
        period=YEAR_FLOW,
    )
)


# --- interviews (tirek.interviews) -------------------------------------------------------


def _all_interviews_held(period: Period) -> Any:
    when = Coalesce(F("started_at"), F("scheduled_at"), F("requested_at"))
    return Interview.objects.annotate(held_at=when).filter(
        status=InterviewStatus.HELD, held_at__gte=period.start, held_at__lt=period.end
    )


def _interviews_held(period: Period) -> Any:
    return _all_interviews_held(period).filter(case=OuterRef("pk"))


def _children_interviewed(period: Period) -> Any:
    return Case.objects.filter(
        pk__in=_all_interviews_held(period).values("case_id"),
        person__birth_date__gt=years_before(period.last_day, 18),
    )


register_population(
    Population(
        code="interviewed",
        label=_("Children interviewed in the year"),
        queryset=_children_interviewed,
        unit="supervising_unit_id",
        dimensions=case_dimensions,
        counted=_("children"),
        stats={"interviews": Stat(lambda period: _count_of(_interviews_held(period)), top_code=10)},
    )
)
register(
    Indicator(
        code="interviews_per_child",
        name=_("Interviews per child"),
        definition=_(
            "For children (under 18 at the end of the year) interviewed in the year: the "
            "mean number of interviews held per child, and the maximum (capped at 10, "
            "shown as «≥ 10»). Fewer is better: the aim is to interview once."
        ),
        numerator=_("Interviews held in the year"),
        denominator=_("Children interviewed in the year"),
        kind="mean",
        population="interviewed",
        measure="interviews",
        disaggregations=("region", "sex", "age_band", "agency"),
        period=YEAR_FLOW,
    )
)


# --- training (tirek.training): staff, not children -------------------------------------

TRAINING = frozenset({"training"})


def _course_dimension(rows: list[dict[str, Any]]) -> Dimension:
    ids = {r["d_course"] for r in rows if r["d_course"] is not None}
    courses = Course.objects.filter(pk__in=ids).prefetch_related("translations")
    ordered = sorted(((str(c.pk), c.title) for c in courses), key=lambda c: c[1])
    return Dimension("course", LABELS["course"], tuple(ordered))


def _audience_dimension(rows: list[dict[str, Any]]) -> Dimension:
    return Dimension("audience", LABELS["audience"], tuple(Audience.choices))


def _course_titles(codes: list[str]) -> dict[str, Any]:
    ids = [int(c) for c in codes if c.isdigit()]
    courses = Course.objects.filter(pk__in=ids).prefetch_related("translations")
    return {str(c.pk): c.title for c in courses}


POPULATION_DIMENSIONS["course"] = _course_dimension
POPULATION_DIMENSIONS["audience"] = _audience_dimension
DIMENSION_LABELERS["course"] = _course_titles
DIMENSION_LABELERS["audience"] = lambda codes: dict(Audience.choices)
DIMENSION_LABELERS["event_kind"] = lambda codes: dict(Event.Kind.choices)
DIMENSION_LABELERS["generation"] = lambda codes: dict(_generations())

register_population(
    Population(
        code="certified",
        label=_("Certificates of completion issued in the year"),
        queryset=lambda period: Certificate.objects.filter(
            kind=Certificate.Kind.PARTICIPANT,
            issued_at__gte=period.start,
            issued_at__lt=period.end,
            revoked_at__isnull=True,
        ),
        region=lambda: Coalesce(
            F("participant__region_id"), F("user__region_id"), F("user__agency__region_id")
        ),
        dimensions=lambda period: {
            "course": F("course_id"),
            "audience": F("participant__audience"),
        },
        counted=_("people trained"),
    )
)
register(
    Indicator(
        code="staff_trained",
        name=_("Staff trained, by course"),
        definition=_(
            "People who received a certificate of completion of a course in the year "
            "(certificates revoked since are not counted). Someone certified in two "
            "courses counts once in each."
        ),
        numerator=_("Certificates of completion issued in the year"),
        denominator=None,
        kind="count",
        population="certified",
        disaggregations=("course", "region", "audience"),
        period=YEAR_FLOW,
        audiences=TRAINING,
    )
)


def _on_active_team(period: Period, role: str | None = None, correlated: bool = True) -> Any:
    members = memberships_active_at(period.end)
    if correlated:
        members = members.filter(user=OuterRef("pk"))
    open_then = Q(case__closed_at__isnull=True) & ~Q(case__status=CaseStatus.CLOSED)
    members = members.filter(
        Q(case__opened_at__lt=period.end) & (open_then | Q(case__closed_at__gte=period.end))
    )
    return members.filter(role=role) if role else members


def _holds(period: Period, competency: str) -> Q:
    valid = StaffCompetency.objects.filter(
        user=OuterRef("pk"),
        competency=competency,
        granted_at__lt=period.end,
    ).filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gte=period.end),
        Q(expires_at__isnull=True) | Q(expires_at__gte=period.end),
    )
    return Q(Exists(valid))


def _holds_needed(period: Period) -> Q:
    """For every role the person plays on an active case team, every competency that
    role needs (the training programme's rules, ``ROLE_NEEDS``)."""
    condition = Q()
    for role, needed in ROLE_NEEDS.items():
        holds_all = Q()
        for competency in needed:
            holds_all &= _holds(period, competency)
        condition &= ~Q(Exists(_on_active_team(period, role))) | holds_all
    return condition


register_population(
    Population(
        code="casework_staff",
        label=_("Staff on the teams of active cases at the end of the year"),
        queryset=lambda period: User.objects.filter(
            pk__in=_on_active_team(period, correlated=False).values("user_id"),
            is_active=True,
        ),
        region=lambda: Coalesce(F("region_id"), F("agency__region_id")),
        dimensions=lambda period: {"agency": F("agency_id")},
        splits={"competent": SplitDef(_holds_needed)},
        counted=_("staff"),
    )
)
register(
    Indicator(
        code="staff_competent",
        name=_("Case staff holding the competencies they need"),
        definition=_(
            "Of the staff on the team of at least one active case at the end of the year, "
            "the share who held, valid on that day, every competency their role on those "
            "teams needs (e.g. case management and needs assessment for a case manager, "
            "child-sensitive interviewing for an interviewer)."
        ),
        numerator=_("Staff holding every needed competency"),
        denominator=_("Staff on active case teams"),
        kind="share",
        population="casework_staff",
        measure="competent",
        disaggregations=("region", "agency"),
        period=YEAR_STOCK,
        audiences=TRAINING,
    )
)


def _generations() -> tuple[tuple[str, Any], ...]:
    return tuple(
        (str(g), _("Generation %(n)s") % {"n": g} if g < 4 else _("Generation 4 and later"))
        for g in range(1, 5)
    ) + ((UNKNOWN, _("No certified trainer recorded")),)


def _cascade_rows(period: Period, scope: Scope) -> CustomRows:
    """Participants of the year's events by the event's cascade generation.

    Generations come from ``tirek.training.cascade`` (who trained whom); the counts
    of participants per event are grouped in SQL."""
    generation_of: dict[int, int] = {}
    for node in cascade.build().nodes.values():
        for ref in node.events:
            if ref.generation:
                generation_of[ref.id] = min(generation_of.get(ref.id, 99), ref.generation)
    events = Event.objects.filter(start_date__gte=period.first_day, start_date__lte=period.last_day)
    # Participant ids only (no person), for the record keys of the cell-key method.
    secret = conf.record_key_secret(Participant._meta.label_lower)
    counts: dict[int, int] = {}
    key_sums: dict[int, int] = {}
    for event_id, participant_id in Participant.objects.filter(event__in=events).values_list(
        "event_id", "id"
    ):
        counts[event_id] = counts.get(event_id, 0) + 1
        key_sums[event_id] = key_sums.get(event_id, 0) + sdc.record_key(participant_id, secret)
    tree = region_tree()
    grouped: dict[tuple[str, str, str], tuple[int, int]] = {}
    for event_id, region_id, kind in events.values_list("id", "region_id", "kind"):
        n = counts.get(event_id, 0)
        if not n:
            continue
        generation = generation_of.get(event_id)
        label = UNKNOWN if generation is None else str(min(generation, 4))
        leaf = tree.leaf_of_region.get(region_id, f"{ROOT}+")
        key = (leaf, label, kind)
        before_n, before_k = grouped.get(key, (0, 0))
        grouped[key] = (before_n + n, before_k + key_sums[event_id])
    rows = [
        Row(leaf, {"generation": g, "event_kind": k}, {N: n}, keys={N: k_sum})
        for (leaf, g, k), (n, k_sum) in grouped.items()
    ]
    return CustomRows(
        rows,
        [
            Dimension("generation", LABELS["generation"], _generations()),
            Dimension("event_kind", LABELS["event_kind"], tuple(Event.Kind.choices)),
        ],
    )


register_population(
    Population(
        code="cascade",
        label=_("Participants of the year's training events"),
        custom_rows=_cascade_rows,
        counted=_("participants"),
    )
)
register(
    Indicator(
        code="cascade_reach",
        name=_("Cascade reach"),
        definition=_(
            "Participants of the training events held in the year, by the generation of "
            "the cascade that delivered them: generation 1 are events of master trainers, "
            "generation 2 of the trainers they certified, and so on. A person at two "
            "events counts twice."
        ),
        numerator=_("Event participants"),
        denominator=None,
        kind="count",
        population="cascade",
        disaggregations=("generation", "region", "event_kind"),
        period=YEAR_FLOW,
        audiences=TRAINING,
    )
)
