"""The schedule's arithmetic at its boundaries, and the per-country settings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from tirek.retention.schedule import Rule, Trigger, due_on, majority_day, rules_for


def test_closure_rule_is_due_on_the_anniversary_not_the_day_before() -> None:
    rule = Rule("photos", Trigger.CLOSURE, years=1)
    assert due_on(rule, closed_on=date(2024, 3, 10)) == date(2025, 3, 10)
    day_before, day_of = date(2025, 3, 9), date(2025, 3, 10)
    due = due_on(rule, closed_on=date(2024, 3, 10))
    assert due is not None and not due <= day_before and due <= day_of


def test_open_case_is_never_due() -> None:
    rule = Rule("case_file", Trigger.CLOSURE, years=5)
    assert due_on(rule, closed_on=None) is None


def test_eighteenth_birthday_including_29_february() -> None:
    assert majority_day(date(2008, 2, 29)) == date(2026, 2, 28)
    rule = Rule("case_file", Trigger.MAJORITY, years=5)
    assert due_on(rule, birth_date=date(2010, 6, 30)) == date(2033, 6, 30)
    assert due_on(rule, birth_date=None) is None


def test_later_of_closure_and_majority() -> None:
    rule = Rule("case_file", Trigger.LATER_OF, years=5)
    # A child: majority comes after the closure and counts.
    assert due_on(rule, closed_on=date(2020, 1, 1), birth_date=date(2010, 6, 30)) == date(
        2033, 6, 30
    )
    # An adult at closure: the closure counts.
    assert due_on(rule, closed_on=date(2030, 1, 1), birth_date=date(2010, 6, 30)) == date(
        2035, 1, 1
    )
    # Still open: nothing, however old the person.
    assert due_on(rule, closed_on=None, birth_date=date(1990, 1, 1)) is None
    # Birth date unknown: the closure alone.
    assert due_on(rule, closed_on=date(2020, 1, 1), birth_date=None) == date(2025, 1, 1)


def test_kept_for_ever_and_days() -> None:
    assert due_on(Rule("audit", Trigger.NEVER), created_on=date(2000, 1, 1)) is None
    assert due_on(Rule("exports", Trigger.CREATION, days=30), created_on=date(2025, 1, 15)) == (
        date(2025, 2, 14)
    )


def test_every_record_type_of_the_issue_has_a_default() -> None:
    assert set(rules_for("KZ")) == {
        "case_file", "contact_notes", "assessments", "interviews", "consents", "referrals",
        "conferences", "photos", "exports", "training", "audit", "sessions",
        "incidents", "justice", "group_imports",
    }  # fmt: skip
    assert rules_for("KZ")["group_imports"].days == 30
    assert rules_for("KZ")["audit"].kept_for_ever


def test_installation_overrides_a_country_default(settings: Any) -> None:
    settings.TIREK_RETENTION = {"KZ": {"photos": {"years": 2, "trigger": "later_of"}}}
    rule = rules_for("KZ")["photos"]
    assert (rule.years, rule.trigger) == (2, "later_of")
    assert rules_for("UZ")["photos"].years == 1


@pytest.mark.parametrize(
    "bad",
    [{"nope": {"years": 1}}, {"photos": {"months": 1}}, {"photos": {"trigger": "whenever"}}],
)
def test_a_wrong_setting_is_refused_at_once(settings: Any, bad: dict[str, Any]) -> None:
    settings.TIREK_RETENTION = {"KZ": bad}
    with pytest.raises(ImproperlyConfigured):
        rules_for("KZ")
