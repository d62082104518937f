"""The subject-access report: everything held about one person, section by section, who
opened the file and with whom it was shared; other people's data redacted. Built for the
DPO's preview and, once approved, released as JSON and PDF inside an AES-256 ZIP."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tirek.assessments.models import Assessment, DomainScore
from tirek.audit.models import AuditEntry
from tirek.cases.models import Case, ContactNote
from tirek.core.archive import encrypted_zip, one_time_password
from tirek.core.pdf import FAMILY, Document
from tirek.documents.models import PsychologicalRelease
from tirek.families.models import (
    FamilyGoal,
    FamilyMember,
    FamilyPlanDecision,
    FamilyPlanVersion,
    FamilyTask,
    GoalArea,
)
from tirek.incidents.models import Incident, IncidentAction
from tirek.interviews.models import Interview
from tirek.justice.models import (
    Condition,
    ContactEvent,
    LegalStatus,
    LegalUpdate,
    SupportRecord,
)
from tirek.people.models import IdentityDocument, Person, Relationship
from tirek.plans.models import (
    Closure,
    FollowUp,
    Goal,
    GoalStatus,
    Intervention,
    Plan,
    PlanVersion,
    Review,
)
from tirek.privacy.models import Consent
from tirek.referrals.models import Referral
from tirek.transfers.models import GroupImport, Transfer

REDACTED = "[…]"
# encrypted_zip and one_time_password moved to tirek.core.archive; still importable here.
__all__ = [
    "build",
    "encrypted_zip",
    "lines",
    "one_time_password",
    "preview",
    "to_json",
    "to_pdf",
]


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value.isoformat()


def _identity(person: Person) -> dict[str, Any]:
    return {
        "family_name": person.family_name,
        "given_name": person.given_name,
        "patronymic": person.patronymic,
        "other_names": [n.value for n in person.names.all()],
        "sex": str(person.get_sex_display()),
        "date_of_birth": person.birth_display,
        "place_of_birth": person.birth_place,
        "citizenship": person.citizenship,
        "iin": person.iin,
        "languages": person.languages,
    }


def _relatives(person: Person) -> list[dict[str, Any]]:
    """Other people are named nowhere: only that a relative of this kind is on file."""
    rows = Relationship.objects.filter(Q(person=person) | Q(relative=person))
    return [{"relationship": str(r.get_kind_display()), "name": REDACTED} for r in rows]


def _cases(case_ids: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "number": c.number,
            "status": str(c.get_status_display()),
            "phase": str(c.get_phase_display()),
            "opened": _iso(c.opened_at),
            "closed": _iso(c.closed_at),
            "region": str(c.region),
            "return_history": c.return_history,
        }
        for c in Case.objects.filter(pk__in=case_ids).select_related("region")
    ]


def _notes(case_ids: list[int]) -> list[dict[str, Any]]:
    """A note marked as third-party shows that it exists and why its text is withheld."""
    withheld = _("withheld: it contains information about other people (third-party)")
    return [
        {
            "date": _iso(n.occurred_on),
            "kind": str(n.get_kind_display()),
            "note": f"[{withheld}]" if n.third_party else n.narrative,
        }
        for n in ContactNote.objects.filter(case_id__in=case_ids).order_by("occurred_on", "pk")
    ]


def _assessments(case_ids: list[int]) -> list[dict[str, Any]]:
    out = []
    for a in Assessment.objects.filter(case_id__in=case_ids).order_by("assessed_on", "pk"):
        scores = DomainScore.objects.filter(assessment=a).order_by("pk")
        out.append(
            {
                "date": _iso(a.assessed_on),
                "kind": str(a.get_kind_display()),
                "status": str(a.get_status_display()),
                "scores": {s.domain: f"{s.score}/{s.max_score}" for s in scores},
            }
        )
    return out


def _interviews(case_ids: list[int]) -> list[dict[str, Any]]:
    # Dates and kind; the content of a law-enforcement interview goes through the court.
    return [
        {
            "date": _iso(i.scheduled_at),
            "kind": str(i.get_kind_display()),
            "status": str(i.get_status_display()),
        }
        for i in Interview.objects.filter(case_id__in=case_ids).order_by("scheduled_at", "pk")
    ]


def _goals(plan: Plan) -> list[dict[str, Any]]:
    interventions: dict[int, list[Intervention]] = {}
    for i in Intervention.objects.filter(goal__plan=plan).order_by("pk"):
        interventions.setdefault(i.goal_id, []).append(i)
    return [
        {
            "domain": str(g.get_domain_display()),
            "goal": g.title,
            "indicator": g.indicator,
            "target": _iso(g.target_date),
            "status": str(g.get_status_display()),
            "progress": str(g.get_progress_display()),
            "services": [
                {
                    "service": i.title,
                    "details": i.description,
                    "how_often": i.frequency,
                    "from": _iso(i.start_date),
                    "until": _iso(i.end_date),
                    "status": str(i.get_status_display()),
                }
                for i in interventions.get(g.pk, [])
            ],
        }
        for g in Goal.objects.filter(plan=plan).order_by("position", "pk")
    ]


def _plans(case_ids: list[int]) -> list[dict[str, Any]]:
    """Each case's individual plan: goals and services, the approved versions, the reviews
    (the child's and the family's own views included), closure and follow-ups. Who was
    responsible for a goal or a service, and who wrote what, are other people's data."""
    out = []
    for plan in Plan.objects.filter(case_id__in=case_ids).select_related("case"):
        case_id = plan.case_id
        out.append(
            {
                "case": plan.case.number,
                "status": str(plan.get_status_display()),
                "goals": _goals(plan),
                "approved_versions": [
                    {"version": v.number, "approved": _iso(v.approved_at), "comment": v.comment}
                    for v in PlanVersion.objects.filter(plan=plan).order_by("number")
                ],
                "reviews": [
                    {
                        "date": _iso(r.held_on),
                        "child_views": r.child_views,
                        "family_views": r.family_views,
                        "decisions": r.decisions,
                        "next_review": _iso(r.next_review_on),
                    }
                    for r in Review.objects.filter(case_id=case_id).order_by("held_on", "pk")
                ],
                "closure": [
                    {
                        "requested": _iso(c.requested_at),
                        "reason": str(c.get_reason_display()),
                        "status": str(c.get_status_display()),
                        "decided": _iso(c.decided_at),
                        "reopened": _iso(c.reopened_at),
                        "reopen_reason": c.reopen_reason,
                    }
                    for c in Closure.objects.filter(case_id=case_id).order_by("requested_at")
                ],
                "follow_ups": [
                    {
                        "months": f.months,
                        "done": _iso(f.done_on),
                        "outcome": str(f.get_outcome_display()),
                        "child_views": f.child_views,
                        "notes": f.notes,
                    }
                    for f in FollowUp.objects.filter(
                        case_id=case_id, done_on__isnull=False
                    ).order_by("months")
                ],
            }
        )
    return out


