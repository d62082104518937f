"""What falls due, what a hold covers, and the DPO's work list. Counts and case numbers
only: nothing here reads a name or a narrative."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils import timezone

from tirek.accounts.models import ApiToken
from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseStatus
from tirek.people.models import HouseholdMember, Relationship
from tirek.reports.models import Export
from tirek.training.models import Certificate
from tirek.transfers.models import GroupImport

from .models import (
    Anonymisation,
    BatchStatus,
    DestructionBatch,
    Erasure,
    LegalHold,
    RequestStatus,
    SubjectRequest,
)
from .schedule import CASE_TYPES, Action, RecordType, Rule, due_on, rules_for

if TYPE_CHECKING:
    from tirek.accounts.models import User

SOON_DAYS = 30


def is_dpo(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.DPO))


@dataclass(frozen=True)
class DueCase:
    case_id: int
    number: str
    person_id: int
    due_on: date


@dataclass
class TypeDue:
    rule: Rule
    now: list[DueCase] = field(default_factory=list)
    soon: list[DueCase] = field(default_factory=list)
    held: set[int] = field(default_factory=set)  # case ids under a legal hold
    # For record types that are not per case: how many records are due now.
    count_now: int = 0

    @property
    def destroyable(self) -> list[DueCase]:
        return [d for d in self.now if d.case_id not in self.held]

    @property
    def total_now(self) -> int:
        return len(self.now) if self.rule.record_type in CASE_TYPES else self.count_now


# --- legal holds --------------------------------------------------------------------------


def _family_of(person_id: int) -> set[int]:
    """The person, their relatives on either side, and who lives in their household."""
    people = {person_id}
    for a, b in Relationship.objects.filter(
        Q(person_id=person_id) | Q(relative_id=person_id)
    ).values_list("person_id", "relative_id"):
        people |= {a, b}
    households = HouseholdMember.objects.filter(person_id=person_id).values("household_id")
    people |= set(
        HouseholdMember.objects.filter(household_id__in=households).values_list(
            "person_id", flat=True
        )
    )
    return people


def held_case_ids() -> set[int]:
    """Every case an active legal hold covers, today."""
    case_ids: set[int] = set()
    person_ids: set[int] = set()
    for hold in LegalHold.objects.active().only("scope", "case_id", "person_id"):
        if hold.scope == "case":
            case_ids.add(hold.case_id)
        elif hold.scope == "person":
            person_ids.add(hold.person_id)
        else:
            person_ids |= _family_of(hold.person_id)
    if person_ids:
        case_ids |= set(Case.objects.filter(person_id__in=person_ids).values_list("pk", flat=True))
    return case_ids


def holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.select_related("case", "placed_by", "lifted_by")


# --- what falls due -----------------------------------------------------------------------


def _closed_case_rows(record_type: str) -> list[tuple[int, str, int, Any, date | None]]:
    cases = Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False)
    anonymised = Anonymisation.objects.values("person_id")
    cases = cases.exclude(person_id__in=anonymised)
    if record_type != RecordType.CASE_FILE:
        done = Erasure.objects.filter(record_type=record_type).values("case_id")
        cases = cases.exclude(pk__in=done)
    return list(cases.values_list("pk", "number", "person_id", "closed_at", "person__birth_date"))


def _case_due(rule: Rule) -> list[DueCase]:
    rows = _closed_case_rows(rule.record_type)
    found = []
    for case_id, number, person_id, closed_at, birth in rows:
        due = due_on(rule, closed_on=timezone.localdate(closed_at), birth_date=birth)
        if due is not None:
            found.append(DueCase(case_id, number, person_id, due))
    if rule.record_type != RecordType.CASE_FILE:
        return found
    # A person is anonymised as a whole: only when no case of theirs is open, and on the
    # latest due date of their cases.
    open_people = set(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(person_id__in={d.person_id for d in found})
        .values_list("person_id", flat=True)
    )
    latest: dict[int, date] = defaultdict(lambda: date.min)
    for d in found:
        latest[d.person_id] = max(latest[d.person_id], d.due_on)
    return [
        DueCase(d.case_id, d.number, d.person_id, latest[d.person_id])
        for d in found
        if d.person_id not in open_people
    ]


def _other_due(rule: Rule, today: date) -> int:
    """How many records of a type that is not per case are due today."""
    now = timezone.now()
    if rule.kept_for_ever:
        return 0
    if rule.record_type == RecordType.EXPORTS:
        return Export.objects.filter(created_at__lte=now - _period(rule, today)).count()
    if rule.record_type == RecordType.SESSIONS:
        tokens = ApiToken.objects.filter(created_at__lte=now - _period(rule, today)).filter(
            Q(expires_at__lt=now) | Q(revoked_at__isnull=False)
        )
        return tokens.count() + Session.objects.filter(expire_date__lt=now).count()
    if rule.record_type == RecordType.GROUP_IMPORTS:
        return expired_group_imports(now - _period(rule, today)).count()
    if rule.record_type == RecordType.TRAINING:
        return Certificate.objects.filter(expires_at__lte=now - _period(rule, today)).count()
    return 0


def expired_group_imports(cutoff: datetime) -> QuerySet[GroupImport]:
    """Group-arrival previews uploaded before ``cutoff`` still holding rows."""
    return GroupImport.objects.filter(created_at__lte=cutoff).exclude(rows=[])


def _period(rule: Rule, today: date) -> timedelta:
    """The rule's period as a span (years counted from today's date)."""
    return rule.period_after(today) - today


def due(
    today: date | None = None, soon_days: int = SOON_DAYS, only: str | None = None
) -> list[TypeDue]:
    """Per record type of the schedule (or ``only`` one): due now, due within
    ``soon_days``, held."""
    today = today or timezone.localdate()
    held = held_case_ids()
    result = []
    for rule in rules_for().values():
        if only is not None and rule.record_type != only:
            continue
        entry = TypeDue(rule)
        if rule.record_type in CASE_TYPES:
            for item in _case_due(rule):
                if item.due_on <= today:
                    entry.now.append(item)
                elif item.due_on <= today + timedelta(days=soon_days):
                    entry.soon.append(item)
            entry.now.sort(key=lambda d: (d.due_on, d.number))
            entry.soon.sort(key=lambda d: (d.due_on, d.number))
            entry.held = {d.case_id for d in entry.now + entry.soon} & held
        else:
            entry.count_now = _other_due(rule, today)
        result.append(entry)
    return result


def due_for(record_type: str, today: date | None = None) -> TypeDue:
    for entry in due(today, only=record_type):
        return entry
    raise KeyError(record_type)


def destroyable_types() -> set[str]:
    return {rule.record_type for rule in rules_for().values() if rule.action != Action.KEEP}


def batches() -> QuerySet[DestructionBatch]:
    return DestructionBatch.objects.select_related("approved_by")


def proposed_batch(record_type: str) -> DestructionBatch | None:
    return DestructionBatch.objects.filter(
        record_type=record_type, status=BatchStatus.PROPOSED
    ).first()


def subject_requests() -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.select_related("recorded_by", "approved_by")


def overdue_requests() -> QuerySet[SubjectRequest]:
    return subject_requests().filter(
        deadline__lt=timezone.localdate(),
        status__in=[RequestStatus.OPEN, RequestStatus.APPROVED],
    )


def decided_requests_of(person_id: int) -> list[SubjectRequest]:
    """Rectifications and objections granted (wholly or partly) for this person."""
    return list(
        SubjectRequest.objects.filter(
            person_id=person_id,
            kind__in=["rectification", "objection"],
            status=RequestStatus.CLOSED,
            outcome__in=["granted", "partly"],
        ).order_by("closed_at")
    )
