"""Who sees and runs a case conference, on top of ``tirek.access.policy``.

- A conference is visible to whoever may open at least one of its cases.
- The minutes (agenda, views, decisions, every action) are for those who see the plan
  section of *every* case of the conference, so a family conference never shows one
  child's plan to someone who works only on a sibling's case. Everyone else who sees the
  conference sees its date, place, participants and their own actions.
- It is run (rescheduled, minuted, actions added) by its chair and by those who manage
  every case of it (the case manager on the team, the unit's supervisor).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tirek.access.policy import Section, can_manage, sections_for

from .models import Conference

if TYPE_CHECKING:
    from tirek.accounts.models import User


def can_read_minutes(user: User, conference: Conference) -> bool:
    cases = list(conference.cases.all())
    return bool(cases) and all(Section.PLAN in sections_for(user, c) for c in cases)


def can_run(user: User, conference: Conference) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cases = list(conference.cases.all())
    if conference.chair_id == user.pk and all(sections_for(user, c) for c in cases):
        return True
    return bool(cases) and all(can_manage(user, c) for c in cases)
