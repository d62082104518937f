"""Reads of transfers: what waits for the receiving supervisor, what the requester sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tirek.access import policy

from .models import Transfer, TransferStatus

if TYPE_CHECKING:
    from tirek.accounts.models import User


def _rows() -> QuerySet[Transfer]:
    return Transfer.objects.select_related(
        "case__person", "from_unit__agency", "to_unit__agency", "requested_by", "decided_by"
    )


def incoming(user: User) -> QuerySet[Transfer]:
    """Transfers to the unit the user supervises (as the policy says), newest first."""
    unit_id = policy.supervised_unit_id(user)
    if unit_id is None:
        return Transfer.objects.none()
    return _rows().filter(to_unit_id=unit_id)


def outgoing(user: User) -> QuerySet[Transfer]:
    """Transfers the user requested, and those of cases the user still manages: the same
    rule as ``get_transfer``, so every row listed opens. The rest of the team sees a
    transfer on the case's timeline, not here."""
    if not policy.works_on_cases(user):
        return Transfer.objects.none()
    managed = policy.managed_cases(user).values("pk")
    return (
        _rows()
        .filter(Q(requested_by=user) | Q(case_id__in=managed))
        .exclude(to_unit_id=policy.supervised_unit_id(user))
    )


def pending_incoming(user: User) -> QuerySet[Transfer]:
    return incoming(user).filter(status=TransferStatus.REQUESTED)


def pending_outgoing(user: User) -> QuerySet[Transfer]:
    return outgoing(user).filter(status=TransferStatus.REQUESTED)


def get_transfer(user: User, pk: Any) -> Transfer:
    """A transfer the user requested, answers, or whose case the user manages; else 404."""
    try:
        transfer = _rows().get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if (
        transfer.requested_by_id == user.pk
        or policy.supervised_unit_id(user) == transfer.to_unit_id
        or policy.managed_cases(user).filter(pk=transfer.case_id).exists()
    ):
        return transfer
    raise Http404


def get_family_transfer(user: User, pk: Any) -> Any:
    """A family transfer the user requested or answers, or with a member's case the user
    manages; else 404."""
    from .models import FamilyTransfer

    try:
        group = FamilyTransfer.objects.select_related(
            "family", "to_unit__agency", "to_unit__region", "requested_by", "decided_by"
        ).get(pk=pk)
    except (FamilyTransfer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if group.requested_by_id == user.pk or policy.supervised_unit_id(user) == group.to_unit_id:
        return group
    case_ids = group.transfers.values_list("case_id", flat=True)
    if policy.managed_cases(user).filter(pk__in=case_ids).exists():
        return group
    raise Http404


def incoming_families(user: User) -> QuerySet[Any]:
    from .models import FamilyTransfer

    unit_id = policy.supervised_unit_id(user)
    if unit_id is None:
        return FamilyTransfer.objects.none()
    return FamilyTransfer.objects.filter(to_unit_id=unit_id).select_related("requested_by")
