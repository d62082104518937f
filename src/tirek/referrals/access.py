"""Who may do what with the directory and with referrals.

Case access itself is decided by ``tirek.access.policy``; this module only names the
relations a referral adds on top of it:
- the *referring side*: team members whose role works on the plan, and the case's
  supervisors — they send, follow and withdraw referrals;
- the *receiving side*: the named receiving worker, or (while nobody is named) every
  active colleague at the provider holding the role the referral asks for. Before
  accepting, they see the referral and the minimum identification, never the case.

The directory holds no case data. It is maintained by coordinators: supervisors for
their own agency's providers, and the system administrator for all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from tirek.access import selectors as access
from tirek.access.policy import ROLE_SECTIONS, Section, is_supervisor_of
from tirek.accounts.roles import Role

from .models import ReferralStatus

if TYPE_CHECKING:
    from tirek.accounts.models import User

# Team roles that see the plan, and so may refer and follow referrals.
REFERRING_ROLES = frozenset(
    role for role, sections in ROLE_SECTIONS.items() if Section.PLAN in sections
) - {Role.SUPERVISOR}


def can_manage_directory(user: User, agency: Any = None) -> bool:
    """Supervisors for their own agency; the system administrator for any."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    if user.has_role(Role.SUPERVISOR) and user.agency_id:
        return agency is None or getattr(agency, "pk", agency) == user.agency_id
    return False


def referring_side_q(user: User, prefix: str = "") -> Q:
    """Referrals (or rows reached through ``prefix``) on cases the user refers from."""
    on_team = access.on_team(user, f"{prefix}case_id", REFERRING_ROLES)
    return Q(on_team) | access.supervised_q(user, f"{prefix}case__")


def receiving_side_q(user: User) -> Q:
    condition = Q(to_user=user)
    if user.agency_id and user.role_set:
        unassigned = Q(
            to_user__isnull=True,
            status=ReferralStatus.SENT,
            provider__agency_id=user.agency_id,
            role__in=sorted(user.role_set),
        ) & (Q(provider__unit__isnull=True) | Q(provider__unit_id=user.unit_id))
        condition |= unassigned
    return condition


def is_referring_side(user: User, case: Any) -> bool:
    if is_supervisor_of(user, case):
        return True
    return access.has_membership(case, user, REFERRING_ROLES)


def may_receive(user: User, referral: Any) -> bool:
    """The user is (or may become, by accepting) the receiving worker."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    provider = referral.provider if referral.to_user_id is None else None
    return may_receive_row(
        user,
        referral.to_user_id,
        getattr(provider, "agency_id", None),
        getattr(provider, "unit_id", None),
        referral.role,
    )


def may_receive_row(
    user: User, to_user_id: int | None, agency_id: int | None, unit_id: int | None, role: str
) -> bool:
    """``may_receive`` from a referral's columns (its receiver, its provider's agency and
    unit, the role it asks for), for lists read as rows."""
    if to_user_id is not None:
        return bool(to_user_id == user.pk)
    return bool(
        user.agency_id == agency_id
        and (unit_id is None or unit_id == user.unit_id)
        and user.has_role(role)
    )
