"""Plausible dates for the justice pathway and incidents: nothing before 1990 (the oldest
return the programme follows), nothing that already happened in the future, and nothing
planned further ahead than the longest sentence the data needs (25 years)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = date(1990, 1, 1)
FURTHEST_AHEAD = timedelta(days=365 * 25)


def check_date(value: date | None, field: str, *, past: bool = False) -> None:
    """``past``: the date of something that happened (not after today)."""
    if value is None:
        return
    today = timezone.localdate()
    if value < EARLIEST:
        raise ValidationError({field: _("The date is too far in the past.")})
    if past and value > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value > today + FURTHEST_AHEAD:
        raise ValidationError({field: _("The date is too far in the future.")})


def check_order(start: date, end: date | None, field: str) -> None:
    if end is not None and end < start:
        raise ValidationError({field: _("The end date is before the start date.")})
