"""The one place that decides who may see and do what with a case (DESIGN.md section 4).

Access = role × relation to the case × section sensitivity; deny by default.
- Relations: member of the case team (with a role on this case), supervisor of the
  case's supervising unit. Everyone else sees nothing (a 404).
- Sections: each role sees only the sections its work needs (``ROLE_SECTIONS``).
- Protected identity hides return history and related people from roles that do not
  need them, whatever else they were granted.
- Security information (law enforcement, courts, interviews) is its own section,
  never part of a welfare role's default.

List queries use ``visible_cases`` so filtering happens in SQL, never in Python.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseTeamMember


class Section:
    CORE = "core"  # case number, status, phase, name, date of birth
    RETURN_HISTORY = "return_history"  # origin, return, related persons (protected identity)
    FAMILY = "family"  # relatives, guardianship, household
    PLAN = "plan"  # assessments summary and the individual plan
    PSYCHOLOGICAL = "psychological"
    SOCIAL = "social"
    LEGAL = "legal"
    EDUCATION = "education"
    HEALTH = "health"
    COUNSELLING = "counselling"
    SECURITY = "security"  # law-enforcement and court information, interview records

    LABELS: dict[str, Any] = {
        CORE: _("Basic information"),
        RETURN_HISTORY: _("Return history and origin"),
        FAMILY: _("Family and care"),
        PLAN: _("Assessments and plan"),
        PSYCHOLOGICAL: _("Psychological notes"),
        SOCIAL: _("Social work"),
        LEGAL: _("Legal status and documents"),
        EDUCATION: _("Education"),
        HEALTH: _("Health"),
        COUNSELLING: _("Religious counselling"),
        SECURITY: _("Law enforcement and court"),
    }
    ALL = frozenset(LABELS)


S = Section
WELFARE_ALL = frozenset(
    {
        S.CORE,
        S.RETURN_HISTORY,
        S.FAMILY,
        S.PLAN,
        S.PSYCHOLOGICAL,
        S.SOCIAL,
        S.LEGAL,
        S.EDUCATION,
        S.HEALTH,
        S.COUNSELLING,
    }
)

ROLE_SECTIONS: dict[str, frozenset[str]] = {
    Role.CASE_MANAGER: frozenset(
        {S.CORE, S.RETURN_HISTORY, S.FAMILY, S.PLAN, S.SOCIAL, S.LEGAL, S.EDUCATION, S.HEALTH}
    ),
    Role.PSYCHOLOGIST: frozenset(
        {S.CORE, S.RETURN_HISTORY, S.FAMILY, S.PLAN, S.PSYCHOLOGICAL, S.EDUCATION, S.HEALTH}
    ),
    Role.SOCIAL_WORKER: frozenset(
        {S.CORE, S.RETURN_HISTORY, S.FAMILY, S.PLAN, S.SOCIAL, S.EDUCATION}
    ),
    Role.LAWYER: frozenset({S.CORE, S.RETURN_HISTORY, S.FAMILY, S.LEGAL}),
    Role.SCHOOL_LIAISON: frozenset({S.CORE, S.EDUCATION}),
    Role.HEALTH_WORKER: frozenset({S.CORE, S.HEALTH}),
    Role.INTERVIEWER: frozenset({S.CORE, S.SECURITY}),
    Role.RELIGIOUS_COUNSELLOR: frozenset({S.CORE, S.RETURN_HISTORY, S.COUNSELLING}),
    Role.SUPERVISOR: WELFARE_ALL,
}
# Roles that never see protected identity sections, even when granted them by a referral.
PROTECTED_FROM = frozenset({Role.SCHOOL_LIAISON, Role.HEALTH_WORKER})
PROTECTED_SECTIONS = frozenset({S.RETURN_HISTORY, S.FAMILY})


def _active_membership(user: Any) -> Q:
    return Q(user=user, removed_at__isnull=True)


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case the user may open, filtered in the database."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    on_team = Exists(CaseTeamMember.objects.filter(_active_membership(user), case=OuterRef("pk")))
    condition = Q(on_team)
    if user.has_role(Role.SUPERVISOR) and user.unit_id:
        condition |= Q(supervising_unit_id=user.unit_id)
    return Case.objects.filter(condition)


def is_supervisor_of(user: Any, case: Case) -> bool:
    return bool(
        user.has_role(Role.SUPERVISOR) and user.unit_id and user.unit_id == case.supervising_unit_id
    )


def team_roles(user: Any, case: Case) -> list[CaseTeamMember]:
    return list(CaseTeamMember.objects.filter(_active_membership(user), case=case))


def sections_for(user: Any, case: Case) -> frozenset[str]:
    """The sections of this case the user may see (empty: not even that it exists)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    sections: set[str] = set()
    roles: set[str] = set()
    for membership in team_roles(user, case):
        roles.add(membership.role)
        sections |= ROLE_SECTIONS.get(membership.role, frozenset({S.CORE}))
        sections |= set(membership.sections)
    if is_supervisor_of(user, case):
        roles.add(Role.SUPERVISOR)
        sections |= ROLE_SECTIONS[Role.SUPERVISOR]
    if case.protected_identity and roles and roles <= PROTECTED_FROM:
        sections -= PROTECTED_SECTIONS
    return frozenset(sections)


def can_see(user: Any, case: Case, section: str) -> bool:
    return section in sections_for(user, case)


def get_case(
    user: Any,
    case_id: Any,
    *,
    section: str = Section.CORE,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> Case:
    """The case if the user may see ``section`` of it, else 404 — the same as a missing case.

    Records the read in the audit log.
    """
    try:
        case = (
            visible_cases(user)
            .select_related("person", "supervising_unit", "region")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_see(user, case, section):
        raise Http404
    if audit:
        record(
            actor=user, action=Action.READ, obj=case, request=request, detail={"section": section}
        )
    return case


def visible_persons(user: Any) -> QuerySet[Any]:
    """People the user may open: those with a case the user may see, and those the user
    registered who have no case yet (registration comes before opening the case)."""
    from tirek.people.models import Person

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Person.objects.none()
    with_visible_case = Exists(visible_cases(user).filter(person=OuterRef("pk")))
    without_case = ~Exists(Case.objects.filter(person=OuterRef("pk")))
    return Person.objects.filter(with_visible_case | (Q(created_by=user) & without_case))
