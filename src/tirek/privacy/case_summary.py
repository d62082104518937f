"""The case page header's consent alert (core section: the whole team must know)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tirek.access.policy import Section

from .selectors import _status, consent_status_many


def consent_alerts(
    request: HttpRequest, case: Any, sections: frozenset[str]
) -> dict[str, Any] | None:
    from tirek.cases.panels import Alert

    if Section.CORE not in sections:
        return None
    # Only whether and until when case management is covered: not the recipients (one query).
    person = case.person
    memo = getattr(case, "page_memo", None) or {}
    if "privacy.consents" in memo:  # read by the timeline drawn on the same page
        records = memo["privacy.consents"]
        state = _status(person, records, timezone.now(), recipients=False).case_management
    else:
        state = consent_status_many([person], recipients=False)[person.pk].case_management
    url = reverse("cases:section", args=[case.pk, "consent"])
    if state.state == "missing":
        text = _("There is no valid consent for case management.")
        return {"alerts": [Alert(text=text, url=url, level="error")]}
    if state.state == "expiring" and state.until:
        text = _("Consent for case management ends on %(until)s: renew it.") % {
            "until": date_format(state.until, "SHORT_DATE_FORMAT")
        }
        return {"alerts": [Alert(text=text, url=url)]}
    return None
