"""Reads of the justice pathway: each part only when the policy opens its section."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case

from .models import Condition, ContactEvent, LegalStatus, SupportRecord


@dataclass
class JusticeView:
    """What ``user`` may see of the justice pathway on ``case`` (None: the section is closed)."""

    statuses: list[LegalStatus] | None = None
    conditions: list[Condition] | None = None
    contacts: list[ContactEvent] | None = None
    support: list[SupportRecord] | None = None
    writable: frozenset[str] = field(default_factory=frozenset)

    @property
    def current(self) -> LegalStatus | None:
        return self.statuses[0] if self.statuses else None

    @property
    def empty(self) -> bool:
        return all(
            part is None for part in (self.statuses, self.conditions, self.contacts, self.support)
        )


def justice_view(
    user: User,
    case: Case,
    sections: frozenset[str] | None = None,
    parts: frozenset[str] = frozenset({Section.SECURITY, Section.COUNSELLING, Section.FAMILY}),
) -> JusticeView:
    """``parts``: the sections to load (a panel loads only its own; no query for others)."""
    seen = (policy.sections_for(user, case) if sections is None else sections) & parts
    adult = policy.is_adult(case.person)
    view = JusticeView(writable=policy.sections_for(user, case, include_emergency=False) & seen)
    if adult and LegalStatus.SECTION in seen:
        view.statuses = list(LegalStatus.objects.filter(case=case))
        view.conditions = list(Condition.objects.filter(case=case))
    if adult and SupportRecord.SECTION in seen:
        view.support = list(SupportRecord.objects.filter(case=case))
    if not adult and ContactEvent.SECTION in seen:
        view.contacts = list(ContactEvent.objects.filter(case=case))
    return view


def statuses_of(user: User, case: Case) -> Any:
    """The legal status history, newest first; none when SECURITY is closed to ``user``."""
    if not policy.can_see(user, case, LegalStatus.SECTION):
        return LegalStatus.objects.none()
    return LegalStatus.objects.filter(case=case)


def support_for_family(
    user: User, cases: list[Case], *, request: HttpRequest | None = None
) -> list[SupportRecord]:
    """The livelihood and disengagement support of a family's adults, shown in the family
    plan it feeds: only adults' cases whose counselling section ``user`` may see (the
    supervisor who approves the plan; a case manager given the section as an extra); each
    case whose records are shown is audited as a read of that section."""
    shown = [
        c
        for c in cases
        if policy.is_adult(c.person) and policy.can_see(user, c, SupportRecord.SECTION)
    ]
    for case in shown:
        record(
            actor=user,
            action=Action.READ,
            obj=case,
            request=request,
            detail={"section": SupportRecord.SECTION, "via": "family plan"},
        )
    return list(SupportRecord.objects.filter(case__in=shown).select_related("case__person"))
