"""Demo transfers (order 66, issue #15): the transfers of the demo programme's families
that moved from one site to another.

The programme (``tirek.reports.demo_programme``, order 65) writes each move into the
case's history — the first site's team until the move, the receiving site's after it,
and a "case transferred" event on the timeline — but cannot import this app (it sits
above reports). This loader records the accepted transfer behind each such event, so
the ministry's "transfers in/out" figures count them. Generated history: no audit
entries, no notifications. Safe to run again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction

from tirek.cases.models import CaseEvent, EventKind

from .models import Transfer, TransferStatus

REASON = "Семья переехала к родственникам в другой регион."
LEGAL_BASIS = "Продолжение реабилитации по месту жительства семьи (межведомственный порядок)."


@transaction.atomic
def load(stdout: Any) -> None:
    from tirek.reports.demo_programme import STAFF_PREFIX

    events = list(
        CaseEvent.objects.filter(
            kind=EventKind.TRANSFERRED,
            case__case_manager__username__startswith=STAFF_PREFIX,
            detail__stage="accepted",
            detail__has_key="from_unit_id",
        )
        .exclude(detail__has_key="transfer")
        .select_related("case")
        .order_by("at", "pk")
    )
    if not events:
        return
    transfers = [
        Transfer(
            case=event.case,
            from_unit_id=event.detail["from_unit_id"],
            from_region_id=event.detail["from_region_id"],
            to_unit_id=event.detail["to_unit_id"],
            to_region_id=event.case.region_id,
            reason=REASON,
            sections=[],
            consent_covered=False,
            legal_basis=LEGAL_BASIS,
            status=TransferStatus.ACCEPTED,
            requested_by_id=event.detail["requested_by"],
            requested_at=event.at - timedelta(days=4),
            decided_by=event.actor,
            decided_at=event.at,
            new_case_manager=event.case.case_manager,
            kept_members=[],
        )
        for event in events
    ]
    Transfer.objects.bulk_create(transfers)
    for event, transfer in zip(events, transfers, strict=True):
        event.detail["transfer"] = transfer.pk
    CaseEvent.objects.bulk_update(events, ["detail"])
    stdout.write(f"Demo transfers: {len(transfers)} cases of families that moved between sites.")
