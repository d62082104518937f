"""Disaggregations: what a count can be broken down by, and how to compute it in SQL."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Expression, F, Value, When
from django.utils.translation import gettext_lazy as _

from tirek.cases.models import Phase
from tirek.people.models import Sex

from .cube import Dimension
from .periods import Period, years_before

# (code, lower age, label); the upper end is the next band's lower age.
AGE_BANDS: tuple[tuple[str, int, Any], ...] = (
    ("0-5", 0, _("0–5 years")),
    ("6-11", 6, _("6–11 years")),
    ("12-14", 12, _("12–14 years")),
    ("15-17", 15, _("15–17 years")),
    ("18+", 18, _("18 years and over")),
)
UNKNOWN = "unknown"

LABELS: dict[str, Any] = {
    "region": _("Region"),
    "phase": _("Phase"),
    "sex": _("Sex"),
    "age_band": _("Age"),
    "agency": _("Agency"),
    "quarter": _("Quarter"),
    "domain": _("Domain"),
    "course": _("Course"),
    "generation": _("Cascade generation"),
    "event_kind": _("Kind of event"),
    "audience": _("Professional group"),
    "service": _("Kind of service"),
}

# Dimensions whose categories are the same in every country: these may go into the
# regional exchange. Region and agency are national and stay at home.
SHARED = ("sex", "age_band", "phase", "quarter")


def phase_dimension() -> Dimension:
    return Dimension("phase", LABELS["phase"], tuple((c, label) for c, label in Phase.choices))


def sex_dimension() -> Dimension:
    return Dimension("sex", LABELS["sex"], tuple((c, label) for c, label in Sex.choices))


def age_dimension() -> Dimension:
    return Dimension(
        "age_band",
        LABELS["age_band"],
        tuple((code, label) for code, _low, label in AGE_BANDS)
        + ((UNKNOWN, _("Date of birth unknown")),),
    )


def quarter_dimension() -> Dimension:
    return Dimension(
        "quarter",
        LABELS["quarter"],
        (
            ("q1", _("1st quarter")),
            ("q2", _("2nd quarter")),
            ("q3", _("3rd quarter")),
            ("q4", _("4th quarter")),
        ),
    )


def agency_dimension(agencies: dict[int, str]) -> Dimension:
    ordered = sorted(agencies.items(), key=lambda item: (item[1], item[0]))
    return Dimension(
        "agency",
        LABELS["agency"],
        tuple((str(pk), name) for pk, name in ordered) + ((UNKNOWN, _("No agency")),),
    )


def age_band(birth_date_field: str, period: Period) -> Expression:
    """Age band at the period's last day, in SQL (no person is loaded into Python)."""
    end = period.last_day
    whens = [When(**{f"{birth_date_field}__isnull": True}, then=Value(UNKNOWN))]
    bands = list(AGE_BANDS)
    for (code, _low, _label), (_next_code, next_low, _next_label) in zip(
        bands, bands[1:], strict=False
    ):
        # Younger than the next band's lower age: born after the day that age was reached.
        whens.append(
            When(**{f"{birth_date_field}__gt": years_before(end, next_low)}, then=Value(code))
        )
    return Case(*whens, default=Value(bands[-1][0]), output_field=CharField())


def quarter(date_field: str, period: Period) -> Expression:
    q2, q3, q4 = period.quarter_starts()
    return Case(
        When(**{f"{date_field}__lt": q2}, then=Value("q1")),
        When(**{f"{date_field}__lt": q3}, then=Value("q2")),
        When(**{f"{date_field}__lt": q4}, then=Value("q3")),
        default=Value("q4"),
        output_field=CharField(),
    )


def case_dimensions(period: Period, prefix: str = "") -> dict[str, Expression | F]:
    """Phase, sex, age band and agency of the case at ``prefix`` (e.g. "case__")."""
    return {
        "phase": F(f"{prefix}phase"),
        "sex": F(f"{prefix}person__sex"),
        "age_band": age_band(f"{prefix}person__birth_date", period),
        "agency": F(f"{prefix}supervising_unit__agency_id"),
    }
