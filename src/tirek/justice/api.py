"""/api/v1/legal-status: an adult's status in the justice system (SECURITY section).

The same policy as the pages: a case whose SECURITY section the caller may not see is a
404 problem, bad input a 422 problem naming the field (RFC 9457), nothing written."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import Section, get_case
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.validation import BoundedDate, CleanStr, RecordId

from . import selectors, services
from .models import Condition, LegalStatus

router = Router(tags=["justice"])


class LegalStatusOut(Schema):
    id: int
    case_id: int
    status: str
    institution: str
    start_date: date
    end_date: date | None
    next_review: date | None
    recorded_at: datetime


class ConditionOut(Schema):
    id: int
    text: str
    review_date: date | None


class LegalStatusHistory(Schema):
    current: LegalStatusOut | None
    history: list[LegalStatusOut]
    conditions: list[ConditionOut]


class CaseFilter(Schema):
    case_id: RecordId


class LegalStatusIn(Schema):
    case_id: RecordId
    status: str = Field(..., max_length=16)
    institution: CleanStr = Field("", max_length=200)
    start_date: BoundedDate
    end_date: BoundedDate | None = None
    next_review: BoundedDate | None = None
    note: CleanStr = Field("", max_length=20000)


def _out(entry: LegalStatus) -> LegalStatusOut:
    return LegalStatusOut(
        id=entry.pk,
        case_id=entry.case_id,
        status=entry.status,
        institution=entry.institution,
        start_date=entry.start_date,
        end_date=entry.end_date,
        next_review=entry.next_review,
        recorded_at=entry.recorded_at,
    )


def _condition(c: Condition) -> ConditionOut:
    return ConditionOut(id=c.pk, text=c.text, review_date=c.review_date)


@router.get("", response=LegalStatusHistory)
def legal_status(
    request: AuthenticatedHttpRequest, filters: Query[CaseFilter]
) -> LegalStatusHistory:
    user = request.user
    case = get_case(user, filters.case_id, section=Section.SECURITY, request=request)
    history = [_out(s) for s in selectors.statuses_of(user, case)]
    return LegalStatusHistory(
        current=history[0] if history else None,
        history=history,
        conditions=[_condition(c) for c in Condition.objects.filter(case=case)],
    )


@router.post("", response={201: LegalStatusOut})
def legal_status_create(request: AuthenticatedHttpRequest, payload: LegalStatusIn) -> Status:
    user = request.user
    case = get_case(user, payload.case_id, section=Section.SECURITY, request=request)
    entry = services.status_record(
        by=user,
        case=case,
        status=payload.status,
        institution=payload.institution,
        start_date=payload.start_date,
        end_date=payload.end_date,
        next_review=payload.next_review,
        note=payload.note,
        request=request,
    )
    return Status(201, _out(entry))
