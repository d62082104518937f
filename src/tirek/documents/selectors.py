"""Reads for case summaries: which sections a viewer may put in a summary for a purpose,
the psychologist's releases, and the content of each section — what the case page shows
for it, through the apps' own selectors and the access policy.

The caller has opened the case through ``policy.get_case``; every section read here is
one of ``policy.sections_for`` of the viewer (``summary_sections``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.assessments import selectors as assessment_selectors
from tirek.assessments.domains import Domain
from tirek.cases import selectors as case_selectors
from tirek.cases.models import Case
from tirek.people import selectors as people_selectors
from tirek.plans import selectors as plan_selectors

from .models import RELEASE_REQUIRED, PsychologicalRelease, recipient_key

S = policy.Section
# What a summary may carry, in the order of the document. Law-enforcement information
# (SECURITY) never goes into a summary: it reaches a court through law enforcement.
SUMMARY_SECTIONS: tuple[str, ...] = tuple(s for s in S.LABELS if s != S.SECURITY)
NOTES_PER_SECTION = 200  # bounds the document; the newest notes first


def visible_sections(user: User, case: Case) -> list[str]:
    """The sections the viewer may put in any summary of this case, in document order.

    Emergency (break-the-glass) access only lets one read: it never hands a file over."""
    sections = policy.sections_for(user, case, include_emergency=False)
    return [s for s in SUMMARY_SECTIONS if s in sections]


def may_produce(user: User, case: Case) -> bool:
    return S.CORE in policy.sections_for(user, case, include_emergency=False)


def active_releases(case: Case) -> QuerySet[PsychologicalRelease]:
    return PsychologicalRelease.objects.filter(case=case, revoked_at__isnull=True).select_related(
        "released_by"
    )


def release_for(case: Case, purpose: str, recipient: str) -> PsychologicalRelease | None:
    """The active release covering this purpose and recipient, if any."""
    key = recipient_key(recipient)
    if not key:
        return None
    return active_releases(case).filter(purpose=purpose, recipient_key=key).first()


def may_release(user: User, case: Case) -> bool:
    """A psychologist on the case team who may write psychological notes."""
    return policy.can_write(user, case, S.PSYCHOLOGICAL) and any(
        m.role == Role.PSYCHOLOGIST for m in policy.team_roles(user, case)
    )


def allowed_sections(user: User, case: Case, purpose: str, recipient: str) -> list[str]:
    """The sections this viewer may put in a summary for this purpose and recipient."""
    sections = visible_sections(user, case)
    if (
        S.PSYCHOLOGICAL in sections
        and purpose in RELEASE_REQUIRED
        and release_for(case, purpose, recipient) is None
    ):
        sections.remove(S.PSYCHOLOGICAL)
    return sections


# --- content ------------------------------------------------------------------------------


@dataclass
class Block:
    """One section of the document: facts (label, value) then paragraphs."""

    section: str
    heading: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _day(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _name(user: User) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


def _domain(code: str) -> str:
    try:
        return str(Domain(code).label)
    except ValueError:
        return code


def identification(case: Case) -> list[tuple[str, str]]:
    """Who the summary is about (every summary starts with it)."""
    person = case.person
    return [
        (_("Case number"), case.number),
        (_("Name"), person.full_name),
        (_("Date of birth"), person.birth_display or "—"),
    ]


def _core(case: Case) -> Block:
    return Block(
        S.CORE,
        "",
        facts=[
            (_("Sex"), str(case.person.get_sex_display())),
            (_("Status"), str(case.get_status_display())),
            (_("Phase"), str(case.get_phase_display())),
            (_("Opened"), _day(case.opened_at.date())),
            (_("Region"), str(case.region) if case.region_id else "—"),
            (_("Case manager"), _name(case.case_manager)),
        ],
    )


def _family(user: User, case: Case) -> Block:
    block = Block(S.FAMILY, "")
    for relative in people_selectors.family_of(user, case.person):
        block.items.append(f"{relative.label}: {relative.person.full_name}")
    return block


def _plan(case: Case) -> Block:
    block = Block(S.PLAN, "", facts=[(_("Risk level"), str(case.get_risk_level_display()))])
    plan = plan_selectors.plan_of(case)
    goals = list(plan.goals.all()) if plan is not None else []
    if plan is not None:
        block.facts.append((_("Plan"), str(plan.get_status_display())))
    for goal in goals:
        block.items.append(
            f"{_('Goal')}: {goal.title} — {_domain(goal.domain)}; "
            f"{goal.get_status_display()}; {_('target date')} {_day(goal.target_date)}"
        )
    for assessment in assessment_selectors.case_assessments(case):
        scores = "; ".join(
            f"{_domain(s.domain)} {s.score}/{s.max_score}"
            for s in assessment.scores.all()
            if not s.is_total
        )
        block.items.append(
            f"{_('Assessment')} {_day(assessment.assessed_on)}: "
            f"{assessment.instrument_version.instrument} "
            f"({assessment.get_status_display()})" + (f" — {scores}" if scores else "")
        )
    return block


def _legal(case: Case) -> Block:
    person = case.person
    block = Block(
        S.LEGAL,
        "",
        facts=[
            (_("IIN"), person.iin or "—"),
            (_("Citizenship"), person.citizenship or "—"),
            (_("Citizenship status"), str(person.get_citizenship_status_display() or "—")),
        ],
    )
    for document in person.documents.all():
        block.items.append(
            f"{document.get_doc_type_display()} {document.number} — "
            f"{_('date of issue')} {_day(document.issued_on)}"
        )
    return block


def content(user: User, case: Case, sections: list[str]) -> list[Block]:
    """The blocks of the chosen sections, in document order (translated in the active
    language). ``sections`` must come from ``allowed_sections``; anything the viewer may not
    see is dropped again here."""
    visible = set(visible_sections(user, case))
    chosen = [s for s in SUMMARY_SECTIONS if s in sections and s in visible]
    notes: dict[str, list[str]] = defaultdict(list)
    for note in case_selectors.notes_for(user, case).filter(section__in=chosen):
        if len(notes[note.section]) < NOTES_PER_SECTION:
            notes[note.section].append(
                f"{_day(note.occurred_on)} · {note.get_kind_display()} · "
                f"{_name(note.author)}: {note.narrative}"
            )
    blocks = []
    for section in chosen:
        if section == S.CORE:
            block = _core(case)
        elif section == S.RETURN_HISTORY:
            block = Block(section, "", items=[case.return_history] if case.return_history else [])
        elif section == S.FAMILY:
            block = _family(user, case)
        elif section == S.PLAN:
            block = _plan(case)
        elif section == S.LEGAL:
            block = _legal(case)
        else:
            block = Block(section, "")
        block.heading = str(S.LABELS[section])
        block.items.extend(notes.get(section, []))
        blocks.append(block)
    return blocks
