"""Builders for family tests: a registered family of a mother and two children."""

from __future__ import annotations

from datetime import date
from typing import Any

from tirek.accounts.models import User
from tirek.families import services
from tirek.families.models import Family, MemberRole

MOTHER = {"family_name": "Сапарова", "given_name": "Дильназ", "birth_date": date(1992, 4, 2)}
CHILD1 = {"family_name": "Сапарова", "given_name": "Айару", "birth_date": date(2014, 6, 1)}
CHILD2 = {"family_name": "Сапаров", "given_name": "Ерасыл", "birth_date": date(2017, 9, 12)}


def member(role: str, **fields: Any) -> services.NewMember:
    return services.NewMember(role=role, **fields)


def register_family(by: User, **kwargs: Any) -> Family:
    return services.family_register(
        by=by,
        label=kwargs.pop("label", "Семья, вернувшаяся в 2025 году"),
        members=[
            member(MemberRole.MOTHER, sex="female", **MOTHER),
            member(MemberRole.CHILD, sex="female", **CHILD1),
            member(MemberRole.CHILD, sex="male", **CHILD2),
        ],
        **kwargs,
    )


def form_data(members: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """POST data of the registration form (the formset's prefix is "m")."""
    data: dict[str, Any] = {
        "label": "Семья, вернувшаяся в 2025 году",
        "guardianship": "",
        "m-TOTAL_FORMS": str(max(len(members), 5)),
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "12",
    }
    for i in range(max(len(members), 5)):  # as a browser sends them: empty rows too
        data[f"m-{i}-sex"] = "unknown"
        data[f"m-{i}-role"] = ""
    for i, m in enumerate(members):
        for key, value in m.items():
            data[f"m-{i}-{key}"] = value.isoformat() if isinstance(value, date) else value
    data.update(extra)
    return data
