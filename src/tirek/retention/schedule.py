"""The retention schedule, as data: per record type a trigger and a period (DESIGN.md 4).

``COUNTRY_RETENTION`` holds each country's defaults (documented in docs/retention.md);
``settings.TIREK_RETENTION`` (a dict by country code, e.g.
``{"KZ": {"photos": {"years": 2}}}``) overrides any rule's ``trigger``, ``years`` or
``days``. ``due_on`` is pure — plain dates in, a date out — so the boundaries (the day
before, the day of, the 18th birthday, the later of both) are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from tirek.plans.deadlines import add_months

MAJORITY_AGE = 18


class RecordType(models.TextChoices):
    CASE_FILE = "case_file", _("Case file (identity of the person)")
    CONTACT_NOTES = "contact_notes", _("Contact notes and attachments")
    ASSESSMENTS = "assessments", _("Assessment narratives")
    INTERVIEWS = "interviews", _("Interview records")
    CONSENTS = "consents", _("Consents (who gave them, notes)")
    REFERRALS = "referrals", _("Referral reasons and outcomes")
    CONFERENCES = "conferences", _("Case conference minutes")
    PHOTOS = "photos", _("Photos")
    INCIDENTS = "incidents", _("Incident narratives and the child's account")
    JUSTICE = "justice", _("Justice records (legal status notes, conditions, contacts, support)")
    GROUP_IMPORTS = "group_imports", _("Group arrival spreadsheets (previews)")
    EXPORTS = "exports", _("Export files")
    TRAINING = "training", _("Training records")
    AUDIT = "audit", _("Audit log entries")
    SESSIONS = "sessions", _("Sessions and API tokens")


class Trigger(models.TextChoices):
    CLOSURE = "closure", _("Case closure")
    MAJORITY = "majority", _("The child's 18th birthday")
    LATER_OF = "later_of", _("Closure or the 18th birthday, whichever is later")
    CREATION = "creation", _("Creation of the record")
    CERTIFICATE_EXPIRY = "certificate_expiry", _("Expiry of the certificate")
    NEVER = "never", _("Kept for ever")


class Action(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise the person and the case")
    ERASE = "erase", _("Erase the content, keep the facts statistics need")
    DELETE = "delete", _("Delete")
    KEEP = "keep", _("Keep")


# Record types whose due date comes from a case (closure, the person's birthday).
CASE_TYPES = frozenset(
    {
        RecordType.CASE_FILE,
        RecordType.CONTACT_NOTES,
        RecordType.ASSESSMENTS,
        RecordType.INTERVIEWS,
        RecordType.CONSENTS,
        RecordType.REFERRALS,
        RecordType.CONFERENCES,
        RecordType.PHOTOS,
        RecordType.INCIDENTS,
        RecordType.JUSTICE,
    }
)


@dataclass(frozen=True)
class Rule:
    record_type: str
    trigger: str
    years: int = 0
    days: int = 0
    action: str = Action.ERASE

    @property
    def label(self) -> str:
        return str(RecordType(self.record_type).label)

    @property
    def trigger_label(self) -> str:
        return str(Trigger(self.trigger).label)

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label)

    @property
    def kept_for_ever(self) -> bool:
        return self.trigger == Trigger.NEVER

    def period_after(self, start: date) -> date:
        return add_months(start, 12 * self.years) + timedelta(days=self.days)


def _case_rule(record_type: str, action: str = Action.ERASE, years: int = 5) -> Rule:
    return Rule(record_type, Trigger.LATER_OF, years=years, action=action)


# Kazakhstan's Law on personal data (No. 94-V, art. 12): kept only as long as the purpose
# needs it. Five years after the later of closure and majority covers the follow-ups
# (12 months) and the limitation period of civil claims by the young adult (3 years).
DEFAULT_RULES: tuple[Rule, ...] = (
    _case_rule(RecordType.CASE_FILE, Action.ANONYMISE),
    _case_rule(RecordType.CONTACT_NOTES),
    _case_rule(RecordType.ASSESSMENTS),
    _case_rule(RecordType.INTERVIEWS),
    _case_rule(RecordType.CONSENTS),
    _case_rule(RecordType.REFERRALS),
    _case_rule(RecordType.CONFERENCES),
    Rule(RecordType.PHOTOS, Trigger.CLOSURE, years=1, action=Action.DELETE),
    _case_rule(RecordType.INCIDENTS),
    _case_rule(RecordType.JUSTICE),
    Rule(RecordType.EXPORTS, Trigger.CREATION, days=30, action=Action.DELETE),
    # A preview serves the worker's decisions: 30 days after the upload a pending one is
    # deleted and a registered one keeps only its result (ids and counts).
    Rule(RecordType.GROUP_IMPORTS, Trigger.CREATION, days=30, action=Action.DELETE),
    Rule(RecordType.TRAINING, Trigger.CERTIFICATE_EXPIRY, years=5, action=Action.KEEP),
    Rule(RecordType.AUDIT, Trigger.NEVER, action=Action.KEEP),
    Rule(RecordType.SESSIONS, Trigger.CREATION, days=90, action=Action.DELETE),
)

COUNTRY_RETENTION: dict[str, tuple[Rule, ...]] = {
    "KZ": DEFAULT_RULES,
    "UZ": DEFAULT_RULES,
    "TJ": DEFAULT_RULES,
    "KG": DEFAULT_RULES,
}

_OVERRIDABLE = {"trigger", "years", "days"}


def country_code(country: str | None = None) -> str:
    return (country or getattr(settings, "COUNTRY_CODE", "") or "KZ").upper()


def rules_for(country: str | None = None) -> dict[str, Rule]:
    """The schedule in force: the country's defaults with the installation's overrides."""
    code = country_code(country)
    base = {rule.record_type: rule for rule in COUNTRY_RETENTION.get(code, DEFAULT_RULES)}
    overrides: dict[str, dict[str, Any]] = getattr(settings, "TIREK_RETENTION", {}).get(code, {})
    for record_type, change in overrides.items():
        if record_type not in base:
            raise ImproperlyConfigured(
                f"TIREK_RETENTION[{code}] names no record type {record_type!r}"
            )
        unknown = set(change) - _OVERRIDABLE
        if unknown:
            raise ImproperlyConfigured(
                f"TIREK_RETENTION[{code}][{record_type}] has unknown keys: {sorted(unknown)}"
            )
        if "trigger" in change and change["trigger"] not in Trigger.values:
            raise ImproperlyConfigured(f"TIREK_RETENTION[{code}][{record_type}]: unknown trigger")
        base[record_type] = replace(base[record_type], **change)
    return {rt: base[rt] for rt in RecordType.values if rt in base}


def majority_day(birth_date: date) -> date:
    return add_months(birth_date, 12 * MAJORITY_AGE)


def trigger_day(
    trigger: str,
    *,
    closed_on: date | None = None,
    birth_date: date | None = None,
    created_on: date | None = None,
    expires_on: date | None = None,
) -> date | None:
    """The day the period starts, or None while it has not started (an open case, a child
    whose birthday is unknown under the majority trigger)."""
    if trigger == Trigger.CLOSURE:
        return closed_on
    if trigger == Trigger.MAJORITY:
        return majority_day(birth_date) if birth_date else None
    if trigger == Trigger.LATER_OF:
        if closed_on is None:
            return None
        # Unknown birth date: the closure alone (documented; the DPO can hold a case).
        return max(closed_on, majority_day(birth_date)) if birth_date else closed_on
    if trigger == Trigger.CREATION:
        return created_on
    if trigger == Trigger.CERTIFICATE_EXPIRY:
        return expires_on
    return None


def due_on(rule: Rule, **facts: date | None) -> date | None:
    """The first day the record is due for destruction; None if never (yet)."""
    if rule.kept_for_ever:
        return None
    start = trigger_day(rule.trigger, **facts)
    return rule.period_after(start) if start else None