def _plan_versions(family_id: int) -> list[dict[str, Any]]:
    """The approved versions of the family plan as they were frozen: goals and tasks, not
    who owned a task."""
    areas, statuses = dict(GoalArea.choices), dict(GoalStatus.choices)
    out = []
    versions = FamilyPlanVersion.objects.filter(plan__family_id=family_id).order_by("number")
    for v in versions:
        snapshot = v.snapshot if isinstance(v.snapshot, dict) else {}
        goals = [g for g in snapshot.get("goals", []) if isinstance(g, dict)]
        out.append(
            {
                "version": v.number,
                "approved": _iso(v.approved_at),
                "comment": v.comment,
                "plan": [
                    {
                        "area": str(areas.get(g.get("area", ""), g.get("area", ""))),
                        "goal": g.get("title", ""),
                        "status": str(statuses.get(g.get("status", ""), g.get("status", ""))),
                        "target": g.get("target_date"),
                        "tasks": [
                            {"task": t.get("title", ""), "due": t.get("due_date")}
                            for t in g.get("tasks", [])
                            if isinstance(t, dict)
                        ],
                    }
                    for g in goals
                ],
            }
        )
    return out


def _plan_decisions(family_id: int) -> list[dict[str, Any]]:
    return [
        {
            "decision": str(d.get_decision_display()),
            "date": _iso(d.at),
            "version": d.version_number,
            "comment": d.comment,
        }
        for d in FamilyPlanDecision.objects.filter(plan__family_id=family_id).order_by("at", "pk")
    ]


def _families(person: Person) -> list[dict[str, Any]]:
    """The person's place in each family, its shared goals and the family plan with its
    approved versions and decisions; the other members only by their place, and
    guardianship (it names a carer) withheld."""
    out = []
    memberships = FamilyMember.objects.filter(person=person).select_related("family")
    for membership in memberships:
        family = membership.family
        others = FamilyMember.objects.filter(family=family).exclude(person=person)
        goals = FamilyGoal.objects.filter(plan__family=family).order_by("pk")
        out.append(
            {
                "role": str(membership.get_role_display()),
                "other_members": [
                    {"role": str(m.get_role_display()), "name": REDACTED} for m in others
                ],
                "guardianship": REDACTED if family.guardianship else "",
                "shared_goals": family.shared_goals,
                "plan": [
                    {
                        "area": str(g.get_area_display()),
                        "goal": g.title,
                        "status": str(g.get_status_display()),
                        "target": _iso(g.target_date),
                        "tasks": [
                            {"task": t.title, "due": _iso(t.due_date), "done": _iso(t.done_at)}
                            for t in FamilyTask.objects.filter(goal=g).order_by("pk")
                        ],
                    }
                    for g in goals
                ],
                "approved_versions": _plan_versions(family.pk),
                "plan_decisions": _plan_decisions(family.pk),
            }
        )
    return out


