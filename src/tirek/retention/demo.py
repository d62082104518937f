"""Demo (order 90): one closed case whose retention is due, so the DPO has something to
see, hold and approve. Invented person; closed long enough ago for the case-file rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.accounts.models import User
from tirek.cases.models import Case, CaseStatus
from tirek.organisations.models import Unit
from tirek.people.keys import refresh_keys
from tirek.people.models import Person, Sex

from .schedule import RecordType, rules_for

DEMO_MARK = "retention-demo"  # birth_place of the invented person: finds it again
DEMO_NUMBER = "KZ-2012-RET1"


def _closed_on() -> date:
    """A closure far enough back that the case file is due today under the rules in force."""
    rule = rules_for()[RecordType.CASE_FILE]
    today = timezone.localdate()
    closed = date(today.year - rule.years - 1, 1, 15)
    while rule.period_after(closed) > today:
        closed = date(closed.year - 1, 1, 15)
    return closed


def load(stdout: Any) -> None:
    if Case.objects.filter(number=DEMO_NUMBER).exists():
        return
    manager = User.objects.filter(username="demo-case-manager").first()
    unit = Unit.objects.filter(pk=manager.unit_id).first() if manager and manager.unit_id else None
    if manager is None or unit is None:
        return
    closed = _closed_on()
    with transaction.atomic():
        person = Person.objects.create(
            given_name="Тимур",
            family_name="Ержанов",
            patronymic="Болатович",
            sex=Sex.MALE,
            # Adult long before the closure, so closure is the later trigger.
            birth_date=date(closed.year - 20, 5, 2),
            birth_place=DEMO_MARK,
            created_by=manager,
            registered_by_unit=unit,
        )
        refresh_keys(person)  # searchable by name until anonymised
        Case.objects.create(
            number=DEMO_NUMBER,
            person=person,
            status=CaseStatus.CLOSED,
            case_manager=manager,
            supervising_unit=unit,
            region=unit.region,
            opened_at=timezone.make_aware(datetime(closed.year - 2, 3, 1)),
            closed_at=timezone.make_aware(datetime(closed.year, closed.month, closed.day, 12)),
            return_date=date(closed.year - 2, 2, 1),
        )
    stdout.write(f"Retention demo: closed case {DEMO_NUMBER}, due for anonymisation.")
