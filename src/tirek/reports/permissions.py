"""Who sees which aggregates. Nobody here ever sees a case or a person list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from tirek.access.policy import supervised_unit_id
from tirek.accounts.roles import Role

if TYPE_CHECKING:
    from tirek.accounts.models import User

MINISTRY = "ministry"  # the whole country and any region
SUPERVISOR = "supervisor"  # one's own unit
TRAINING = "training"  # training and competencies


def audiences(user: User) -> list[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    found = []
    if user.has_role(Role.ME_ANALYST):
        found.append(MINISTRY)
    if supervised_unit_id(user) is not None:  # the policy's answer: never an administrator
        found.append(SUPERVISOR)
    if user.has_role(Role.TRAINING_COORDINATOR, Role.ME_ANALYST):
        found.append(TRAINING)
    return found


def sees_indicators(user: User) -> bool:
    """The nav item "Indicators": M&E analysts, supervisors, training coordinators.
    Not the data protection officer: their work is the audit log, not statistics."""
    return bool(audiences(user))


def require(user: User, audience: str) -> None:
    if audience not in audiences(user):
        raise PermissionDenied


def may_import_exchange(user: User) -> bool:
    return MINISTRY in audiences(user)
