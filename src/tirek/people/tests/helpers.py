"""Builders for people tests."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tirek.accounts.models import User
from tirek.cases import services as case_services
from tirek.cases.models import Case
from tirek.people import services
from tirek.people.models import Person

# A child's identity as the person API takes it (no IIN: add one where a test needs it).
CHILD_PAYLOAD: dict[str, Any] = {
    "given_name": "Мухаммад",
    "family_name": "Каримов",
    "patronymic": "Рустамович",
    "birth_date": "2014-02-14",
    "birth_date_estimated": False,
    "sex": "male",
    "iin": "",
}


def register(by: User, given: str = "Айша", family: str = "Каримова", **fields: Any) -> Person:
    fields.setdefault("birth_date", date(2015, 8, 1))
    return services.person_create(by=by, given_name=given, family_name=family, **fields)


def open_case(by: User, person: Person, team: list[tuple[User, str]] = ()) -> Case:  # type: ignore[assignment]
    case = case_services.case_open(by=by, person=person)
    for user, role in team:
        case_services.team_member_add(by=by, case=case, user=user, role=role)
    return case


def send(client: Any, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")
