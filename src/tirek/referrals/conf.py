"""Per-country settings of this app, with the defaults used when settings.py is silent."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

# Days to answer a referral, and days to complete it, by urgency.
RESPONSE_DAYS = {"urgent": 1, "priority": 3, "routine": 10}
COMPLETION_DAYS = {"urgent": 14, "priority": 30, "routine": 60}


def response_due(urgency: str, start: date | None = None) -> date:
    days = {**RESPONSE_DAYS, **getattr(settings, "REFERRAL_RESPONSE_DAYS", {})}
    return (start or timezone.localdate()) + timedelta(days=int(days[urgency]))


def completion_due(urgency: str, start: date | None = None) -> date:
    days = {**COMPLETION_DAYS, **getattr(settings, "REFERRAL_COMPLETION_DAYS", {})}
    return (start or timezone.localdate()) + timedelta(days=int(days[urgency]))
