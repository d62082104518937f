"""Reporting periods: calendar years.

Only whole calendar years are offered. Arbitrary date ranges would let anyone subtract
two nearly identical ranges and read off the one person registered on the day between
them; quarters and months are published as a *disaggregation inside the year* instead,
so they are protected together with the year's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

FIRST_YEAR = 2015  # the first returns to Central Asia from the conflict zones


@dataclass(frozen=True)
class Period:
    year: int

    @classmethod
    def current(cls) -> Period:
        return cls(timezone.localdate().year)

    @classmethod
    def parse(cls, raw: object, default: Period | None = None) -> Period:
        """A year from user input, or ``default`` (the current year) for anything else."""
        fallback = default or cls.current()
        try:
            year = int(str(raw).strip())
        except (TypeError, ValueError):
            return fallback
        if not FIRST_YEAR <= year <= cls.current().year:
            return fallback
        return cls(year)

    @property
    def code(self) -> str:
        return str(self.year)

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        """The period's last day, or today while the year is still running."""
        return min(date(self.year, 12, 31), timezone.localdate())

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive end: the first moment after the period."""
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))

    @property
    def is_complete(self) -> bool:
        return self.last_day == date(self.year, 12, 31) and timezone.localdate() > self.last_day

    def quarter_starts(self) -> list[datetime]:
        return [
            timezone.make_aware(datetime.combine(date(self.year, month, 1), time.min))
            for month in (4, 7, 10)
        ]

    def __str__(self) -> str:
        return self.code


def available_periods() -> list[Period]:
    this_year = timezone.localdate().year
    return [Period(year) for year in range(this_year, FIRST_YEAR - 1, -1)]


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