def _justice(case_ids: list[int]) -> dict[str, Any]:
    """Only the person's own cases: a mother's criminal file is in her report, never in
    her child's; a contact with a parent is on the child's case, the parent unnamed."""
    return {
        "legal_status": [
            {
                "status": str(s.get_status_display()),
                "institution": s.institution,
                "contact": s.contact,
                "from": _iso(s.start_date),
                "until": _iso(s.end_date),
                "note": s.note,
            }
            for s in LegalStatus.objects.filter(case_id__in=case_ids).order_by("start_date", "pk")
        ],
        "conditions": [
            {"condition": c.text, "review": _iso(c.review_date), "lifted": _iso(c.lifted_on)}
            for c in Condition.objects.filter(case_id__in=case_ids).order_by("pk")
        ],
        "updates": [
            {
                "date": _iso(u.on_date),
                "kind": str(u.get_kind_display()),
                "condition": u.condition.text if u.condition else "",
                "legal_basis": u.legal_basis,
                "note": u.note,
            }
            for u in LegalUpdate.objects.filter(case_id__in=case_ids)
            .select_related("condition")
            .order_by("on_date", "pk")
        ],
        "contacts_with_a_parent": [
            {
                "date": _iso(e.on_date),
                "kind": str(e.get_kind_display()),
                "status": str(e.get_status_display()),
                "with": REDACTED,
                "reaction": e.child_reaction,
            }
            for e in ContactEvent.objects.filter(case_id__in=case_ids).order_by("on_date", "pk")
        ],
        "support": [
            {
                "kind": str(r.get_kind_display()),
                "provider": r.provider,
                "from": _iso(r.start_date),
                "until": _iso(r.end_date),
                "outcome": r.outcome,
            }
            for r in SupportRecord.objects.filter(case_id__in=case_ids).order_by("start_date", "pk")
        ],
    }


def _incidents(case_ids: list[int]) -> list[dict[str, Any]]:
    """An incident shared with another child's case (siblings bullied together) shows its
    facts; its narratives, which tell about the other child too, are withheld."""
    withheld = f"[{_('withheld: it contains information about other people (third-party)')}]"
    out = []
    incidents = Incident.objects.filter(cases__in=case_ids).distinct().order_by("occurred_on", "pk")
    for i in incidents:
        shared = i.cases.exclude(pk__in=case_ids).exists()
        out.append(
            {
                "date": _iso(i.occurred_on),
                "what_happened": str(i.get_kind_display()),
                "where": str(i.get_place_display()),
                "reported_by": REDACTED if i.reported_by else "",
                "description": withheld if shared and i.description else i.description,
                "own_account": withheld if shared and i.child_account else i.child_account,
                "outcome": withheld if shared and i.outcome else i.outcome,
                "closed": _iso(i.closed_on),
                "actions": [
                    {"action": a.description, "due": _iso(a.due_date), "done": _iso(a.done_on)}
                    for a in IncidentAction.objects.filter(incident=i).order_by("pk")
                ],
            }
        )
    return out


def _transfers(person: Person, case_ids: list[int]) -> dict[str, Any]:
    transfers = [
        {
            "requested": _iso(t.requested_at),
            "from": str(t.from_unit),
            "to": str(t.to_unit),
            "reason": t.reason,
            "shared_before_answer": t.sections,
            "status": str(t.get_status_display()),
            "answered": _iso(t.decided_at),
        }
        for t in Transfer.objects.filter(case_id__in=case_ids).select_related(
            "from_unit", "to_unit"
        )
    ]
    releases = [
        {
            "purpose": str(r.get_purpose_display()),
            "recipient": r.recipient,
            "released": _iso(r.released_at),
            "revoked": _iso(r.revoked_at),
        }
        for r in PsychologicalRelease.objects.filter(case_id__in=case_ids)
    ]
    # A group registration: when, and the person's own row as it was read (no one else's).
    imports = []
    for imp in GroupImport.objects.exclude(result={}).order_by("created_at", "pk"):
        result = imp.result or {}
        if person.pk not in result.get("created", []) + result.get("linked", []):
            continue
        own = [
            {k: r.get(k) for k in ("family_name", "given_name", "patronymic", "birth_date", "iin")}
            for r in imp.rows
            if (r.get("iin") and r.get("iin") == person.iin)
            or (r.get("family_name"), r.get("given_name"))
            == (person.family_name, person.given_name)
        ]
        imports.append({"registered": _iso(imp.committed_at), "your_row": own})
    return {
        "transfers": transfers,
        "psychological_notes_released": releases,
        "group_registration": imports,
    }


