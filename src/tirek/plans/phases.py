"""Entry criteria of the programme phases (DESIGN.md section 3).

A case moves rehabilitation → reintegration → monitoring; going back is always allowed
(a setback is not a failure). The phase is a field of the case, changed by the cases app;
it asks ``phase_change_problems`` before it saves, and the plan page shows the same list.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tirek.cases.models import Case, Phase

from .deadlines import CaseFacts

ORDER = [Phase.REHABILITATION, Phase.REINTEGRATION, Phase.MONITORING]


def entry_problems(facts: CaseFacts, phase: str, *, reviews: int) -> list[str]:
    """What is missing before a case may enter ``phase`` (pure: facts in, reasons out)."""
    problems: list[str] = []
    if phase in (Phase.REINTEGRATION, Phase.MONITORING) and facts.plan_approved_at is None:
        problems.append(_("The individual plan must be approved first."))
    if phase == Phase.MONITORING and reviews == 0:
        problems.append(_("At least one plan review must be held first."))
    return problems


def phase_change_problems(case: Case, phase: str) -> list[str]:
    """Reasons the case may not move to ``phase`` now; empty when it may (or goes back)."""
    from .models import Review
    from .selectors import facts_for

    if phase not in ORDER:
        return [_("Unknown phase.")]
    current: Any = case.phase
    if current in ORDER and ORDER.index(Phase(phase)) <= ORDER.index(Phase(current)):
        return []
    facts, _requested = facts_for(case)
    return entry_problems(facts, phase, reviews=Review.objects.filter(case=case).count())
