"""Reads of the relations between users and cases (DESIGN.md section 6: ``tirek.access``
owns them). Every other app asks here — or ``tirek.access.policy`` for one case — instead
of querying team memberships or emergency accesses, or filtering cases by team or unit
itself; ``access/tests/test_architecture.py`` holds them to it.

Helpers that return a ``Q`` or ``Exists`` let a caller filter its own rows (referrals,
interviews, plans) by the user's relation to their case, in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case, CaseTeamMember

from . import policy
from .models import EmergencyScopeExtension

__all__ = [
    "active_emergency_access",
    "active_team",
    "case_ids_with_section",
    "cases_with_section",
    "emergency_access",
    "emergency_accesses_reviewed",
    "emergency_accesses_to_review",
    "emergency_scope_extensions",
    "has_membership",
    "membership",
    "memberships_active_at",
    "memberships_of",
    "on_team",
    "supervised_cases",
    "supervised_q",
    "supervised_unit_id",
    "supervisors_of",
    "supervisors_of_unit",
    "team_case_ids_read_once",
    "team_cases",
    "team_users",
    "team_workload",
    "users_on_teams",
    "visible_case_ids",
    "visible_cases",
    "visible_persons",
]

visible_cases = policy.visible_cases
visible_case_ids = policy.visible_case_ids
visible_persons = policy.visible_persons
cases_with_section = policy.cases_with_section
case_ids_with_section = policy.case_ids_with_section
team_case_ids_read_once = policy.team_case_ids_read_once
supervised_unit_id = policy.supervised_unit_id


# --- team memberships ---------------------------------------------------------------------


def active_team(case: Case | int) -> QuerySet[CaseTeamMember]:
    """The case's current team, in the order they joined."""
    return (
        CaseTeamMember.objects.filter(case=case, removed_at__isnull=True)
        .select_related("user", "user__agency")
        .order_by("added_at", "id")
    )


def membership(case: Case | int, pk: Any) -> CaseTeamMember:
    """One current membership of the case's team; ``CaseTeamMember.DoesNotExist`` else."""
    member: CaseTeamMember = CaseTeamMember.objects.select_related("user").get(
        pk=pk, case=case, removed_at__isnull=True
    )
    return member


def has_membership(case: Case | int, user: User, roles: Iterable[str] | None = None) -> bool:
    """Is the user on the case's team (in one of ``roles``)? A plain fact about the team,
    not a permission: ask the policy whether the membership still grants anything."""
    rows = CaseTeamMember.objects.filter(case=case, user=user, removed_at__isnull=True)
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    return rows.exists()


def team_users(case: Case | int, roles: Iterable[str]) -> list[User]:
    """The active users on the case's team in ``roles`` (for notices)."""
    return list(
        User.objects.filter(
            is_active=True,
            case_memberships__case=case,
            case_memberships__removed_at__isnull=True,
            case_memberships__role__in=list(roles),
        ).distinct()
    )


def users_on_teams(cases: Any) -> QuerySet[User]:
    """Active users on the current team of any of ``cases`` (a case queryset)."""
    members = CaseTeamMember.objects.filter(case__in=cases, removed_at__isnull=True)
    return User.objects.filter(is_active=True, pk__in=members.values("user_id"))


def users_on_any_team() -> QuerySet[User]:
    """Active users on the current team of at least one case (the digest's recipients)."""
    members = CaseTeamMember.objects.filter(removed_at__isnull=True)
    return User.objects.filter(is_active=True, pk__in=members.values("user_id"))


def team_workload(
    *, roles: Iterable[str], case_statuses: Iterable[str]
) -> QuerySet[CaseTeamMember]:
    """Every current membership in ``roles`` on cases in ``case_statuses``, installation
    wide — for aggregates about staff (training needs), never for showing cases."""
    return CaseTeamMember.objects.filter(
        removed_at__isnull=True, case__status__in=list(case_statuses), role__in=list(roles)
    )


