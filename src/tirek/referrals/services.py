"""Writes for the service directory and referrals: one function per use case.

Every function is transactional and leaves its audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import selectors as access_selectors
from tirek.access import services as access_services
from tirek.access.policy import (
    PROTECTED_FROM,
    PROTECTED_SECTIONS,
    Section,
    is_supervisor_of,
    sections_for,
)
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseEvent, CaseStatus, CaseTeamMember, EventKind
from tirek.core.exceptions import Refused
from tirek.core.versioning import update_versioned
from tirek.organisations.models import Agency, Region, Unit

from . import conf
from .access import can_manage_directory, is_referring_side, may_receive
from .models import (
    LANGUAGE_CODES,
    REFERRAL_ROLES,
    NotificationKind,
    Provider,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
    Urgency,
)
from .notifications import notify

# Security information is shared one way and on a legal basis, through interview
# requests and court channels — never by a service referral.
SHAREABLE_SECTIONS = frozenset(Section.ALL) - {Section.SECURITY}


# --- the directory -------------------------------------------------------------


def _check_manager(by: User, agency: Agency) -> None:
    if not can_manage_directory(by, agency):
        raise PermissionDenied(
            _("Only coordinators of this agency may change its directory entries.")
        )


def _set_languages(provider: Provider, languages: list[str]) -> None:
    unknown = sorted(set(languages) - LANGUAGE_CODES)
    if unknown:
        raise ValidationError({"languages": _("Unknown language: %s") % ", ".join(unknown)})
    provider.languages = languages


@transaction.atomic
def provider_create(
    *,
    by: User,
    agency: Agency,
    name: str,
    unit: Unit | None = None,
    regions: list[Region] | None = None,
    languages: list[str] | None = None,
    description: str = "",
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    hours: str = "",
    request: HttpRequest | None = None,
) -> Provider:
    _check_manager(by, agency)
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("The unit must belong to the provider's agency.")})
    provider = Provider(
        agency=agency,
        unit=unit,
        name=name,
        description=description,
        contact_name=contact_name,
        phone=phone,
        email=email,
        address=address,
        hours=hours,
    )
    _set_languages(provider, languages or [])
    provider.full_clean()
    provider.save()
    provider.regions.set(regions or [agency.region])
    record(actor=by, action=Action.CREATE, obj=provider, request=request, detail={"name": name})
    return provider


PROVIDER_FIELDS = frozenset(
    {"name", "description", "contact_name", "phone", "email", "address", "hours", "is_active"}
)


@transaction.atomic
def provider_update(
    *,
    by: User,
    provider: Provider,
    version: int,
    changes: dict[str, Any],
    regions: list[Region] | None = None,
    languages: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Provider:
    _check_manager(by, provider.agency)
    unknown = set(changes) - PROVIDER_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    for name, value in changes.items():
        setattr(provider, name, value)
    if languages is not None:
        _set_languages(provider, languages)
    provider.full_clean()
    fields = {name: getattr(provider, name) for name in changes}
    fields["languages_csv"] = provider.languages_csv
    update_versioned(
        Provider,
        provider.pk,
        version,
        _("Someone else changed this provider; reload it and try again."),
        **fields,
        updated_at=timezone.now(),
    )
    if regions is not None:
        provider.regions.set(regions)
    provider.refresh_from_db()
    for service in provider.services.select_related("provider__agency"):
        Service.objects.filter(pk=service.pk).update(search_text=service.build_search_text())
    record(
        actor=by,
        action=Action.UPDATE,
        obj=provider,
        request=request,
        detail={"fields": sorted(fields), "regions": regions is not None},
    )
    return provider


SERVICE_FIELDS = frozenset(
    {"category", "name", "description", "capacity", "waiting_days", "default_role", "is_active"}
)


@transaction.atomic
def service_create(
    *,
    by: User,
    provider: Provider,
    category: str,
    name: str,
    description: str = "",
    capacity: int | None = None,
    waiting_days: int | None = None,
    default_role: str = "",
    request: HttpRequest | None = None,
) -> Service:
    _check_manager(by, provider.agency)
    service = Service(
        provider=provider,
        category=category,
        name=name,
        description=description,
        capacity=capacity,
        waiting_days=waiting_days,
        default_role=default_role,
    )
    service.full_clean()
    service.search_text = service.build_search_text()
    service.save()
    record(actor=by, action=Action.CREATE, obj=service, request=request, detail={"name": name})
    return service


@transaction.atomic
def service_update(
    *,
    by: User,
    service: Service,
    version: int,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> Service:
    _check_manager(by, service.provider.agency)
    unknown = set(changes) - SERVICE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    for name, value in changes.items():
        setattr(service, name, value)
    service.full_clean()
    update_versioned(
        Service,
        service.pk,
        version,
        _("Someone else changed this service; reload it and try again."),
        **{name: getattr(service, name) for name in changes},
        search_text=service.build_search_text(),
        updated_at=timezone.now(),
    )
    service.refresh_from_db()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=service,
        request=request,
        detail={"fields": sorted(changes)},
    )
    return service


# --- referrals -----------------------------------------------------------------


class ConsentMissing(Refused):
    """Refused because consent does not cover the recipient agency (the referral form
    says so in its own notice, with the way to record consent)."""


def consent_covers(case: Case, agency: Agency) -> bool:
    """Whether the person's recorded consent covers a referral to ``agency``.

    Deny by default: without a consent register nothing is covered, and only a
    supervisor's recorded legal basis lets a referral through.
    """
    from tirek.privacy.selectors import consent_covers as covers

    return bool(covers(case.person, "referral", agency))


def _check_intervention(case: Case, intervention_id: int) -> None:
    """A referral made from the plan names an intervention of this case's plan."""
    from tirek.plans.models import Intervention

    if not Intervention.objects.filter(pk=intervention_id, goal__plan__case=case).exists():
        raise ValidationError({"intervention_id": _("Choose an intervention of this case's plan.")})


