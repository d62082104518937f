"""Transfers of a case between units: request, withdraw, decline, accept (issue #17).

Every function is transactional and leaves its audit entries and timeline event in the
same transaction. Who sees what is the access policy's: the request only opens a
read-only preview (``tirek.access.services.grant_transfer_preview``) to the receiving
unit's supervisors; acceptance moves the case, which moves supervision with it, and
ends the old team's memberships except those the receiving supervisor keeps.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access import selectors as access_selectors
from tirek.access import services as access_services
from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseEvent, EventKind
from tirek.core.exceptions import Conflict, Refused
from tirek.organisations.models import Unit

from .models import Transfer, TransferStatus

# Security information never leaves through a transfer's preview (it is shared one way,
# on a legal basis); after acceptance the new unit sees what its roles see.
SHAREABLE_SECTIONS = frozenset(Section.ALL) - {Section.SECURITY}


def stale_message() -> str:
    return _("Someone else answered this transfer since you opened it. Reload the page.")


def _event(case: Case, by: User, transfer: Transfer, stage: str, **detail: Any) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.TRANSFERRED,
        actor=by,
        detail={
            "stage": stage,
            "transfer": transfer.pk,
            "from_unit": str(transfer.from_unit),
            "to_unit": str(transfer.to_unit),
            **detail,
        },
    )


def consent_covers(case: Case, unit: Unit) -> bool:
    """Within the same agency nothing new is disclosed; to another agency the person's
    consent to information sharing must name it (deny by default)."""
    current = case.supervising_unit
    if current is not None and current.agency_id == unit.agency_id:
        return True
    from tirek.privacy.models import Purpose
    from tirek.privacy.selectors import consent_covers as covers

    return bool(covers(case.person, Purpose.INFORMATION_SHARING, unit.agency))


def normalise_sections(sections: list[str]) -> list[str]:
    unknown = sorted(set(sections) - SHAREABLE_SECTIONS)
    if unknown:
        raise ValidationError(
            {
                "sections": _("These sections cannot be shared before acceptance: %s")
                % ", ".join(unknown)
            }
        )
    chosen = set(sections) | {Section.CORE}
    return [s for s in Section.LABELS if s in chosen]


def pending_for(case: Case) -> Transfer | None:
    return (
        Transfer.objects.filter(case=case, status=TransferStatus.REQUESTED)
        .select_related("to_unit__agency", "requested_by")
        .first()
    )


@transaction.atomic
def transfer_request(
    *,
    by: User,
    case: Case,
    to_unit: Unit,
    reason: str,
    sections: list[str],
    legal_basis: str = "",
    request: HttpRequest | None = None,
) -> Transfer:
    """Ask ``to_unit`` to take the case over, sharing the basic information and
    ``sections`` until it answers. Without the person's consent a legal basis is needed,
    recorded by the case's supervisor (an audited override, as for referrals)."""
    if not policy.can_manage(by, case):
        raise PermissionDenied(_("Only the case manager or the supervisor may transfer the case."))
    if not case.is_open:
        raise Refused(_("A closed case cannot be transferred."))
    reason, legal_basis = reason.strip(), legal_basis.strip()
    errors: dict[str, str] = {}
    if to_unit.pk == case.supervising_unit_id:
        errors["to_unit"] = _("The case is already in this unit.")
    if not reason:
        errors["reason"] = _("Say why the case moves.")
    elif len(reason) > 2000:
        errors["reason"] = _("Keep it under 2000 characters.")
    if len(legal_basis) > 2000:
        errors["legal_basis"] = _("Keep it under 2000 characters.")
    if errors:
        raise ValidationError(errors)
    shared = normalise_sections(sections)
    visible = policy.sections_for(by, case)
    not_visible = [s for s in shared if s not in visible]
    if not_visible:
        raise ValidationError(
            {"sections": _("You cannot share sections you do not see: %s") % ", ".join(not_visible)}
        )
    covered = consent_covers(case, to_unit)
    if not covered:
        if not legal_basis:
            raise Refused(
                _(
                    "The person's consent does not cover sharing with the receiving agency. "
                    "Record the consent first, or ask the case's supervisor to record the "
                    "legal basis for the transfer."
                )
            )
        if not policy.is_supervisor_of(by, case):
            raise Refused(
                _("Only the case's supervisor may record a legal basis instead of consent.")
            )
    transfer = Transfer(
        case=case,
        from_unit_id=case.supervising_unit_id,
        from_region_id=case.region_id,
        to_unit=to_unit,
        to_region_id=to_unit.region_id,
        reason=reason,
        sections=shared,
        consent_covered=covered,
        legal_basis="" if covered else legal_basis,
        requested_by=by,
    )
    transfer.full_clean(exclude=["preview"], validate_constraints=False)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise Conflict(_("A transfer of this case is already awaiting an answer.")) from exc
    transfer.preview = access_services.grant_transfer_preview(
        case=case, unit=to_unit, sections=shared, by=by
    )
    transfer.save(update_fields=["preview"])
    _event(case, by, transfer, "requested", reason=reason[:300])
    record(
        actor=by,
        action=Action.CREATE,
        obj=transfer,
        request=request,
        detail={"case": case.pk, "to_unit": to_unit.pk, "sections": shared, "consent": covered},
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        request=request,
        detail={
            "transfer_preview": transfer.pk,
            "unit": to_unit.pk,
            "sections": shared,
            **({} if covered else {"consent_override": True}),
        },
    )
    return transfer


