"""Reads of the justice pathway: each part only when the policy opens its section."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case

from .models import (
    Condition,
    ContactEvent,
    LegalStatus,
    LegalUpdate,
    SupportRecord,
    support_kinds,
)


@dataclass
class JusticeView:
    """What ``user`` may see of the justice pathway on ``case`` (None: the section is closed)."""

    statuses: list[LegalStatus] | None = None
    conditions: list[Condition] | None = None
    updates: list[LegalUpdate] | None = None  # conditions lifted/modified, reviews, contacts
    contacts: list[ContactEvent] | None = None
    support: list[SupportRecord] | None = None
    writable: frozenset[str] = field(default_factory=frozenset)
    # The kinds of support the viewer may record (their section is writable to them).
    support_writable: list[str] = field(default_factory=list)

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
    parts: frozenset[str] = frozenset(
        {Section.SECURITY, Section.COUNSELLING, Section.SOCIAL, Section.FAMILY}
    ),
) -> JusticeView:
    """``parts``: the sections to load (a panel loads only its own; no query for others).

    Support records: only the kinds whose section (``models.SUPPORT_SECTIONS``) the
    viewer sees — livelihood with SOCIAL, religious counselling with COUNSELLING."""
    seen = (policy.sections_for(user, case) if sections is None else sections) & parts
    adult = policy.is_adult(case.person)
    view = JusticeView(writable=policy.sections_for(user, case, include_emergency=False) & seen)
    if adult and LegalStatus.SECTION in seen:
        view.statuses = list(LegalStatus.objects.filter(case=case))
        view.conditions = list(Condition.objects.filter(case=case))
        view.updates = list(
            LegalUpdate.objects.filter(case=case).select_related("condition", "recorded_by")
        )
    if adult and SupportRecord.SECTIONS & seen:
        view.support = list(SupportRecord.objects.filter(case=case, kind__in=support_kinds(seen)))
        view.support_writable = support_kinds(view.writable)
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
    plan it feeds: of each adult's case, the kinds whose section ``user`` sees there
    (livelihood with SOCIAL — the case manager, social workers, the supervisor;
    religious counselling with COUNSELLING). Each case whose records are shown is audited
    as a read of the sections shown."""
    adults = [c for c in cases if policy.is_adult(c.person)]
    sections = policy.sections_for_many(user, adults)
    shown = Q(pk__in=[])
    for case in adults:
        open_ = sections.get(case.pk, frozenset()) & SupportRecord.SECTIONS
        if not open_:
            continue
        shown |= Q(case=case, kind__in=support_kinds(open_))
        record(
            actor=user,
            action=Action.READ,
            obj=case,
            request=request,
            detail={"sections": sorted(open_), "via": "family plan"},
        )
    return list(
        SupportRecord.objects.filter(shown)
        .select_related("case__person")
        .order_by("case_id", "-start_date", "-id")
    )


def support_of(user: User, case: Case) -> list[SupportRecord]:
    """The support records of ``case`` whose kind's section ``user`` sees (none for a
    child's case)."""
    if not policy.is_adult(case.person):
        return []
    seen = policy.sections_for(user, case) & SupportRecord.SECTIONS
    return list(SupportRecord.objects.filter(case=case, kind__in=support_kinds(seen)))
