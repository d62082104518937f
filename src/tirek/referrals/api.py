"""/api/v1/services, /api/v1/referrals and /api/v1/notifications."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import Section, get_case
from tirek.accounts.models import User
from tirek.audit.services import record_list
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import Page
from tirek.core.patching import patch_changes
from tirek.core.steps import record_steps
from tirek.core.validation import CleanStr, RecordId
from tirek.organisations.models import Agency, Region, Unit

from . import selectors, services
from .models import Notification, Provider, Referral, Service
from .selectors import Subject, subject_of

services_router = Router(tags=["services"])
referrals_router = Router(tags=["referrals"])
notifications_router = Router(tags=["notifications"])

# --- the directory -------------------------------------------------------------


class DirectoryRegionOut(Schema):
    id: int
    code: str
    name: str


class ProviderOut(Schema):
    id: int
    version: int
    agency_id: int
    agency: str
    unit_id: int | None
    name: str
    description: str
    regions: list[DirectoryRegionOut]
    languages: list[str]
    contact_name: str
    phone: str
    email: str
    address: str
    hours: str
    is_active: bool


class ProviderIn(Schema):
    agency_id: RecordId
    unit_id: RecordId | None = None
    name: CleanStr = Field(..., min_length=1, max_length=200)
    description: CleanStr = Field("", max_length=2000)
    region_ids: list[RecordId] = Field(default_factory=list, max_length=200)
    languages: list[str] = Field(default_factory=list, max_length=20)
    contact_name: CleanStr = Field("", max_length=200)
    phone: CleanStr = Field("", max_length=64)
    email: CleanStr = Field("", max_length=254)
    address: CleanStr = Field("", max_length=300)
    hours: CleanStr = Field("", max_length=200)


class ProviderPatch(Schema):
    version: int
    name: CleanStr | None = Field(None, min_length=1, max_length=200)
    description: CleanStr | None = Field(None, max_length=2000)
    region_ids: list[RecordId] | None = Field(None, max_length=200)
    languages: list[str] | None = Field(None, max_length=20)
    contact_name: CleanStr | None = Field(None, max_length=200)
    phone: CleanStr | None = Field(None, max_length=64)
    email: CleanStr | None = Field(None, max_length=254)
    address: CleanStr | None = Field(None, max_length=300)
    hours: CleanStr | None = Field(None, max_length=200)
    is_active: bool | None = None


class ServiceOut(Schema):
    id: int
    version: int
    provider_id: int
    provider: str
    agency: str
    category: str
    name: str
    description: str
    capacity: int | None
    waiting_days: int | None
    default_role: str
    is_active: bool
    open_referrals: int


class ServiceIn(Schema):
    provider_id: RecordId
    category: str = Field(..., max_length=32)
    name: CleanStr = Field(..., min_length=1, max_length=200)
    description: CleanStr = Field("", max_length=2000)
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    waiting_days: int | None = Field(None, ge=0, le=3650)
    default_role: str = Field("", max_length=32)


class ServicePatch(Schema):
    version: int
    category: str | None = Field(None, max_length=32)
    name: CleanStr | None = Field(None, min_length=1, max_length=200)
    description: CleanStr | None = Field(None, max_length=2000)
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    waiting_days: int | None = Field(None, ge=0, le=3650)
    default_role: str | None = Field(None, max_length=32)
    is_active: bool | None = None


class ServiceFilter(Page):
    q: CleanStr = Field("", max_length=100)
    category: str = Field("", max_length=32)
    region_id: RecordId | None = None
    language: str = Field("", max_length=8)


class ServiceList(Schema):
    count: int
    items: list[ServiceOut]


class ProviderList(Schema):
    count: int
    items: list[ProviderOut]


def _provider_out(provider: Provider) -> ProviderOut:
    return ProviderOut(
        id=provider.pk,
        version=provider.version,
        agency_id=provider.agency_id,
        agency=provider.agency.name,
        unit_id=provider.unit_id,
        name=provider.name,
        description=provider.description,
        regions=[
            DirectoryRegionOut(id=r.pk, code=r.code, name=r.name) for r in provider.regions.all()
        ],
        languages=provider.languages,
        contact_name=provider.contact_name,
        phone=provider.phone,
        email=provider.email,
        address=provider.address,
        hours=provider.hours,
        is_active=provider.is_active,
    )


def _service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        id=service.pk,
        version=service.version,
        provider_id=service.provider_id,
        provider=service.provider.name,
        agency=service.provider.agency.name,
        category=service.category,
        name=service.name,
        description=service.description,
        capacity=service.capacity,
        waiting_days=service.waiting_days,
        default_role=service.default_role,
        is_active=service.is_active,
        open_referrals=getattr(service, "open_referrals", 0) or 0,
    )


def _regions(ids: list[int]) -> list[Region]:
    regions = list(Region.objects.filter(pk__in=set(ids)))
    if len(regions) != len(set(ids)):
        from django.core.exceptions import ValidationError

        raise ValidationError({"region_ids": "Unknown region."})
    return regions


@services_router.get("", response=ServiceList)
def service_list(request: HttpRequest, filters: Query[ServiceFilter]) -> ServiceList:
    region = None
    if filters.region_id is not None:
        region = get_object_or_404(Region, pk=filters.region_id)
    rows = selectors.directory_services(
        q=filters.q, category=filters.category, region=region, language=filters.language
    )
    window = filters.window(rows)
    return ServiceList(count=rows.count(), items=[_service_out(s) for s in window])


@services_router.post("", response={201: ServiceOut})
def service_create(request: AuthenticatedHttpRequest, payload: ServiceIn) -> Status:
    provider = selectors.get_provider(payload.provider_id)
    service = services.service_create(
        by=request.user,
        provider=provider,
        category=payload.category,
        name=payload.name,
        description=payload.description,
        capacity=payload.capacity,
        waiting_days=payload.waiting_days,
        default_role=payload.default_role,
        request=request,
    )
    return Status(201, _service_out(service))


@services_router.get("/providers", response=ProviderList)
def provider_list(request: HttpRequest, page: Query[Page]) -> ProviderList:
    rows = selectors.providers()
    window = page.window(rows)
    return ProviderList(count=rows.count(), items=[_provider_out(p) for p in window])


@services_router.post("/providers", response={201: ProviderOut})
def provider_create(request: AuthenticatedHttpRequest, payload: ProviderIn) -> Status:
    agency = get_object_or_404(Agency, pk=payload.agency_id)
    unit = get_object_or_404(Unit, pk=payload.unit_id) if payload.unit_id else None
    provider = services.provider_create(
        by=request.user,
        agency=agency,
        unit=unit,
        name=payload.name,
        description=payload.description,
        regions=_regions(payload.region_ids) or None,
        languages=payload.languages,
        contact_name=payload.contact_name,
        phone=payload.phone,
        email=payload.email,
        address=payload.address,
        hours=payload.hours,
        request=request,
    )
    return Status(201, _provider_out(provider))


@services_router.get("/providers/{provider_id}", response=ProviderOut)
def provider_detail(request: HttpRequest, provider_id: int) -> ProviderOut:
    return _provider_out(selectors.get_provider(provider_id))


@services_router.patch("/providers/{provider_id}", response=ProviderOut)
def provider_patch(
    request: AuthenticatedHttpRequest, provider_id: int, payload: ProviderPatch
) -> ProviderOut:
    provider = selectors.get_provider(provider_id)
    # The PATCH rule: null clears or is refused (a provider serves at least one region).
    data = patch_changes(payload, Provider, empty={"languages": []})
    version = data.pop("version")
    region_ids = data.pop("region_ids", None)
    languages = data.pop("languages", None)
    provider = services.provider_update(
        by=request.user,
        provider=provider,
        version=version,
        changes=data,
        regions=_regions(region_ids) if region_ids is not None else None,
        languages=languages,
        request=request,
    )
    return _provider_out(provider)


@services_router.get("/{service_id}", response=ServiceOut)
def service_detail(request: HttpRequest, service_id: int) -> ServiceOut:
    return _service_out(selectors.get_service(service_id))


@services_router.patch("/{service_id}", response=ServiceOut)
def service_patch(
    request: AuthenticatedHttpRequest, service_id: int, payload: ServicePatch
) -> ServiceOut:
    service = selectors.get_service(service_id)
    changes = patch_changes(payload, Service)  # the PATCH rule: null clears or is refused
    version = changes.pop("version")
    service = services.service_update(
        by=request.user,
        service=service,
        version=version,
        changes=changes,
        request=request,
    )
    return _service_out(service)


# --- referrals -----------------------------------------------------------------


class ReferralSubjectOut(Schema):
    case_id: int
    case_number: str
    initials: str
    age: int | None
    age_estimated: bool


class ReferralPartyRef(Schema):
    id: int
    name: str


class ReferralOut(Schema):
    id: int
    version: int
    status: str
    subject: ReferralSubjectOut
    provider: ReferralPartyRef
    agency: str
    service: ReferralPartyRef | None
    role: str
    to_user: ReferralPartyRef | None
    reason: str
    urgency: str
    sections: list[str]
    consent_covered: bool
    legal_basis: str
    respond_by: date
    complete_by: date
    overdue: bool
    decline_reason: str
    withdraw_reason: str
    outcome: str
    intervention_id: int | None
    created_by: ReferralPartyRef
    created_at: datetime


class ReferralIn(Schema):
    case_id: RecordId
    provider_id: RecordId
    service_id: RecordId | None = None
    role: str = Field(..., max_length=32)
    to_user_id: RecordId | None = None
    reason: CleanStr = Field(..., min_length=1, max_length=4000)
    urgency: str = Field("routine", max_length=16)
    sections: list[str] = Field(..., max_length=20)
    intervention_id: RecordId | None = Field(None, ge=1)
    legal_basis: CleanStr = Field("", max_length=2000)


class ReferralVersionIn(Schema):
    version: int


class ReferralReasonIn(ReferralVersionIn):
    reason: CleanStr = Field(..., min_length=1, max_length=4000)


class ReferralOutcomeIn(ReferralVersionIn):
    outcome: CleanStr = Field(..., min_length=1, max_length=4000)


class ReferralFilter(Page):
    box: str = Field("all", pattern="^(all|incoming|outgoing)$")
    case_id: RecordId | None = None
    status: str = Field("", max_length=16)


class ReferralList(Schema):
    count: int
    items: list[ReferralOut]


def _party(user: User) -> ReferralPartyRef:
    return ReferralPartyRef(id=user.pk, name=user.get_full_name() or user.username)


def _user_ref(user: User | None) -> ReferralPartyRef | None:
    return None if user is None else _party(user)


def _subject_out(referral: Referral) -> ReferralSubjectOut:
    subject: Subject = subject_of(referral)
    return ReferralSubjectOut(case_id=referral.case_id, **subject.__dict__)


def referral_out(referral: Referral) -> ReferralOut:
    return ReferralOut(
        id=referral.pk,
        version=referral.version,
        status=referral.status,
        subject=_subject_out(referral),
        provider=ReferralPartyRef(id=referral.provider_id, name=referral.provider.name),
        agency=referral.provider.agency.name,
        service=ReferralPartyRef(id=referral.service.pk, name=referral.service.name)
        if referral.service
        else None,
        role=referral.role,
        to_user=_user_ref(referral.to_user),
        reason=referral.reason,
        urgency=referral.urgency,
        sections=list(referral.sections),
        consent_covered=referral.consent_covered,
        legal_basis=referral.legal_basis,
        respond_by=referral.respond_by,
        complete_by=referral.complete_by,
        overdue=referral.is_overdue,
        decline_reason=referral.decline_reason,
        withdraw_reason=referral.withdraw_reason,
        outcome=referral.outcome,
        intervention_id=referral.intervention_id,
        created_by=_party(referral.created_by),
        created_at=referral.created_at,
    )


@referrals_router.get("", response=ReferralList)
def referral_list(
    request: AuthenticatedHttpRequest, filters: Query[ReferralFilter]
) -> ReferralList:
    user = request.user
    rows = {
        "all": selectors.visible_referrals,
        "incoming": selectors.incoming_referrals,
        "outgoing": selectors.outgoing_referrals,
    }[filters.box](user)
    if filters.case_id is not None:
        rows = rows.filter(case_id=filters.case_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    rows = rows.order_by("-created_at", "-id")
    window = list(filters.window(selectors.with_parties(rows)))
    record_list(
        actor=user, object_type="referrals.referral", rows=window, request=request,
        kind=filters.box, cases=sorted({referral.case_id for referral in window}),
    )  # fmt: skip
    return ReferralList(count=rows.count(), items=[referral_out(r) for r in window])


@referrals_router.post("", response={201: ReferralOut})
def referral_create(request: AuthenticatedHttpRequest, payload: ReferralIn) -> Status:
    user = request.user
    case = get_case(user, payload.case_id, section=Section.PLAN, request=request)
    provider = selectors.get_provider(payload.provider_id)
    service = selectors.get_service(payload.service_id) if payload.service_id else None
    to_user = get_object_or_404(User, pk=payload.to_user_id) if payload.to_user_id else None
    referral = services.referral_send(
        by=user,
        case=case,
        provider=provider,
        service=service,
        role=payload.role,
        to_user=to_user,
        reason=payload.reason,
        urgency=payload.urgency,
        sections=payload.sections,
        intervention_id=payload.intervention_id,
        legal_basis=payload.legal_basis,
        request=request,
    )
    return Status(
        201,
        referral_out(selectors.with_parties(selectors.visible_referrals(user)).get(pk=referral.pk)),
    )


@referrals_router.get("/{referral_id}", response=ReferralOut)
def referral_detail(request: AuthenticatedHttpRequest, referral_id: int) -> ReferralOut:
    return referral_out(selectors.get_referral(request.user, referral_id, request=request))


# One step of a referral the caller may see: the service gets the payload's fields.
_act = record_steps(
    "referral",
    lambda request, pk: selectors.get_referral(request.user, pk, request=request),
    lambda request, referral: referral_out(
        Referral.objects.select_related(
            "case__person", "provider__agency", "service", "to_user", "created_by"
        ).get(pk=referral.pk)
    ),
)


@referrals_router.post("/{referral_id}/accept", response=ReferralOut)
def referral_accept(
    request: AuthenticatedHttpRequest, referral_id: int, payload: ReferralVersionIn
) -> ReferralOut:
    return _act(request, referral_id, services.referral_accept, payload)


@referrals_router.post("/{referral_id}/decline", response=ReferralOut)
def referral_decline(
    request: AuthenticatedHttpRequest, referral_id: int, payload: ReferralReasonIn
) -> ReferralOut:
    return _act(request, referral_id, services.referral_decline, payload)


@referrals_router.post("/{referral_id}/start", response=ReferralOut)
def referral_start(
    request: AuthenticatedHttpRequest, referral_id: int, payload: ReferralVersionIn
) -> ReferralOut:
    return _act(request, referral_id, services.referral_start, payload)


@referrals_router.post("/{referral_id}/complete", response=ReferralOut)
def referral_complete(
    request: AuthenticatedHttpRequest, referral_id: int, payload: ReferralOutcomeIn
) -> ReferralOut:
    return _act(request, referral_id, services.referral_complete, payload)


@referrals_router.post("/{referral_id}/withdraw", response=ReferralOut)
def referral_withdraw(
    request: AuthenticatedHttpRequest, referral_id: int, payload: ReferralReasonIn
) -> ReferralOut:
    return _act(request, referral_id, services.referral_withdraw, payload)


# --- notifications -------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    label: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class NotificationFilter(Page):
    unread: bool = False


class NotificationReadIn(Schema):
    ids: list[RecordId] | None = Field(None, max_length=500)


class NotificationReadOut(Schema):
    marked: int


def _notification_out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        text=str(n.get_kind_display()),
        label=n.label,
        url=n.url,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@notifications_router.get("", response=NotificationList)
def notification_list(
    request: AuthenticatedHttpRequest, filters: Query[NotificationFilter]
) -> NotificationList:
    rows = selectors.notifications_for(request.user)
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    window = filters.window(rows)
    return NotificationList(
        count=rows.count(),
        unread=selectors.unread_count(request.user),
        items=[_notification_out(n) for n in window],
    )


@notifications_router.post("/read", response=NotificationReadOut)
def notification_read(
    request: AuthenticatedHttpRequest, payload: NotificationReadIn
) -> NotificationReadOut:
    marked = services.notification_mark_read(by=request.user, ids=payload.ids)
    return NotificationReadOut(marked=marked)