def _lock(transfer: Transfer, version: int) -> Transfer:
    locked = (
        Transfer.objects.select_for_update()
        .select_related("case", "from_unit__agency", "to_unit__agency", "to_unit__region")
        .get(pk=transfer.pk)
    )
    if locked.version != version or locked.status != TransferStatus.REQUESTED:
        raise Conflict(stale_message())
    return locked


def _close(transfer: Transfer, status: str, by: User, **fields: Any) -> None:
    Transfer.objects.filter(pk=transfer.pk).update(
        status=status,
        decided_by=by,
        decided_at=timezone.now(),
        version=F("version") + 1,
        **fields,
    )
    access_services.end_transfer_preview(transfer.preview_id)
    transfer.refresh_from_db()


def may_answer(user: User, transfer: Transfer) -> bool:
    """The receiving unit's supervisor (as the policy says)."""
    return policy.supervised_unit_id(user) == transfer.to_unit_id


@transaction.atomic
def transfer_withdraw(
    *, by: User, transfer: Transfer, version: int, request: HttpRequest | None = None
) -> Transfer:
    if not policy.can_manage(by, transfer.case):
        raise PermissionDenied(_("Only the case manager or the supervisor may withdraw it."))
    transfer = _lock(transfer, version)
    _close(transfer, TransferStatus.WITHDRAWN, by)
    _event(transfer.case, by, transfer, "withdrawn")
    record(
        actor=by,
        action=Action.UPDATE,
        obj=transfer,
        request=request,
        detail={"status": TransferStatus.WITHDRAWN, "case": transfer.case_id},
    )
    return transfer


@transaction.atomic
def transfer_decline(
    *,
    by: User,
    transfer: Transfer,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Transfer:
    if not may_answer(by, transfer):
        raise PermissionDenied(_("Only a supervisor of the receiving unit may answer."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Say why the transfer is declined.")})
    if len(reason) > 2000:
        raise ValidationError({"decline_reason": _("Keep it under 2000 characters.")})
    transfer = _lock(transfer, version)
    transfer.decline_reason = reason
    transfer.full_clean(exclude=["preview"], validate_constraints=False)
    _close(transfer, TransferStatus.DECLINED, by, decline_reason=reason)
    _event(transfer.case, by, transfer, "declined", reason=reason[:300])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=transfer,
        request=request,
        detail={"status": TransferStatus.DECLINED, "case": transfer.case_id},
    )
    return transfer


def keepable_members(transfer: Transfer) -> list[Any]:
    """The old team the receiving supervisor may keep (one row per person)."""
    seen: dict[int, Any] = {}
    for member in access_selectors.active_team(transfer.case):
        seen.setdefault(member.user_id, member)
    return list(seen.values())


@transaction.atomic
def transfer_accept(
    *,
    by: User,
    transfer: Transfer,
    version: int,
    case_manager: User,
    keep_user_ids: list[int] | None = None,
    request: HttpRequest | None = None,
) -> Transfer:
    """The receiving supervisor takes the case over: the case's unit, region and case
    manager change (its status, phase and journey dates do not), the old team leaves
    except those kept, their open plan responsibilities pass to the new case manager."""
    if not may_answer(by, transfer):
        raise PermissionDenied(_("Only a supervisor of the receiving unit may answer."))
    if (
        not case_manager.is_active
        or not case_manager.has_role(Role.CASE_MANAGER)
        or case_manager.unit_id != transfer.to_unit_id
    ):
        raise ValidationError({"case_manager": _("Choose a case manager of the receiving unit.")})
    transfer = _lock(transfer, version)
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    if case.supervising_unit_id != transfer.from_unit_id or not case.is_open:
        raise Conflict(stale_message())
    team_ids = {m.user_id for m in keepable_members(transfer)}
    keep = sorted(set(keep_user_ids or []) & team_ids)
    if set(keep_user_ids or []) - team_ids:
        raise ValidationError({"keep": _("Only members of the current team can be kept.")})
    old_manager_id = case.case_manager_id
    Case.objects.filter(pk=case.pk).update(
        supervising_unit=transfer.to_unit,
        region_id=transfer.to_region_id,
        case_manager=case_manager,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    keep_ids = set(keep) | {case_manager.pk}
    left = access_services.release_team_except(case=case, keep_user_ids=keep_ids, by=by)
    if not access_selectors.has_membership(case, case_manager, [Role.CASE_MANAGER]):
        access_services.grant_membership(
            case=case, user=case_manager, role=Role.CASE_MANAGER, by=by
        )
    moved = _move_open_responsibilities(case, left, case_manager)
    _close(transfer, TransferStatus.ACCEPTED, by, new_case_manager=case_manager, kept_members=keep)
    case.refresh_from_db()
    _event(
        case,
        by,
        transfer,
        "accepted",
        case_manager=case_manager.get_full_name() or case_manager.username,
    )
    record(
        actor=by,
        action=Action.UPDATE,
        obj=transfer,
        request=request,
        detail={"status": TransferStatus.ACCEPTED, "case": case.pk},
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        request=request,
        detail={
            "transfer": transfer.pk,
            "from_unit": transfer.from_unit_id,
            "to_unit": transfer.to_unit_id,
            "from_case_manager": old_manager_id,
            "to_case_manager": case_manager.pk,
            "team_released": left,
            "team_kept": keep,
            "responsibilities_moved": moved,
        },
    )
    return transfer


def _move_open_responsibilities(case: Case, user_ids: list[int], to: User) -> int:
    """Open goals and interventions held by those who left go to the new case manager."""
    if not user_ids:
        return 0
    from tirek.plans.selectors import open_responsibilities

    goals, interventions = open_responsibilities(case, user_ids)
    return goals.update(responsible_user=to) + interventions.update(responsible_user=to)
