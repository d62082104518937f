"""Reads about consent and emergency access.

``consent_covers(person, purpose, agency)`` is what sharing features (referrals, exports)
ask before they send anything; ``consent_status(person)`` is what the case page shows.

Who must consent depends on the person's age on the day asked (DESIGN.md section 4,
boundaries per country in ``tirek.privacy.conf``):
- under 6: a parent or legal representative consents;
- 6 to 14: a parent or legal representative consents and the child assents;
- 15 to 17: the child consents;
- adults consent for themselves; with no date of birth, a legal representative consents.
A consent from someone else (e.g. a 12-year-old consenting alone) is an override: it
needs a reason and a supervisor's approval, and once approved stands in for the default.
The requirement is checked on the day asked, so when a child crosses an age boundary the
old consent stops covering and a new one is needed.
A consent names its recipient agencies (none if empty); a child's assent is to the
purpose, whoever receives the information.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.access import selectors as access_selectors
from tirek.accounts.roles import Role

from .conf import CONSENT_EXPIRY_WARNING_DAYS, consent_age_rule
from .models import Consent, ConsentKind, EmergencyAccess, GivenBy, Purpose

if TYPE_CHECKING:
    from tirek.accounts.models import User


class AgeGroup:
    CAREGIVER = "caregiver"  # under 6
    CAREGIVER_AND_ASSENT = "caregiver_and_assent"  # 6-14
    OWN_CONSENT = "own_consent"  # 15-17
    ADULT = "adult"
    UNKNOWN = "unknown"

    LABELS: dict[str, Any] = {
        CAREGIVER: _("Consent of a parent or legal representative"),
        CAREGIVER_AND_ASSENT: _(
            "Consent of a parent or legal representative and the child's assent"
        ),
        OWN_CONSENT: _("The child's own consent"),
        ADULT: _("The person's own consent"),
        UNKNOWN: _("Consent of a legal representative (date of birth unknown)"),
    }


# (given_by, kind) records the default for each age group requires, all of them.
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    AgeGroup.CAREGIVER: ((GivenBy.GUARDIAN, ConsentKind.CONSENT),),
    AgeGroup.CAREGIVER_AND_ASSENT: (
        (GivenBy.GUARDIAN, ConsentKind.CONSENT),
        (GivenBy.CHILD, ConsentKind.ASSENT),
    ),
    AgeGroup.OWN_CONSENT: ((GivenBy.CHILD, ConsentKind.CONSENT),),
    AgeGroup.ADULT: ((GivenBy.ADULT_SELF, ConsentKind.CONSENT),),
    AgeGroup.UNKNOWN: ((GivenBy.GUARDIAN, ConsentKind.CONSENT),),
}


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def age_group(birth_date: date | None, day: date) -> str:
    age = age_on(birth_date, day)
    if age is None:
        return AgeGroup.UNKNOWN
    rule = consent_age_rule()
    if age < rule["caregiver_only_below"]:
        return AgeGroup.CAREGIVER
    if age < rule["own_consent_from"]:
        return AgeGroup.CAREGIVER_AND_ASSENT
    if age < rule["adult_from"]:
        return AgeGroup.OWN_CONSENT
    return AgeGroup.ADULT


def is_default_giver(birth_date: date | None, day: date, given_by: str, kind: str) -> bool:
    """Whether a record fits the default for the age (else, for a consent, an override)."""
    if kind == ConsentKind.ASSENT:
        return True  # an assent is never an override: extra assent does no harm
    return (given_by, kind) in REQUIRED[age_group(birth_date, day)]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_boundary(birth_date: date | None, day: date) -> date | None:
    """The next day the age requirement changes (a birthday crossing a boundary)."""
    if birth_date is None:
        return None
    rule = consent_age_rule()
    for years in (rule["caregiver_only_below"], rule["own_consent_from"], rule["adult_from"]):
        when = _add_years(birth_date, years)
        if when > day:
            return when
    return None


# --- evaluating records (pure Python over records already loaded) -------------------------


def in_force(record: Consent, at: datetime, day: date | None = None) -> bool:
    """Whether the record is in force at ``at``; ``day``: ``at``'s local date, when the
    caller knows it (working out the time zone per record costs a panel of many people
    more than the rest of the check)."""
    day = day or timezone.localdate(at)
    return (
        record.valid_from <= day
        and (record.valid_until is None or record.valid_until >= day)
        and (record.withdrawn_at is None or record.withdrawn_at > at)
        and (not record.is_override or record.override_approved_at is not None)
    )


def _names_agency(record: Consent, agency_id: int | None) -> bool:
    if agency_id is None or record.kind == ConsentKind.ASSENT:
        return True
    return any(a.pk == agency_id for a in record.recipients.all())


def _covering(
    records: Iterable[Consent],
    birth_date: date | None,
    purpose: str,
    agency_id: int | None,
    at: datetime,
    day: date | None = None,
) -> list[Consent] | None:
    """The records that together cover ``purpose`` at ``at`` (on the local ``day``), or
    None."""
    day = day or timezone.localdate(at)
    usable = [
        r
        for r in records
        if r.purpose == purpose and in_force(r, at, day) and _names_agency(r, agency_id)
    ]
    overrides = [r for r in usable if r.is_override and r.kind == ConsentKind.CONSENT]
    if overrides:
        return [max(overrides, key=_end_key)]
    chosen: list[Consent] = []
    for given_by, kind in REQUIRED[age_group(birth_date, day)]:
        matching = [
            r for r in usable if r.given_by == given_by and r.kind == kind and not r.is_override
        ]
        if not matching:
            return None
        chosen.append(max(matching, key=_end_key))
    return chosen


def _end_key(record: Consent) -> date:
    return record.valid_until or date.max


def consent_covers(
    person: Any, purpose: str, agency: Any = None, at: datetime | None = None
) -> bool:
    """Whether consent in force at ``at`` (default: now) covers ``purpose`` and, when
    ``agency`` is given, sharing with that agency. Withdrawn consent never covers."""
    at = at or timezone.now()
    agency_id = getattr(agency, "pk", agency)
    records = list(
        Consent.objects.filter(person=person, purpose=purpose).prefetch_related("recipients")
    )
    return _covering(records, person.birth_date, purpose, agency_id, at) is not None


@dataclass
class PurposeStatus:
    purpose: str
    label: Any
    state: str  # covered | expiring | missing
    until: date | None = None  # when coverage ends (consent end or age boundary)
    agencies: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return self.state != "missing"


@dataclass
class ConsentStatus:
    age: int | None
    age_group: str
    requirement: Any
    purposes: list[PurposeStatus]
    awaiting_approval: int
    records: list[Consent]

    @property
    def case_management(self) -> PurposeStatus:
        return next(p for p in self.purposes if p.purpose == Purpose.CASE_MANAGEMENT)

    @property
    def needs_attention(self) -> bool:
        return self.case_management.state != "covered"


def _status(
    person: Any,
    records: list[Consent],
    at: datetime,
    *,
    recipients: bool = True,
    only: frozenset[str] | None = None,
) -> ConsentStatus:
    today = timezone.localdate(at)
    boundary = next_boundary(person.birth_date, today)
    purposes: list[PurposeStatus] = []
    for purpose, label in Purpose.choices:
        if only is not None and purpose not in only:
            continue
        chosen = _covering(records, person.birth_date, purpose, None, at, today)
        if chosen is None:
            purposes.append(PurposeStatus(purpose, label, "missing"))
            continue
        ends = [r.valid_until for r in chosen if r.valid_until is not None]
        if boundary is not None and not any(r.is_override for r in chosen):
            ends.append(boundary - timedelta(days=1))
        until = min(ends) if ends else None
        warn = until is not None and until <= today + timedelta(days=CONSENT_EXPIRY_WARNING_DAYS)
        agencies = (
            sorted(
                {
                    a.name
                    for r in chosen
                    if r.kind == ConsentKind.CONSENT
                    for a in r.recipients.all()
                }
            )
            if recipients
            else []
        )
        purposes.append(
            PurposeStatus(purpose, label, "expiring" if warn else "covered", until, agencies)
        )
    group = age_group(person.birth_date, today)
    return ConsentStatus(
        age=age_on(person.birth_date, today),
        age_group=group,
        requirement=AgeGroup.LABELS[group],
        purposes=purposes,
        awaiting_approval=sum(1 for r in records if r.awaiting_approval),
        records=records,
    )


def consent_status(person: Any, at: datetime | None = None) -> ConsentStatus:
    """Per purpose: covered, expiring within 30 days, or missing; plus the age rule."""
    at = at or timezone.now()
    records = list(
        Consent.objects.filter(person=person)
        .select_related("recorded_by", "withdrawn_by", "override_approved_by")
        .prefetch_related("recipients")
    )
    return _status(person, records, at)


def consent_status_many(
    persons: Iterable[Any], at: datetime | None = None, *, recipients: bool = True
) -> dict[int, ConsentStatus]:
    """``consent_status`` for many people in two queries (for lists and panels); in one
    with ``recipients=False`` (then no purpose lists its ``agencies``)."""
    at = at or timezone.now()
    persons = list(persons)
    by_person = consent_records_many(persons, recipients=recipients)
    return {p.pk: _status(p, by_person[p.pk], at, recipients=recipients) for p in persons}


def consent_records_many(
    persons: Iterable[Any], *, recipients: bool = True
) -> dict[int, list[Consent]]:
    """Every consent record of these people, by person (one query, two with recipients)."""
    persons = list(persons)
    by_person: dict[int, list[Consent]] = {p.pk: [] for p in persons}
    records = Consent.objects.filter(person__in=persons)
    if recipients:
        records = records.prefetch_related("recipients")
    for record in records:
        by_person[record.person_id].append(record)
    return by_person


def consent_status_from(
    persons: Iterable[Any],
    by_person: dict[int, list[Consent]],
    at: datetime | None = None,
    *,
    purposes: Iterable[str] | None = None,
) -> dict[int, ConsentStatus]:
    """``consent_status_many(..., recipients=False)`` from records already read by
    ``consent_records_many(..., recipients=False)``; with ``purposes``, the status of those
    purposes only (a panel that shows one spares working out the others)."""
    at = at or timezone.now()
    only = None if purposes is None else frozenset(purposes)
    return {p.pk: _status(p, by_person[p.pk], at, recipients=False, only=only) for p in persons}


def consents_of(person: Any) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(person=person)
        .select_related("recorded_by", "withdrawn_by", "override_approved_by")
        .prefetch_related("recipients")
        .order_by("-recorded_at", "-id")
    )


# --- emergency access -------------------------------------------------------------------------


# Kept under their old names; the relation itself belongs to ``tirek.access``.
emergency_accesses_to_review = access_selectors.emergency_accesses_to_review
emergency_accesses_reviewed = access_selectors.emergency_accesses_reviewed


def reads_during(access: EmergencyAccess) -> QuerySet[Any]:
    """What the person opened under the emergency access, from the audit log."""
    from tirek.audit.models import AuditEntry

    return AuditEntry.objects.filter(
        actor_id=access.user_id,
        object_type="cases.case",
        object_id=str(access.case_id),
        at__gte=access.granted_at,
        at__lte=access.expires_at,
    ).order_by("at", "id")


def is_dpo(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.DPO))


def supervises_a_unit(user: User) -> bool:
    from tirek.access.policy import supervised_unit_id

    return supervised_unit_id(user) is not None


# --- consent reminders ------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentReminder:
    """Counts only: consents that end within the notice period, and that have ended."""

    expiring: int
    expired: int

    @property
    def is_empty(self) -> bool:
        return not (self.expiring or self.expired)


def _latest_consents(user: User) -> QuerySet[Consent]:
    """For each person on an open case the user works on (on its team) and may see the
    consent of (the policy's ``cases_with_section``): the newest-ending, not withdrawn,
    counting record per purpose and kind. A consent renewed by a later one is not counted."""
    from django.db.models import Exists, OuterRef, Q

    from tirek.access import policy
    from tirek.access.policy import Section

    cases = (
        access_selectors.team_cases(user)
        .filter(pk__in=policy.cases_with_section(user, Section.CORE).values("pk"))
        .exclude(status="closed")
    )
    later = Consent.objects.filter(
        person=OuterRef("person"),
        purpose=OuterRef("purpose"),
        kind=OuterRef("kind"),
        withdrawn_at__isnull=True,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=OuterRef("valid_until")))
    return (
        Consent.objects.filter(
            person__in=cases.values("person"),
            withdrawn_at__isnull=True,
            valid_until__isnull=False,
        )
        .filter(Q(is_override=False) | Q(override_approved_at__isnull=False))
        .exclude(Exists(later))
    )


def consent_reminder_from(
    records: Iterable[Consent], at: datetime | None = None
) -> ConsentReminder:
    """``consent_reminder`` counted from every consent record of the people of the user's
    open cases, already read (the "my work" page reads them once): the same rule as
    ``_latest_consents``, in Python."""
    today = timezone.localdate(at or timezone.now())
    soon = today + timedelta(days=CONSENT_EXPIRY_WARNING_DAYS)
    records = list(records)
    live: dict[tuple[int, str, str], list[Consent]] = {}
    for r in records:
        if r.withdrawn_at is None:
            live.setdefault((r.person_id, r.purpose, r.kind), []).append(r)
    expiring = expired = 0
    for r in records:
        if r.withdrawn_at is not None or r.valid_until is None:
            continue
        if r.is_override and r.override_approved_at is None:
            continue
        until = r.valid_until
        if any(
            later.valid_until is None or later.valid_until > until
            for later in live[(r.person_id, r.purpose, r.kind)]
        ):
            continue  # renewed by a later one
        if today <= until <= soon:
            expiring += 1
        elif until < today:
            expired += 1
    return ConsentReminder(expiring=expiring, expired=expired)


def consent_reminder(user: User, at: datetime | None = None) -> ConsentReminder:
    """How many consents on the user's open cases expire within the notice period
    (``CONSENT_EXPIRY_WARNING_DAYS``) and how many have expired without a renewal."""
    today = timezone.localdate(at or timezone.now())
    soon = today + timedelta(days=CONSENT_EXPIRY_WARNING_DAYS)
    counts = _latest_consents(user).aggregate(  # both counts in one query
        expiring=Count("pk", filter=Q(valid_until__gte=today, valid_until__lte=soon)),
        expired=Count("pk", filter=Q(valid_until__lt=today)),
    )
    return ConsentReminder(expiring=counts["expiring"], expired=counts["expired"])
