"""/api/v1/transfers: the transfers the user may see — those to the unit they supervise,
those they requested and those of cases they still manage (paged, newest first) — and
one transfer. Errors are RFC 9457 problem details (the API's handlers): a transfer the
user may not see is a 404, the same as one that does not exist."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from tirek.audit.models import Action
from tirek.audit.services import record, record_list
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import clamp_limit
from tirek.core.validation import RecordId

from . import selectors
from .models import Transfer

router = Router(tags=["transfers"])


class Page(Schema):
    limit: int = Field(20, description="1..100; larger values are clamped, smaller raised to 1")
    offset: int = Field(0, ge=0, le=1_000_000_000)
    direction: str = Field("", pattern="^(|in|out)$", description="in, out, or both (empty)")


class TransferOut(Schema):
    id: int
    case_id: int
    case_number: str
    status: str
    direction: str  # "in": to the unit the user supervises; "out": from the user's side
    from_unit_id: int
    to_unit_id: int
    from_region_id: int
    to_region_id: int
    reason: str
    sections: list[str]
    consent_covered: bool
    requested_at: datetime
    decided_at: datetime | None
    family_transfer_id: int | None


class TransferListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[TransferOut]


def _out(transfer: Transfer, incoming_unit: int | None) -> TransferOut:
    return TransferOut(
        id=transfer.pk,
        case_id=transfer.case_id,
        case_number=transfer.case.number,
        status=transfer.status,
        direction="in" if transfer.to_unit_id == incoming_unit else "out",
        from_unit_id=transfer.from_unit_id,
        to_unit_id=transfer.to_unit_id,
        from_region_id=transfer.from_region_id,
        to_region_id=transfer.to_region_id,
        reason=transfer.reason,
        sections=list(transfer.sections),
        consent_covered=transfer.consent_covered,
        requested_at=transfer.requested_at,
        decided_at=transfer.decided_at,
        family_transfer_id=transfer.family_transfer_id,
    )


@router.get("", response=TransferListOut)
def list_transfers(request: AuthenticatedHttpRequest, page: Query[Page]) -> TransferListOut:
    from tirek.access import policy

    user = request.user
    limit = clamp_limit(page.limit)
    incoming = selectors.incoming(user)
    outgoing = selectors.outgoing(user)
    if page.direction == "in":
        rows_qs = incoming
    elif page.direction == "out":
        rows_qs = outgoing
    else:
        rows_qs = incoming | outgoing
    rows_qs = rows_qs.order_by("-requested_at", "-id")
    rows = list(rows_qs[page.offset : page.offset + limit])
    record_list(actor=user, object_type="transfers.transfer", rows=rows, request=request)
    unit = policy.supervised_unit_id(user)
    return TransferListOut(
        count=rows_qs.count(),
        limit=limit,
        offset=page.offset,
        items=[_out(t, unit) for t in rows],
    )


@router.get("/{transfer_id}", response=TransferOut)
def get_transfer(request: AuthenticatedHttpRequest, transfer_id: RecordId) -> TransferOut:
    from tirek.access import policy

    user = request.user
    transfer = selectors.get_transfer(user, transfer_id)
    record(actor=user, action=Action.READ, obj=transfer, request=request)
    return _out(transfer, policy.supervised_unit_id(user))
