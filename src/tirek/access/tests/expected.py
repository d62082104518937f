"""What each role sees of a case it works on, written down from DESIGN.md section 2 by
hand — deliberately NOT imported from ``tirek.access.policy`` — so that a wrong entry in
the policy's ``ROLE_SECTIONS`` fails the matrix tests instead of being copied into them.

DESIGN.md section 2, row by row:
- case manager: cases on their team (registers, leads the plan, refers) — everything but
  psychological notes, religious counselling and law-enforcement information;
- psychologist: cases on their team, incl. psychological notes — not social work, legal
  documents or counselling;
- social worker: not psychological notes (home visits, family work, benefits);
- lawyer: the legal section (documents, citizenship, court) with the identity, origin and
  family it needs (parentage, birth registration abroad);
- school liaison: education only; never the return history of a protected case;
- health worker: health only;
- interviewer: interview records (the security section) of assigned cases;
- religious counsellor: counselling notes (with the return history disengagement needs);
- community worker (issue 16; mahalla / akimat): the family — basic information and the
  family section, nothing of return history, psychology, law or security; the family
  section stays visible on protected cases (they are put on the team to work with it);
- probation officer: the justice pathway (security) and counselling sections of ADULTS on
  their team; nothing at all of a child's case;
- prison/centre social worker (issue 16, not in DESIGN.md's table): basic information,
  family, social work and counselling of adults on their team; nothing of a child's case;
- stigma and discrimination incidents (issue 16): the case team roles that act on them —
  case manager, psychologist, social worker, school liaison ("records school incidents"),
  supervisor;
- supervisor: all (welfare) sections of the unit's cases; security stays one-way;
- DPO, M&E analyst, training coordinator, trainer, system administrator: no case data.
"""

from __future__ import annotations

CORE = "core"
RETURN_HISTORY = "return_history"
FAMILY = "family"
PLAN = "plan"
PSYCHOLOGICAL = "psychological"
SOCIAL = "social"
LEGAL = "legal"
EDUCATION = "education"
HEALTH = "health"
COUNSELLING = "counselling"
SECURITY = "security"
INCIDENTS = "incidents"

ALL_SECTIONS = frozenset(
    {CORE, RETURN_HISTORY, FAMILY, PLAN, PSYCHOLOGICAL, SOCIAL, LEGAL, EDUCATION, HEALTH,
     COUNSELLING, SECURITY, INCIDENTS}
)  # fmt: skip

DESIGN_SECTIONS: dict[str, frozenset[str]] = {
    "case-manager": frozenset(
        {CORE, RETURN_HISTORY, FAMILY, PLAN, SOCIAL, LEGAL, EDUCATION, HEALTH, INCIDENTS}
    ),
    "psychologist": frozenset(
        {CORE, RETURN_HISTORY, FAMILY, PLAN, PSYCHOLOGICAL, EDUCATION, HEALTH, INCIDENTS}
    ),
    "social-worker": frozenset({CORE, RETURN_HISTORY, FAMILY, PLAN, SOCIAL, EDUCATION, INCIDENTS}),
    "lawyer": frozenset({CORE, RETURN_HISTORY, FAMILY, LEGAL}),
    "school-liaison": frozenset({CORE, EDUCATION, INCIDENTS}),
    "health-worker": frozenset({CORE, HEALTH}),
    "interviewer": frozenset({CORE, SECURITY}),
    "religious-counsellor": frozenset({CORE, RETURN_HISTORY, COUNSELLING}),
    "probation-officer": frozenset({CORE, SECURITY, COUNSELLING}),
    "prison-social-worker": frozenset({CORE, FAMILY, SOCIAL, COUNSELLING}),
    "supervisor": ALL_SECTIONS - {SECURITY},
    "community-worker": frozenset({CORE, FAMILY}),
    "dpo": frozenset(),
    "me-analyst": frozenset(),
    "training-coordinator": frozenset(),
    "trainer": frozenset(),
    "admin": frozenset(),
}
# Protected identity: hidden from the roles that do not need it (school, health).
HIDDEN_WHEN_PROTECTED: dict[str, frozenset[str]] = {
    "school-liaison": frozenset({RETURN_HISTORY, FAMILY}),
    "health-worker": frozenset({RETURN_HISTORY, FAMILY}),
}
# Roles that see nothing of a child's case, whatever the relation (the matrix's case is a
# child's; adults' cases are tested in tirek.justice).
ADULTS_ONLY = frozenset({"probation-officer", "prison-social-worker"})
# DESIGN.md section 4: the roles that act in emergencies (see the policy's docstring).
BREAKS_GLASS = frozenset({"case-manager", "social-worker", "psychologist", "supervisor"})


def design_sections(role: str, *, protected: bool) -> frozenset[str]:
    sections = DESIGN_SECTIONS[role]
    if protected:
        sections -= HIDDEN_WHEN_PROTECTED.get(role, frozenset())
    return sections