def _normalise_sections(sections: list[str]) -> list[str]:
    unknown = sorted(set(sections) - SHAREABLE_SECTIONS)
    if unknown:
        raise ValidationError(
            {
                "sections": _("These sections cannot be shared by a referral: %s")
                % ", ".join(unknown)
            }
        )
    chosen = set(sections) | {Section.CORE}
    return [s for s in Section.LABELS if s in chosen]


def _receivers(provider: Provider, role: str) -> list[User]:
    users = User.objects.filter(is_active=True, agency=provider.agency, roles__role=role)
    if provider.unit_id:
        users = users.filter(unit_id=provider.unit_id)
    return list(users.distinct())


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def team_event(case: Case, kind: str, by: User, member: User, role: str, **ref: int) -> None:
    """The case's own timeline shows team changes, whoever made them; ``ref`` names what
    made the change (``referral=…``, ``interview=…``)."""
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=by,
        detail={
            "member": member.pk,
            "name": member.get_full_name() or member.username,
            "role": role,
            **ref,
        },
    )


def _tell(users: Iterable[User | None], kind: str, referral: Referral) -> None:
    notify(users, kind=kind, url=referral_url(referral), label=referral.case.number)


def _event(referral: Referral, status: str, by: User) -> None:
    ReferralEvent.objects.create(referral=referral, status=status, by=by)


