"""Privacy settings with defaults; an installation overrides them in Django settings.

Consent age boundaries are per country (DESIGN.md section 4): below ``caregiver_only_below``
a caregiver consents alone; below ``own_consent_from`` a caregiver consents and the child
assents; from ``own_consent_from`` to ``adult_from`` the child consents; adults consent
for themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypedDict

from django.conf import settings


class AgeRule(TypedDict):
    caregiver_only_below: int
    own_consent_from: int
    adult_from: int


DEFAULT_CONSENT_AGE_RULES: dict[str, AgeRule] = {
    "KZ": {"caregiver_only_below": 6, "own_consent_from": 15, "adult_from": 18},
    "UZ": {"caregiver_only_below": 6, "own_consent_from": 15, "adult_from": 18},
    "TJ": {"caregiver_only_below": 6, "own_consent_from": 15, "adult_from": 18},
    "KG": {"caregiver_only_below": 6, "own_consent_from": 15, "adult_from": 18},
}


def consent_age_rule() -> AgeRule:
    rules = getattr(settings, "CONSENT_AGE_RULES", DEFAULT_CONSENT_AGE_RULES)
    country = str(getattr(settings, "COUNTRY_CODE", "KZ")).upper()
    return rules.get(country) or DEFAULT_CONSENT_AGE_RULES["KZ"]


def emergency_access_duration() -> timedelta:
    return timedelta(hours=int(getattr(settings, "EMERGENCY_ACCESS_HOURS", 4)))


def emergency_justification_min_length() -> int:
    return int(getattr(settings, "EMERGENCY_JUSTIFICATION_MIN_LENGTH", 30))


def emergency_access_limit_per_day() -> int:
    """Break-the-glass requests one person may make in 24 hours (stops fishing for ids)."""
    return int(getattr(settings, "EMERGENCY_ACCESS_LIMIT_PER_DAY", 10))


def dpo_notify_email() -> str:
    """Where to e-mail new emergency accesses; empty: only the in-app review list."""
    return str(getattr(settings, "DPO_NOTIFY_EMAIL", ""))


CONSENT_EXPIRY_WARNING_DAYS = 30
