"""Who sees how much of an interview, on top of ``tirek.access.policy``.

Three levels, from most to least:
- CONTENT: the SECURITY section of the case (law enforcement on the team) and the
  interviewer assigned to this interview — everything, notes and summary included;
- REQUEST: the case's supervisor, who approves repeat interviews — the request, the
  justification and the planning, never the notes or summary;
- DATES: the case manager and the psychologist on the team — how many interviews and
  when, the readiness judgement and the follow-up support (which they give).
Everyone else — the school, health, other welfare roles — sees no interview at all (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from tirek.access import selectors as access
from tirek.access.policy import (
    Section,
    can_write,
    case_ids_with_section,
    is_supervisor_of,
    sections_for,
    team_roles,
    visible_case_ids,
)
from tirek.accounts.roles import Role

from .models import Interview

if TYPE_CHECKING:
    from tirek.accounts.models import User

CONTENT = "content"
REQUEST = "request"
DATES = "dates"
RANK = {DATES: 1, REQUEST: 2, CONTENT: 3}
DATES_ROLES = frozenset({Role.CASE_MANAGER, Role.PSYCHOLOGIST})


def case_level(user: User, case: Any) -> str | None:
    """The level the user has on every interview of ``case`` (the assigned interviewer may
    have more on their own: see ``level``)."""
    sections = sections_for(user, case)
    if not sections:
        return None
    if Section.SECURITY in sections:
        return CONTENT
    if is_supervisor_of(user, case):
        return REQUEST
    if any(m.role in DATES_ROLES for m in team_roles(user, case)):
        return DATES
    return None


def level(user: User, interview: Interview) -> str | None:
    base = case_level(user, interview.case)
    if base is None:
        return None
    if interview.interviewer_id == user.pk:
        return CONTENT
    return base


def at_least(found: str | None, wanted: str) -> bool:
    return found is not None and RANK[found] >= RANK[wanted]


def visible_interviews(user: User) -> QuerySet[Interview]:
    """Interviews the user sees at any level, filtered in SQL."""
    cases = visible_case_ids(user)
    welfare = access.on_team(user, "case_id", DATES_ROLES)
    condition = Q(case__in=case_ids_with_section(user, Section.SECURITY)) | Q(
        interviewer=user, case__in=cases
    )
    condition |= Q(welfare, case__in=cases)
    condition |= access.supervised_q(user) & Q(case__in=cases)
    return Interview.objects.filter(condition)


def may_request(user: User, case: Any) -> bool:
    """Law enforcement on the team (the SECURITY section) or the case's supervisor."""
    return can_write(user, case, Section.SECURITY) or is_supervisor_of(user, case)


def is_psychologist_on(user: User, case: Any) -> bool:
    return any(m.role == Role.PSYCHOLOGIST for m in team_roles(user, case))


def may_follow_up(user: User, case: Any) -> bool:
    return is_supervisor_of(user, case) or any(
        m.role in DATES_ROLES for m in team_roles(user, case)
    )