@transaction.atomic
def referral_send(
    *,
    by: User,
    case: Case,
    provider: Provider,
    role: str,
    reason: str,
    sections: list[str],
    urgency: str = Urgency.ROUTINE,
    service: Service | None = None,
    to_user: User | None = None,
    intervention_id: int | None = None,
    legal_basis: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the case to a provider, sharing only ``sections`` (and the basic ones).

    Refused when the person's consent does not cover the receiving agency, unless the
    case's supervisor records the legal basis — an override that is audited.
    """
    if not is_referring_side(by, case):
        raise PermissionDenied(_("Only the case team or its supervisor may refer this case."))
    if case.status == CaseStatus.CLOSED:
        raise Refused(_("The case is closed; reopen it before referring."))
    errors: dict[str, str] = {}
    if role not in dict(REFERRAL_ROLES):
        errors["role"] = _("Choose the role the receiving worker will have on the case.")
    if not provider.is_active:
        errors["provider"] = _("This provider no longer takes referrals.")
    if service is not None and (service.provider_id != provider.pk or not service.is_active):
        errors["service"] = _("Choose an active service of this provider.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose an urgency.")
    if not reason.strip():
        errors["reason"] = _("Say why the person is referred.")
    elif len(reason) > 4000:
        errors["reason"] = _("Keep it under 4000 characters.")
    if len(legal_basis) > 2000:
        errors["legal_basis"] = _("Keep it under 2000 characters.")
    if errors:
        raise ValidationError(errors)
    if intervention_id is not None:
        _check_intervention(case, intervention_id)
    shared = _normalise_sections(sections)
    # Nobody shares what they cannot see themselves.
    not_visible = [s for s in shared if s not in sections_for(by, case)]
    if not_visible:
        raise ValidationError(
            {"sections": _("You cannot share sections you do not see: %s") % ", ".join(not_visible)}
        )
    if case.protected_identity and role in PROTECTED_FROM and PROTECTED_SECTIONS & set(shared):
        raise ValidationError(
            {
                "sections": _(
                    "While the case is protected, return history and family are not shared "
                    "with this role."
                )
            }
        )
    if to_user is not None and not may_receive(
        to_user, Referral(provider=provider, role=role, to_user=None)
    ):
        raise ValidationError(
            {"to_user": _("The receiving worker must work at the provider and hold the role.")}
        )
    covered = consent_covers(case, provider.agency)
    legal_basis = legal_basis.strip()
    if not covered:
        if not legal_basis:
            raise ConsentMissing(
                _(
                    "The person's consent does not cover a referral to this agency. "
                    "Record the consent first, or ask the case's supervisor to record the "
                    "legal basis for the referral."
                )
            )
        if not is_supervisor_of(by, case):
            raise Refused(
                _("Only the case's supervisor may record a legal basis instead of consent.")
            )
    today = timezone.localdate()
    referral = Referral(
        case=case,
        provider=provider,
        service=service,
        role=role,
        to_user=to_user,
        reason=reason.strip(),
        urgency=urgency,
        sections=shared,
        intervention_id=intervention_id,
        consent_covered=covered,
        legal_basis="" if covered else legal_basis,
        legal_basis_by=None if covered else by,
        respond_by=conf.response_due(urgency, today),
        complete_by=conf.completion_due(urgency, today),
        created_by=by,
    )
    referral.full_clean()
    referral.save()
    _event(referral, ReferralStatus.SENT, by)
    record(
        actor=by,
        action=Action.CREATE,
        obj=referral,
        request=request,
        detail={
            "case": case.pk,
            "agency": provider.agency_id,
            "sections": shared,
            "consent": covered,
        },
    )
    if not covered:
        # Sharing without consent widens who sees the case: its own entry, easy to review.
        record(
            actor=by,
            action=Action.PERMISSION_CHANGE,
            obj=referral,
            request=request,
            detail={"consent_override": True, "case": case.pk, "agency": provider.agency_id},
        )
    receivers = [to_user] if to_user else _receivers(provider, role)
    _tell(receivers, NotificationKind.REFERRAL_RECEIVED, referral)
    return referral


def _transition(
    referral: Referral, *, version: int, allowed_from: tuple[str, ...], changes: dict[str, Any]
) -> Referral:
    """Move the referral on, atomically: a stale version is a conflict, a wrong state a refusal."""
    update_versioned(
        Referral,
        referral.pk,
        version,
        _("Someone else changed this referral; reload it and try again."),
        where=Q(status__in=allowed_from),
        refused=_("This referral cannot do that in its present state."),
        **changes,
        updated_at=timezone.now(),
    )
    referral.refresh_from_db()
    return referral


def _check_receiver(by: User, referral: Referral) -> None:
    if not may_receive(by, referral):
        raise PermissionDenied(_("Only the receiving worker may answer this referral."))


def _notify_referring_side(referral: Referral, kind: str) -> None:
    _tell([referral.created_by, referral.case.case_manager], kind, referral)


def _require_text(value: str, field: str, message: str) -> str:
    """The stripped text of a required field of at most 4000 characters."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > 4000:
        raise ValidationError({field: _("Keep it under 4000 characters.")})
    return value


def _moved(
    referral: Referral, status: str, by: User, request: HttpRequest | None, **detail: Any
) -> None:
    """The referral's history and the audit entry of a change of its status."""
    _event(referral, status, by)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=referral,
        request=request,
        detail={"status": status, **detail},
    )


@transaction.atomic
def referral_accept(
    *, by: User, referral: Referral, version: int, request: HttpRequest | None = None
) -> Referral:
    """The receiver accepts: they join the case team with the named role and exactly the
    shared sections. A membership they already had is left as it was (nothing is given)."""
    _check_receiver(by, referral)
    if referral.case.status == CaseStatus.CLOSED:
        raise Refused(_("The case has been closed in the meantime."))
    referral = _transition(
        referral,
        version=version,
        allowed_from=(ReferralStatus.SENT,),
        changes={"status": ReferralStatus.ACCEPTED, "to_user": by, "responded_at": timezone.now()},
    )
    existing = access_selectors.has_membership(referral.case, by, [referral.role])
    if not existing:
        membership = _grant(referral, by, request)
        Referral.objects.filter(pk=referral.pk).update(membership=membership)
        referral.membership = membership
    _moved(referral, ReferralStatus.ACCEPTED, by, request, membership_granted=not existing)
    _notify_referring_side(referral, NotificationKind.REFERRAL_ACCEPTED)
    return referral


def _grant(referral: Referral, user: User, request: HttpRequest | None) -> CaseTeamMember:
    membership = access_services.grant_membership(
        case=referral.case,
        user=user,
        role=referral.role,
        by=user,
        sections=list(referral.sections),
        # The policy shows this membership exactly ``sections``, not the role's default.
        exact_sections=True,
    )
    team_event(referral.case, EventKind.TEAM_ADDED, user, user, referral.role, referral=referral.pk)
    record(
        actor=user,
        action=Action.PERMISSION_CHANGE,
        obj=referral.case,
        request=request,
        detail={
            "team_member_added": user.pk,
            "role": referral.role,
            "sections": list(referral.sections),
            "referral": referral.pk,
        },
    )
    return membership