def memberships_active_at(moment: Any) -> QuerySet[CaseTeamMember]:
    """Memberships that had begun and not yet ended at ``moment`` (for indicators)."""
    return CaseTeamMember.objects.filter(added_at__lt=moment).filter(
        Q(removed_at__isnull=True) | Q(removed_at__gte=moment)
    )


def memberships_of(user: User, *, roles: Iterable[str] | None = None) -> QuerySet[CaseTeamMember]:
    """The user's current memberships (of every case, whatever the policy makes of them)."""
    rows = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True)
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    return rows


def on_team(user: User, case_ref: str = "case_id", roles: Iterable[str] | None = None) -> Exists:
    """``Exists`` for "the user is on the team of the case in ``case_ref``" (an outer field
    naming the case id: ``"case_id"`` for rows of a case, ``"pk"`` for cases)."""
    rows = memberships_of(user, roles=roles).filter(case=OuterRef(case_ref))
    return Exists(rows)


def team_cases(user: User, *, roles: Iterable[str] | None = None) -> QuerySet[Case]:
    """Cases the user may open and is on the team of (in ``roles``)."""
    return policy.visible_cases(user).filter(on_team(user, "pk", roles))


# --- supervision --------------------------------------------------------------------------


def supervised_cases(user: User) -> QuerySet[Case]:
    """Every case of the unit the user supervises (none for a system administrator, who
    reads no case data whatever other role they hold)."""
    unit_id = policy.supervised_unit_id(user)
    if unit_id is None:
        return Case.objects.none()
    return Case.objects.filter(supervising_unit_id=unit_id)


def supervised_q(user: User, prefix: str = "case__") -> Q:
    """``Q`` for rows whose case (reached through ``prefix``) the user supervises; never
    true when the policy says the user supervises nothing."""
    unit_id = policy.supervised_unit_id(user)
    if unit_id is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}supervising_unit_id": unit_id})


def supervisors_of(case: Case) -> list[User]:
    """The people the policy lets supervise this case (for notices and approvals)."""
    candidates = User.objects.filter(
        is_active=True, unit_id=case.supervising_unit_id, roles__role=Role.SUPERVISOR
    ).distinct()
    return [u for u in candidates if policy.is_supervisor_of(u, case)]


def supervisors_of_unit(unit_id: int) -> list[User]:
    """The people the policy lets supervise the cases of ``unit_id`` (who answer a
    transfer to it)."""
    candidates = User.objects.filter(
        is_active=True, unit_id=unit_id, roles__role=Role.SUPERVISOR
    ).distinct()
    return [u for u in candidates if policy.supervised_unit_id(u) == unit_id]


# --- emergency access ---------------------------------------------------------------------


def _emergency_model() -> Any:
    from tirek.privacy.models import EmergencyAccess

    return EmergencyAccess


def active_emergency_access(user: User, case: Case) -> Any:
    """The user's running emergency access to the case, or None."""
    return (
        _emergency_model()
        .objects.filter(user=user, case=case, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def emergency_access(pk: Any) -> Any:
    """One emergency access for the DPO's review (``DoesNotExist`` when there is none)."""
    return (
        _emergency_model()
        .objects.select_related("user", "user__agency", "case", "reviewed_by")
        .get(pk=pk)
    )


def emergency_accesses_to_review() -> QuerySet[Any]:
    rows: QuerySet[Any] = (
        _emergency_model()
        .objects.filter(reviewed_at__isnull=True)
        .select_related("user", "user__agency", "case")
        .order_by("granted_at", "id")
    )
    return rows


def emergency_accesses_reviewed() -> QuerySet[Any]:
    rows: QuerySet[Any] = (
        _emergency_model()
        .objects.filter(reviewed_at__isnull=False)
        .select_related("user", "case", "reviewed_by")
        .order_by("-reviewed_at", "-id")
    )
    return rows


def emergency_scope_extensions(unit_id: int) -> QuerySet[EmergencyScopeExtension]:
    """Extensions of the unit still running (for its supervisor's page)."""
    return EmergencyScopeExtension.objects.filter(
        unit_id=unit_id, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("user", "user__agency", "granted_by")