def _shared(person: Person, case_ids: list[int]) -> dict[str, Any]:
    referrals = [
        {
            "date": _iso(r.created_at),
            "to": str(r.provider)
            if r.provider_id
            else (r.to_user.get_full_name() if r.to_user else ""),
            "sections": r.sections,
            "status": str(r.get_status_display()),
            "legal_basis": r.legal_basis or (_("consent") if r.consent_covered else ""),
        }
        for r in Referral.objects.filter(case_id__in=case_ids).select_related("provider", "to_user")
    ]
    consents = [
        {
            "purpose": str(c.get_purpose_display()),
            "given_by": str(c.get_given_by_display()),
            "recipients": [str(a) for a in c.recipients.all()],
            "valid_from": _iso(c.valid_from),
            "valid_until": _iso(c.valid_until),
            "withdrawn": _iso(c.withdrawn_at),
        }
        for c in Consent.objects.filter(person=person)
    ]
    return {"referrals": referrals, "consents": consents}


def _access_log(person: Person, case_ids: list[int]) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.filter(
        Q(object_type="people.person", object_id=str(person.pk))
        | Q(object_type="cases.case", object_id__in=[str(pk) for pk in case_ids])
    ).order_by("at", "pk")
    return [
        {"when": _iso(e.at), "who": e.actor_name, "action": str(e.get_action_display())}
        for e in entries
    ]


def preview(report: dict[str, Any]) -> list[tuple[str, list[tuple[int, str]]]]:
    return [(str(title), lines(content)) for title, content in report["sections"]]


def build(person: Person, language: str) -> dict[str, Any]:
    """The report in ``language``; the same dict becomes the JSON and the PDF."""
    case_ids = list(Case.objects.filter(person=person).values_list("pk", flat=True))
    with translation.override(language):
        return {
            "generated": _iso(timezone.now()),
            "language": language,
            "sections": [
                (_("Identity"), _identity(person)),
                (
                    _("Identity documents"),
                    [
                        {
                            "document": str(d.get_doc_type_display()),
                            "number": d.number,
                            "issued": _iso(d.issued_on),
                        }
                        for d in IdentityDocument.objects.filter(person=person)
                    ],
                ),  # fmt: skip
                (_("Relatives (other people's details withheld)"), _relatives(person)),
                (_("Cases"), _cases(case_ids)),
                (_("Contact notes"), _notes(case_ids)),
                (_("Assessments"), _assessments(case_ids)),
                (_("Interviews"), _interviews(case_ids)),
                (_("Individual plan"), _plans(case_ids)),
                (_("Family and family plan"), _families(person)),
                (_("Justice"), _justice(case_ids)),
                (_("Incidents"), _incidents(case_ids)),
                (_("Transfers and case summaries"), _transfers(person, case_ids)),
                (_("Shared with"), _shared(person, case_ids)),
                (_("Who opened the file, and when"), _access_log(person, case_ids)),
            ],
        }


def to_json(report: dict[str, Any]) -> bytes:
    body = {**report, "sections": dict(report["sections"])}
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def lines(content: Any, depth: int = 0) -> list[tuple[int, str]]:
    """A section as indented text lines, shared by the preview and the PDF."""
    out: list[tuple[int, str]] = []
    if isinstance(content, dict):
        for key, value in content.items():
            if isinstance(value, (dict, list)):
                out.append((depth, f"{key}:"))
                out += lines(value, depth + 1)
            else:
                out.append((depth, f"{key}: {value if value not in (None, '') else '—'}"))
    elif isinstance(content, list):
        if not content:
            out.append((depth, "—"))
        for item in content:
            out += lines(item, depth)
            if isinstance(item, dict):
                out.append((depth, ""))
    else:
        out.append((depth, str(content)))
    return out


def to_pdf(report: dict[str, Any]) -> bytes:
    with translation.override(report["language"]):
        title = _("Your personal data held in Tirek")
        pdf = Document(title)
        pdf.add_page()
        pdf.heading(title, 14, 8)
        for section, content in report["sections"]:
            pdf.ln(2)
            pdf.heading(str(section), 11)
            pdf.set_font(FAMILY, "", 9)
            for depth, text in lines(content):
                pdf.set_x(pdf.l_margin + 4 * depth)
                pdf.multi_cell(pdf.epw - 4 * depth, 5, text, new_x="LMARGIN", new_y="NEXT")
        return pdf.render()
