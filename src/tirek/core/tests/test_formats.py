"""Dates, times and numbers in Kazakh, Uzbek and Tajik are written as in those countries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import formats, translation

DEADLINE = dt.datetime(2027, 2, 26, 14, 30)


@pytest.mark.parametrize("language", ["kk", "uz", "tg"])
def test_it_writes_dates_day_month_year_with_a_24_hour_clock(language: str) -> None:
    with translation.override(language):
        rendered = Template(
            '{{ d|date }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"SHORT_DATETIME_FORMAT" }}'
            "|{{ d|time }}"
        ).render(Context({"d": DEADLINE}))
    assert rendered == "26.02.2027|26.02.2027|26.02.2027 14:30|14:30"


@pytest.mark.parametrize("language", ["kk", "uz", "tg"])
def test_it_writes_numbers_with_a_decimal_comma_and_space_thousands(language: str) -> None:
    with translation.override(language):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == "1\xa0234\xa0567,5"


@pytest.mark.parametrize("language", ["kk", "uz", "tg"])
def test_it_reads_the_dates_people_type(language: str) -> None:
    from django import forms

    with translation.override(language):
        field = forms.DateField()
        assert field.clean("26.02.2027") == dt.date(2027, 2, 26)
        assert field.clean("2027-02-26") == dt.date(2027, 2, 26)
