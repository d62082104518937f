"""Writes on consent and emergency access; each audited in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access import services as access_services
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core import queue
from tirek.core.exceptions import Refused
from tirek.organisations.models import Agency

from . import conf, tasks
from .models import Consent, ConsentKind, EmergencyAccess, GivenBy, Purpose
from .selectors import is_default_giver, is_dpo

logger = logging.getLogger(__name__)


# --- who may handle consent -------------------------------------------------------------------


def can_record_consent(user: User, person: Any, case: Any = None) -> bool:
    """Staff who see the family section of one of the person's cases; before a case is
    opened, the person who registered them. ``case``: the case at hand, asked first."""
    if case is not None and policy.can_write(user, case, policy.Section.FAMILY):
        return True
    cases = list(Case.objects.filter(person=person))
    if not cases:
        return bool(
            person.created_by_id == getattr(user, "pk", None) and policy.works_on_cases(user)
        )
    return any(policy.can_write(user, case, policy.Section.FAMILY) for case in cases)


def can_read_consents(user: User, person: Any) -> bool:
    """Everyone who may open the person, and the data protection officer (who reviews
    consents but reads no case content)."""
    if is_dpo(user):
        return True
    return policy.visible_persons(user).filter(pk=person.pk).exists()


def person_for_consent(user: User, person_id: Any) -> Any:
    """The person if the user may read their consents, else 404."""
    from tirek.people.models import Person

    try:
        person = Person.objects.get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_read_consents(user, person):
        raise Http404
    return person


# --- consent ---------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    by: User,
    person: Any,
    purposes: Sequence[str],
    given_by: str,
    kind: str = ConsentKind.CONSENT,
    valid_from: date,
    valid_until: date | None = None,
    recipients: list[Agency] | None = None,
    giver_name: str = "",
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> list[Consent]:
    """Record consent (or a child's assent) to one or more purposes, one record each.

    A consent from someone other than the default giver for the person's age is an
    override: it needs ``override_reason`` and counts once a supervisor approves it."""
    if not can_record_consent(by, person):
        raise PermissionDenied(_("Your role on this case does not allow recording consent."))
    errors: dict[str, str] = {}
    purposes = list(dict.fromkeys(purposes))
    if not purposes:
        errors["purposes"] = _("Choose at least one purpose.")
    elif any(p not in Purpose.values for p in purposes):
        errors["purposes"] = _("Unknown purpose.")
    if given_by not in GivenBy.values:
        errors["given_by"] = _("Choose who gives the consent.")
    if kind not in ConsentKind.values:
        errors["kind"] = _("Choose consent or assent.")
    elif kind == ConsentKind.ASSENT and given_by != GivenBy.CHILD:
        errors["kind"] = _("Only a child gives assent.")
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)
    is_override = not is_default_giver(person.birth_date, valid_from, given_by, kind)
    override_reason = override_reason.strip()
    if is_override and len(override_reason) < 10:
        raise ValidationError(
            {
                "override_reason": _(
                    "This departs from the default for the person's age: give the reason "
                    "(a supervisor will approve it)."
                )
            }
        )
    created: list[Consent] = []
    for purpose in purposes:
        consent = Consent(
            person=person,
            purpose=purpose,
            kind=kind,
            given_by=given_by,
            giver_name=giver_name.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_by=by,
            is_override=is_override,
            override_reason=override_reason if is_override else "",
        )
        consent.full_clean()
        consent.save()
        if recipients and kind == ConsentKind.CONSENT:
            consent.recipients.set(recipients)
        created.append(consent)
        record(
            actor=by,
            action=Action.CREATE,
            obj=consent,
            request=request,
            detail={
                "person": person.pk,
                "purpose": purpose,
                "kind": kind,
                "given_by": given_by,
                "recipients": sorted(a.pk for a in recipients or []),
                "override": is_override,
            },
        )
    return created


def _set_once(consent: Consent, while_empty: str, done_already: str, **changes: Any) -> None:
    """Apply ``changes`` (and a new version) while the field ``while_empty`` is empty:
    whoever comes second gets ``done_already``. ``consent`` is read again."""
    updated = Consent.objects.filter(pk=consent.pk, **{f"{while_empty}__isnull": True}).update(
        **changes, version=F("version") + 1
    )
    if not updated:
        raise ValidationError({"consent": done_already})
    consent.refresh_from_db()


@transaction.atomic
def consent_withdraw(
    *,
    by: User,
    consent: Consent,
    note: str = "",
    at: Any = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Withdrawal is honoured from this moment: nothing may be shared under it after."""
    if not can_record_consent(by, consent.person):
        raise PermissionDenied(_("Your role on this case does not allow recording consent."))
    when = at or timezone.now()
    _set_once(
        consent,
        "withdrawn_at",
        _("This consent has already been withdrawn."),
        withdrawn_at=when,
        withdrawn_by=by,
        withdrawal_note=note.strip()[:500],
    )
    consent.full_clean()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=consent,
        request=request,
        detail={"withdrawn": True, "person": consent.person_id, "purpose": consent.purpose},
    )
    return consent


@transaction.atomic
def consent_override_approve(
    *, by: User, consent: Consent, request: HttpRequest | None = None
) -> Consent:
    """A supervisor of one of the person's cases approves an override of the age default
    (never their own)."""
    cases = Case.objects.filter(person=consent.person_id)
    if not any(policy.is_supervisor_of(by, case) for case in cases):
        raise PermissionDenied(_("Only the supervisor of the case may approve an override."))
    if consent.recorded_by_id == by.pk:
        raise Refused(_("Someone other than the person who recorded it must approve it."))
    if not consent.is_override or consent.withdrawn_at is not None:
        raise ValidationError({"consent": _("There is nothing to approve.")})
    _set_once(
        consent,
        "override_approved_at",
        _("This override has already been approved."),
        override_approved_at=timezone.now(),
        override_approved_by=by,
    )
    record(
        actor=by,
        action=Action.UPDATE,
        obj=consent,
        request=request,
        detail={"override_approved": True, "person": consent.person_id},
    )
    return consent


# --- emergency access -----------------------------------------------------------------------


def emergency_access_open(
    *,
    by: User,
    justification: str,
    case_id: Any = None,
    case_number: str = "",
    request: HttpRequest | None = None,
) -> EmergencyAccess:
    """Break the glass (``tirek.access.services.open_emergency_access`` decides, records
    and announces it), and e-mail the DPO's mailbox when one is configured."""
    access: EmergencyAccess = access_services.open_emergency_access(
        by=by,
        justification=justification,
        case_id=case_id,
        case_number=case_number,
        request=request,
    )
    if conf.dpo_notify_email():
        queue.enqueue_on_commit(tasks.notify_dpo, access.pk)
    return access


def emergency_access_review(
    *,
    by: User,
    access: EmergencyAccess,
    version: int,
    outcome: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> EmergencyAccess:
    reviewed: EmergencyAccess = access_services.review_emergency_access(
        by=by, access=access, version=version, outcome=outcome, comment=comment, request=request
    )
    return reviewed
