"""Small builders for case tests: people and open cases with a team."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from tirek.accounts.models import User
from tirek.cases import services
from tirek.cases.models import Case
from tirek.people.models import Person

_serial = count(1)


def person(**fields: Any) -> Person:
    n = next(_serial)
    defaults: dict[str, Any] = {
        "given_name": f"Амина{n}",
        "family_name": f"Касымова{n}",
        "birth_date": date(2015, 3, 1),
    }
    defaults.update(fields)
    return Person.objects.create(**defaults)


def open_case(by: User, team: list[tuple[User, str]] | None = None, **kwargs: Any) -> Case:
    subject = kwargs.pop("person", None) or person()
    case = services.case_open(by=by, person=subject, **kwargs)
    for user, role in team or []:
        services.team_member_add(by=by, case=case, user=user, role=role)
    return case
