"""/api/v1/consents and /api/v1/emergency-accesses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypeAlias

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tirek.access import selectors as access_selectors
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import clamp_limit
from tirek.core.validation import BoundedDate, CleanStr, RecordId
from tirek.organisations.models import Agency

from . import selectors, services
from .models import Consent, ConsentKind, EmergencyAccess, GivenBy, Purpose, ReviewOutcome

consents_router = Router(tags=["consents"])
emergency_router = Router(tags=["emergency access"])

PurposeName: TypeAlias = Literal[tuple(Purpose.values)]  # type: ignore[valid-type]


class ConsentOut(Schema):
    id: int
    person_id: int
    purpose: str
    kind: str
    given_by: str
    giver_name: str
    recipient_ids: list[int]
    valid_from: date
    valid_until: date | None
    withdrawn_at: datetime | None
    is_override: bool
    override_reason: str
    override_approved: bool
    in_force: bool
    version: int


class PurposeStatusOut(Schema):
    purpose: str
    state: str
    until: date | None


class ConsentListOut(Schema):
    person_id: int
    age: int | None
    requirement: str
    purposes: list[PurposeStatusOut]
    items: list[ConsentOut]


class ConsentQuery(Schema):
    person_id: RecordId = Field(..., ge=1)


class ConsentIn(Schema):
    person_id: RecordId
    purposes: list[PurposeName] = Field(..., min_length=1, max_length=5)
    given_by: Literal[tuple(GivenBy.values)]  # type: ignore[valid-type]
    kind: Literal[tuple(ConsentKind.values)] = "consent"  # type: ignore[valid-type]
    giver_name: CleanStr = Field("", max_length=200)
    recipient_ids: list[RecordId] = Field(default_factory=list, max_length=100)
    valid_from: BoundedDate
    valid_until: BoundedDate | None = None
    override_reason: CleanStr = Field("", max_length=500)


class WithdrawIn(Schema):
    note: CleanStr = Field("", max_length=500)


def _out(consent: Consent) -> ConsentOut:
    from django.utils import timezone

    from .selectors import in_force

    return ConsentOut(
        id=consent.pk,
        person_id=consent.person_id,
        purpose=consent.purpose,
        kind=consent.kind,
        given_by=consent.given_by,
        giver_name=consent.giver_name,
        recipient_ids=sorted(a.pk for a in consent.recipients.all()),
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        withdrawn_at=consent.withdrawn_at,
        is_override=consent.is_override,
        override_reason=consent.override_reason,
        override_approved=consent.override_approved_at is not None,
        in_force=in_force(consent, timezone.now()),
        version=consent.version,
    )


def _consent(request: AuthenticatedHttpRequest, consent_id: int) -> Consent:
    consent = Consent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None or not services.can_read_consents(request.user, consent.person):
        raise Http404
    return consent


@consents_router.get("", response=ConsentListOut)
def list_consents(request: AuthenticatedHttpRequest, query: Query[ConsentQuery]) -> ConsentListOut:
    person = services.person_for_consent(request.user, query.person_id)
    status = selectors.consent_status(person)
    record(
        actor=request.user,
        action=Action.READ,
        obj=person,
        request=request,
        detail={"consents": [c.pk for c in status.records][:100]},
    )
    return ConsentListOut(
        person_id=person.pk,
        age=status.age,
        requirement=str(status.requirement),
        purposes=[
            PurposeStatusOut(purpose=p.purpose, state=p.state, until=p.until)
            for p in status.purposes
        ],
        items=[_out(c) for c in status.records],
    )


@consents_router.post("", response={201: list[ConsentOut]})
def create_consent(request: AuthenticatedHttpRequest, payload: ConsentIn) -> Status[Any]:
    person = services.person_for_consent(request.user, payload.person_id)
    recipients = list(Agency.objects.filter(pk__in=payload.recipient_ids))
    if len(recipients) != len(set(payload.recipient_ids)):
        raise ValidationError({"recipient_ids": _("Unknown agency.")})
    created = services.consent_record(
        by=request.user,
        person=person,
        purposes=list(payload.purposes),
        given_by=payload.given_by,
        kind=payload.kind,
        giver_name=payload.giver_name,
        recipients=recipients,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        override_reason=payload.override_reason,
        request=request,
    )
    return Status(201, [_out(c) for c in created])


@consents_router.post("/{int:consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(
    request: AuthenticatedHttpRequest, consent_id: int, payload: WithdrawIn
) -> ConsentOut:
    consent = _consent(request, consent_id)
    consent = services.consent_withdraw(
        by=request.user,
        consent=consent,
        note=payload.note,
        request=request,
    )
    return _out(consent)


@consents_router.post("/{int:consent_id}/approve", response=ConsentOut)
def approve_consent(request: AuthenticatedHttpRequest, consent_id: int) -> ConsentOut:
    consent = _consent(request, consent_id)
    consent = services.consent_override_approve(
        by=request.user,
        consent=consent,
        request=request,
    )
    return _out(consent)


# --- emergency access (the DPO's review; opening is POST /cases/{id}/emergency-access) ---


class EmergencyAccessOut(Schema):
    id: int
    case_id: int
    case_number: str
    user_id: int
    user: str
    justification: str
    granted_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    outcome: str
    review_comment: str
    version: int


class ReviewIn(Schema):
    version: int = Field(..., ge=1)
    outcome: Literal[tuple(ReviewOutcome.values)]  # type: ignore[valid-type]
    comment: CleanStr = Field("", max_length=2000)


class ReviewQuery(Schema):
    reviewed: bool = False
    limit: int = Field(50, description="1..100; clamped")
    offset: int = Field(0, ge=0, le=1_000_000_000)


def _ea_out(a: EmergencyAccess) -> EmergencyAccessOut:
    return EmergencyAccessOut(
        id=a.pk,
        case_id=a.case_id,
        case_number=a.case.number,
        user_id=a.user_id,
        user=a.user.get_full_name() or a.user.username,
        justification=a.justification,
        granted_at=a.granted_at,
        expires_at=a.expires_at,
        reviewed_at=a.reviewed_at,
        outcome=a.outcome,
        review_comment=a.review_comment,
        version=a.version,
    )


def _dpo(request: AuthenticatedHttpRequest) -> None:
    if not request.user.has_role(Role.DPO):
        raise PermissionDenied(_("Only the data protection officer reviews emergency access."))


@emergency_router.get("", response=list[EmergencyAccessOut])
def list_emergency_accesses(
    request: AuthenticatedHttpRequest, query: Query[ReviewQuery]
) -> list[EmergencyAccessOut]:
    _dpo(request)
    rows = (
        selectors.emergency_accesses_reviewed()
        if query.reviewed
        else selectors.emergency_accesses_to_review()
    )
    limit = clamp_limit(query.limit)
    return [_ea_out(a) for a in rows[query.offset : query.offset + limit]]


@emergency_router.post("/{int:access_id}/review", response=EmergencyAccessOut)
def review_emergency_access(
    request: AuthenticatedHttpRequest, access_id: int, payload: ReviewIn
) -> EmergencyAccessOut:
    _dpo(request)
    try:
        access = access_selectors.emergency_access(access_id)
    except EmergencyAccess.DoesNotExist:
        access = None
    if access is None:
        raise Http404
    access = services.emergency_access_review(
        by=request.user,
        access=access,
        version=payload.version,
        outcome=payload.outcome,
        comment=payload.comment,
        request=request,
    )
    return _ea_out(access)