def _take_back(referral: Referral, by: User, request: HttpRequest | None) -> bool:
    """Undo what this referral gave, and only that. Returns whether anything was removed."""
    if referral.membership_id is None:
        return False
    membership = access_services.lock_membership(referral.membership_id)
    if membership.removed_at is not None:
        return False
    # Another open referral of the same worker and role relies on this membership: hand it over.
    heir = (
        Referral.objects.filter(
            case_id=referral.case_id,
            to_user_id=membership.user_id,
            role=membership.role,
            membership__isnull=True,
            status__in=(ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
        )
        .exclude(pk=referral.pk)
        .order_by("responded_at")
        .first()
    )
    if heir is not None:
        access_services.set_membership_sections(membership, list(heir.sections))
        Referral.objects.filter(pk=heir.pk).update(membership=membership)
        return False
    access_services.release_membership(membership, by=by)
    team_event(
        referral.case,
        EventKind.TEAM_REMOVED,
        by,
        membership.user,
        membership.role,
        referral=referral.pk,
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=referral.case,
        request=request,
        detail={
            "team_member_removed": membership.user_id,
            "role": membership.role,
            "referral": referral.pk,
        },
    )
    return True


@transaction.atomic
def referral_decline(
    *, by: User, referral: Referral, version: int, reason: str, request: HttpRequest | None = None
) -> Referral:
    _check_receiver(by, referral)
    reason = _require_text(reason, "reason", _("Say why the referral is declined."))
    referral = _transition(
        referral,
        version=version,
        allowed_from=(ReferralStatus.SENT,),
        changes={
            "status": ReferralStatus.DECLINED,
            "to_user": by,
            "decline_reason": reason,
            "responded_at": timezone.now(),
            "closed_at": timezone.now(),
        },
    )
    _take_back(referral, by, request)
    _moved(referral, ReferralStatus.DECLINED, by, request)
    _notify_referring_side(referral, NotificationKind.REFERRAL_DECLINED)
    return referral


@transaction.atomic
def referral_start(
    *, by: User, referral: Referral, version: int, request: HttpRequest | None = None
) -> Referral:
    _check_receiver(by, referral)
    referral = _transition(
        referral,
        version=version,
        allowed_from=(ReferralStatus.ACCEPTED,),
        changes={"status": ReferralStatus.IN_PROGRESS},
    )
    _moved(referral, ReferralStatus.IN_PROGRESS, by, request)
    return referral


@transaction.atomic
def referral_complete(
    *, by: User, referral: Referral, version: int, outcome: str, request: HttpRequest | None = None
) -> Referral:
    """The service was given. The receiver stays on the team for follow-up; the case
    manager removes them when the work is over."""
    _check_receiver(by, referral)
    outcome = _require_text(outcome, "outcome", _("Describe the outcome."))
    referral = _transition(
        referral,
        version=version,
        allowed_from=(ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
        changes={
            "status": ReferralStatus.COMPLETED,
            "outcome": outcome,
            "closed_at": timezone.now(),
        },
    )
    _moved(referral, ReferralStatus.COMPLETED, by, request)
    _notify_referring_side(referral, NotificationKind.REFERRAL_COMPLETED)
    return referral


@transaction.atomic
def referral_withdraw(
    *, by: User, referral: Referral, version: int, reason: str, request: HttpRequest | None = None
) -> Referral:
    """The referring side withdraws; the receiver loses what the referral gave them."""
    if not is_referring_side(by, referral.case):
        raise PermissionDenied(_("Only the case team or its supervisor may withdraw a referral."))
    reason = _require_text(reason, "reason", _("Say why the referral is withdrawn."))
    referral = _transition(
        referral,
        version=version,
        allowed_from=(
            ReferralStatus.SENT,
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
        ),
        changes={
            "status": ReferralStatus.WITHDRAWN,
            "withdraw_reason": reason,
            "closed_at": timezone.now(),
        },
    )
    removed = _take_back(referral, by, request)
    _moved(referral, ReferralStatus.WITHDRAWN, by, request, membership_removed=removed)
    receivers = (
        [referral.to_user] if referral.to_user else _receivers(referral.provider, referral.role)
    )
    _tell(receivers, NotificationKind.REFERRAL_WITHDRAWN, referral)
    return referral


@transaction.atomic
def notification_mark_read(*, by: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    from .models import Notification

    rows = Notification.objects.filter(user=by, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
