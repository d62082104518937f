"""Irreversible erasure, one function per record type, and the anonymisation of a person
that runs them all (DESIGN.md 4: remove every identifier, keep what statistics need).

Kept: region, sex, birth year, phase and status history, dates of every step, scores by
domain, referral facts (provider, dates, status), consent facts (purpose, dates,
recipients), training records. Erased: names in every spelling and their search keys,
patronymic, IIN, documents, the exact birth date (1 January of the year stays: ages at
the end of a calendar year, which indicators use, do not change), place of birth, photo,
every narrative and attachment, every free-text reason; the case number becomes opaque.

The apps of issues 16 and 17 follow the same line. Kept: a family's members and roles,
its plan's areas, statuses and dates (in its approved versions too); legal status kinds
with their dates, condition and support dates and kinds, legal updates' kind and date,
contact events' kind, status and date; incident type, place, date, region and unit,
actions' owners and dates; transfers' (family transfers' too) units, regions, dates,
status and shared sections; psychological releases' purpose and dates. Erased: every
text in them (a family's label becomes opaque, its guardianship arrangements, shared
goals, plan comment, goal and task titles, approved versions' titles and owners' names,
approval comments and family transfers' reasons go — a family plan names its members —
in every family the person is in or was taken out of; an incident's description, the
child's account, the reporter, the trusted adult, the outcome and its actions' texts —
for every linked case, siblings' included, since one narrative cannot be split;
conditions, notes, institutions and contacts, legal bases, providers, outcomes, reasons,
recipients). A group-arrival import is a preview kept only until the worker registers
the group: a registered import that created or linked the person loses its preview and
file name entirely (the result — ids and counts — stays); a pending one keeps its rows
but the person's row loses every personal cell (and the import its file name), and no
candidate label names them.

Everything here runs with ``QuerySet.update`` in the caller's transaction: no signal, no
save() hook re-derives a name key, and nothing is loaded that need not be.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q

from tirek.access import services as access_services
from tirek.assessments.models import Assessment
from tirek.audit.models import AuditEntry
from tirek.cases import attachments
from tirek.cases.models import Attachment, Case, CaseEvent, ContactNote
from tirek.conferences.models import ActionItem, Conference, Participant
from tirek.core import crypto
from tirek.documents.models import PsychologicalRelease
from tirek.families.models import (
    Family,
    FamilyConference,
    FamilyGoal,
    FamilyMember,
    FamilyPlan,
    FamilyPlanDecision,
    FamilyPlanVersion,
    FamilyTask,
)
from tirek.incidents.models import Incident, IncidentAction
from tirek.interviews.models import Interview, Matter
from tirek.justice.models import (
    Condition,
    ContactEvent,
    LegalStatus,
    LegalUpdate,
    SupportRecord,
)
from tirek.people.models import (
    BirthPrecision,
    DuplicateDismissal,
    Household,
    HouseholdMember,
    IdentityDocument,
    MergeRequest,
    Person,
    PersonName,
    PersonNameKey,
    PersonPhoto,
    Relationship,
)
from tirek.plans.models import (
    Closure,
    FollowUp,
    Goal,
    GoalProgress,
    Intervention,
    PlanDecision,
    PlanVersion,
    Review,
)
from tirek.privacy.models import Consent
from tirek.referrals.models import Notification, Referral
from tirek.transfers.models import FamilyTransfer, GroupImport, GroupImportStatus, Transfer

from .schedule import RecordType

CaseIds = list[int]

# Case event details keep only what the timeline and phase history need.
_EVENT_KEYS_KEPT = frozenset({"old", "new", "fields", "to_unit", "role", "section", "status"})


def _blank(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, "")


def _person_ids(case_ids: CaseIds) -> list[int]:
    return list(Case.objects.filter(pk__in=case_ids).values_list("person_id", flat=True))


def erase_contact_notes(case_ids: CaseIds) -> None:
    files = list(
        Attachment.objects.filter(note__case_id__in=case_ids).values_list("stored_name", flat=True)
    )
    Attachment.objects.filter(note__case_id__in=case_ids).delete()
    for stored_name in files:
        attachments.delete(stored_name)
    ContactNote.objects.filter(case_id__in=case_ids).update(narrative="")


def erase_assessments(case_ids: CaseIds) -> None:
    # Domain scores (DomainScore rows) stay: indicators are computed from them.
    Assessment.objects.filter(case_id__in=case_ids).update(
        answers_json="{}", own_views="", remarks=""
    )


def erase_interviews(case_ids: CaseIds) -> None:
    Interview.objects.filter(case_id__in=case_ids).update(
        **_blank(
            "purpose",
            "legal_basis",
            "repeat_justification",
            "readiness_note",
            "notes",
            "summary",
            "follow_up",
            "interpreter",
            "support_person",
            "room",
            "observers",
            "breaks_note",
            "recording_reference",
            "cancel_reason",
            "requesting_authority",
        )
    )
    for matter in Matter.objects.filter(person_id__in=_person_ids(case_ids)).only("pk"):
        # Titles are unique per person: an opaque one keeps the constraint.
        Matter.objects.filter(pk=matter.pk).update(title=f"#{matter.pk}", reference="")


def erase_consents(case_ids: CaseIds) -> None:
    Consent.objects.filter(person_id__in=_person_ids(case_ids)).update(
        **_blank("giver_name", "withdrawal_note", "override_reason")
    )


def erase_referrals(case_ids: CaseIds) -> None:
    Referral.objects.filter(case_id__in=case_ids).update(
        **_blank("reason", "legal_basis", "decline_reason", "withdraw_reason", "outcome")
    )


def erase_conferences(case_ids: CaseIds) -> None:
    conference_ids = list(
        Conference.objects.filter(cases__in=case_ids).values_list("pk", flat=True).distinct()
    )
    Conference.objects.filter(pk__in=conference_ids).update(
        **_blank("agenda", "child_views", "family_views", "decisions", "location")
    )
    # People from outside (a parent, a neighbour) are named in free text; staff stay
    # known through their account.
    Participant.objects.filter(conference_id__in=conference_ids).update(
        **_blank("name", "organisation", "capacity")
    )
    ActionItem.objects.filter(case_id__in=case_ids).update(description="", note="")


def erase_incidents(case_ids: CaseIds) -> None:
    """Type, place, date, region and unit stay (the ministry's aggregates); every text of
    an incident linked to these cases goes, whoever else it is linked to."""
    incident_ids = list(
        Incident.objects.filter(cases__in=case_ids).values_list("pk", flat=True).distinct()
    )
    Incident.objects.filter(pk__in=incident_ids).update(
        **_blank("reported_by", "description", "child_account", "account_trusted_adult", "outcome")
    )
    IncidentAction.objects.filter(incident_id__in=incident_ids).update(description="")


def erase_justice(case_ids: CaseIds) -> None:
    """Kinds and dates stay; notes, conditions, institutions and their contacts, the legal
    basis of an update, providers, outcomes and who a child met go."""
    LegalStatus.objects.filter(case_id__in=case_ids).update(institution="", contact="", note="")
    Condition.objects.filter(case_id__in=case_ids).update(text="")
    LegalUpdate.objects.filter(case_id__in=case_ids).update(legal_basis="", note="")
    ContactEvent.objects.filter(case_id__in=case_ids).update(
        **_blank("with_whom", "accompanied_by", "child_reaction")
    )
    SupportRecord.objects.filter(case_id__in=case_ids).update(provider="", outcome="")


def erase_photos(case_ids: CaseIds) -> None:
    PersonPhoto.objects.filter(person_id__in=_person_ids(case_ids)).delete()


def _erase_plans(case_ids: CaseIds) -> None:
    Goal.objects.filter(plan__case_id__in=case_ids).update(
        **_blank("title", "indicator", "responsible_name")
    )
    Intervention.objects.filter(goal__plan__case_id__in=case_ids).update(
        **_blank("title", "description", "responsible_name")
    )
    PlanVersion.objects.filter(plan__case_id__in=case_ids).update(snapshot={}, comment="")
    PlanDecision.objects.filter(plan__case_id__in=case_ids).update(comment="")
    Review.objects.filter(case_id__in=case_ids).update(
        **_blank("child_views", "family_views", "decisions")
    )
    GoalProgress.objects.filter(review__case_id__in=case_ids).update(comment="")
    Closure.objects.filter(case_id__in=case_ids).update(
        **_blank("explanation", "open_goals_explanation", "decision_comment", "reopen_reason")
    )
    FollowUp.objects.filter(case_id__in=case_ids).update(notes="", child_views="")


def _families_of(person_ids: list[int]) -> list[int]:
    """The families these people are in, and those they were taken out of: a removal
    deletes the membership, but its audit entry (``member_removed``) names the family,
    and the texts written while they belonged to it may still name them."""
    current = set(
        FamilyMember.objects.filter(person_id__in=person_ids).values_list("family_id", flat=True)
    )
    former = {
        int(family_id)
        for family_id in AuditEntry.objects.filter(
            object_type=Family._meta.label_lower, detail__member_removed__in=person_ids
        ).values_list("object_id", flat=True)
        if family_id.isdigit()
    }
    return sorted(current | former)


def _blank_snapshot(snapshot: Any) -> dict[str, Any]:
    """A frozen family plan keeps its structure (areas, statuses, dates, links, owners'
    accounts) and loses the titles of its goals and tasks and the owners' names."""
    if not isinstance(snapshot, dict):
        return {}
    goals = []
    for goal in snapshot.get("goals", []):
        if not isinstance(goal, dict):
            continue
        tasks = [
            {**task, "title": "", "owner": ""}
            for task in goal.get("tasks", [])
            if isinstance(task, dict)
        ]
        goals.append({**goal, "title": "", "tasks": tasks})
    return {**snapshot, "goals": goals}


def _erase_families(person_ids: list[int]) -> None:
    """A family with this person — or one they were taken out of — loses every text: its
    label may name them (it becomes opaque), guardianship names a carer, its shared goals
    are the family's own words, its plan's goals and tasks (current and frozen in approved
    versions) and the approval comments name its members, a family transfer's reasons tell
    about them. The structure (members, roles, areas, statuses, dates) stays for the
    others' teams."""
    family_ids = _families_of(person_ids)
    for family_id in family_ids:
        Family.objects.filter(pk=family_id).update(
            label=f"#{family_id}", guardianship="", shared_goals=""
        )
    FamilyPlan.objects.filter(family_id__in=family_ids).update(comment="")
    FamilyGoal.objects.filter(plan__family_id__in=family_ids).update(title="")
    FamilyTask.objects.filter(goal__plan__family_id__in=family_ids).update(title="")
    for version in FamilyPlanVersion.objects.filter(plan__family_id__in=family_ids).only(
        "pk", "snapshot"
    ):
        FamilyPlanVersion.objects.filter(pk=version.pk).update(
            snapshot=_blank_snapshot(version.snapshot), comment=""
        )
    FamilyPlanDecision.objects.filter(plan__family_id__in=family_ids).update(comment="")
    family_transfers = FamilyTransfer.objects.filter(family_id__in=family_ids)
    # Each member's transfer carries the family request's reason (the legal basis is the
    # member's own, erased with their case).
    Transfer.objects.filter(family_transfer__in=family_transfers).update(
        reason="", decline_reason=""
    )
    family_transfers.update(reason="", decline_reason="")
    conference_ids = list(
        FamilyConference.objects.filter(family_id__in=family_ids).values_list(
            "conference_id", flat=True
        )
    )
    Conference.objects.filter(pk__in=conference_ids).update(
        **_blank("agenda", "child_views", "family_views", "decisions", "location")
    )
    Participant.objects.filter(conference_id__in=conference_ids).update(
        **_blank("name", "organisation", "capacity")
    )


def _erase_parent_in_contacts(person_ids: list[int]) -> None:
    """A contact event lives on the child's case and names the parent in "with whom": when
    the parent is anonymised, the events on their relatives' and family members' cases
    that name them lose that text (run before the identity goes)."""
    either_side = Q(person_id__in=person_ids) | Q(relative_id__in=person_ids)
    relatives: set[int] = set()
    for a, b in Relationship.objects.filter(either_side).values_list("person_id", "relative_id"):
        relatives |= {a, b}
    family_ids = _families_of(person_ids)
    relatives |= set(
        FamilyMember.objects.filter(family_id__in=family_ids).values_list("person_id", flat=True)
    )
    relatives -= set(person_ids)
    names = Q()
    for family, given in Person.objects.filter(pk__in=person_ids).values_list(
        "family_name", "given_name"
    ):
        for name in (family, given):
            if len(name) >= 2:
                names |= Q(with_whom__icontains=name)
    if not relatives or not names:
        return
    ContactEvent.objects.filter(case__person_id__in=relatives).filter(names).update(with_whom="")


def _erase_transfers(case_ids: CaseIds) -> None:
    Transfer.objects.filter(case_id__in=case_ids).update(
        **_blank("reason", "legal_basis", "decline_reason")
    )
    PsychologicalRelease.objects.filter(case_id__in=case_ids).update(recipient="", recipient_key="")


# The cells of a group-import row that identify someone.
_IMPORT_PERSONAL = ("family_name", "given_name", "patronymic", "birth_date", "iin")


def _row_is_about(
    row: dict[str, Any], ids: set[int], iins: set[str], names: set[tuple[str, str]]
) -> bool:
    """The row names the person: their IIN, their names, or a probable match with them."""
    if row.get("iin") and row["iin"] in iins:
        return True
    name = (str(row.get("family_name", "")).casefold(), str(row.get("given_name", "")).casefold())
    if name in names:
        return True
    return any(c.get("id") in ids and c.get("probable") for c in row.get("candidates", []))


def _erase_group_imports(person_ids: list[int]) -> None:
    """A registered import that created or linked the person keeps only its result; in a
    pending one, the person's row loses its personal cells and no candidate names them.
    Either way an import with their row loses the uploaded file's name."""
    ids = set(person_ids)
    people = Person.objects.filter(pk__in=person_ids)
    iins = set(people.exclude(iin="").values_list("iin", flat=True))
    names = {
        (family.casefold(), given.casefold())
        for family, given in people.values_list("family_name", "given_name")
        if family and given
    }
    for imp in GroupImport.objects.only("pk", "status", "rows", "result").iterator():
        result = imp.result or {}
        touched = ids & set(result.get("created", []) + result.get("linked", []))
        if imp.status == GroupImportStatus.COMMITTED:
            if touched or any(_row_is_about(r, ids, iins, names) for r in imp.rows):
                GroupImport.objects.filter(pk=imp.pk).update(rows=[], file_name="")
            continue
        changed, about = False, False
        for row in imp.rows:
            if _row_is_about(row, ids, iins, names):
                row.update(dict.fromkeys(_IMPORT_PERSONAL, ""))
                row["birth_date"] = None
                changed = about = True
            for candidate in row.get("candidates", []):
                if candidate.get("id") in ids and candidate.get("label"):
                    candidate["label"] = ""
                    changed = True
        if about:  # the uploaded file's name may be theirs ("Seitova family.xlsx")
            GroupImport.objects.filter(pk=imp.pk).update(rows=imp.rows, file_name="")
        elif changed:
            GroupImport.objects.filter(pk=imp.pk).update(rows=imp.rows)


def _opaque_numbers(count: int) -> list[str]:
    """``count`` new case numbers that reveal nothing and are not in use."""
    numbers: set[str] = set()
    while len(numbers) < count:
        wanted = {f"ANON-{secrets.token_hex(5).upper()}" for _ in range(count - len(numbers))}
        taken = set(Case.objects.filter(number__in=wanted).values_list("number", flat=True))
        numbers |= wanted - taken
    return sorted(numbers)


def _clean_event_detail(detail: dict[str, Any], number: str) -> dict[str, Any]:
    kept = {k: v for k, v in detail.items() if k in _EVENT_KEYS_KEPT}
    if "number" in detail:
        kept["number"] = number
    return kept


def _renumber_notifications(renumbered: dict[str, str]) -> None:
    """Notice labels carry case numbers ("KZ-2026-000001", or several for a conference)."""
    olds = list(renumbered)
    for start in range(0, len(olds), 200):
        chunk = olds[start : start + 200]
        query = Q()
        for old in chunk:
            query |= Q(label__contains=old)
        changed = []
        for notice in Notification.objects.filter(query).only("pk", "label"):
            for old in chunk:
                notice.label = notice.label.replace(old, renumbered[old])
            changed.append(notice)
        Notification.objects.bulk_update(changed, ["label"], batch_size=500)


def _erase_cases(case_ids: CaseIds) -> None:
    cases = list(Case.objects.filter(pk__in=case_ids).only("pk", "number"))
    renumbered: dict[str, str] = {}
    new_number_of: dict[int, str] = {}
    for case, number in zip(cases, _opaque_numbers(len(cases)), strict=True):
        renumbered[case.number] = number
        new_number_of[case.pk] = number
        case.number, case.return_history, case.country_returned_from = number, "", ""
    Case.objects.bulk_update(
        cases, ["number", "return_history", "country_returned_from"], batch_size=500
    )
    _renumber_notifications(renumbered)
    events = []
    for event in CaseEvent.objects.filter(case_id__in=case_ids).only("pk", "case_id", "detail"):
        cleaned = _clean_event_detail(event.detail or {}, new_number_of[event.case_id])
        if cleaned != event.detail:
            event.detail = cleaned
            events.append(event)
    CaseEvent.objects.bulk_update(events, ["detail"], batch_size=500)
    access_services.erase_relation_texts(list(case_ids))


def _with_merged_duplicates(person_ids: Iterable[int]) -> list[int]:
    """A merged duplicate is the same person under another record: it goes too."""
    ids = set(person_ids)
    while True:
        more = set(Person.objects.filter(merged_into_id__in=ids).values_list("pk", flat=True)) - ids
        if not more:
            return sorted(ids)
        ids |= more


def _erase_identity(person_ids: list[int]) -> None:
    PersonNameKey.objects.filter(person_id__in=person_ids).delete()
    PersonName.objects.filter(person_id__in=person_ids).delete()
    IdentityDocument.objects.filter(person_id__in=person_ids).delete()
    PersonPhoto.objects.filter(person_id__in=person_ids).delete()
    people = Person.objects.filter(pk__in=person_ids)
    people.update(
        given_name="", family_name="", patronymic="", iin="", birth_place="", search_key="",
        birth_date_precision=BirthPrecision.YEAR,
    )  # fmt: skip
    # The birth year stays (1 January): one statement per year, not per person.
    years = {
        d.year
        for d in people.exclude(birth_date=None).values_list("birth_date", flat=True)
        if d is not None
    }
    for year in years:
        people.filter(birth_date__year=year).update(birth_date=date(year, 1, 1))
    either_side = Q(person_id__in=person_ids) | Q(relative_id__in=person_ids)
    Relationship.objects.filter(either_side).update(basis_reference="", note="")
    MergeRequest.objects.filter(Q(kept_id__in=person_ids) | Q(duplicate_id__in=person_ids)).update(
        reason="", decision_note=""
    )
    DuplicateDismissal.objects.filter(
        Q(person_id__in=person_ids) | Q(candidate_id__in=person_ids)
    ).update(reason="")
    _erase_households(person_ids)


def _erase_households(person_ids: list[int]) -> None:
    """A household's label ("the Seitov family") goes once nobody left in it is on file
    with their name; while a member is still followed it stays for their team."""
    from .models import Anonymisation

    gone = set(person_ids) | set(Anonymisation.objects.values_list("person_id", flat=True))
    households = Household.objects.filter(members__person_id__in=person_ids).distinct()
    for household_id in households.values_list("pk", flat=True):
        members = set(
            HouseholdMember.objects.filter(household_id=household_id).values_list(
                "person_id", flat=True
            )
        )
        if members <= gone:
            Household.objects.filter(pk=household_id).update(label="", locality="")


ERASERS: dict[str, Callable[[CaseIds], None]] = {
    RecordType.CONTACT_NOTES: erase_contact_notes,
    RecordType.ASSESSMENTS: erase_assessments,
    RecordType.INTERVIEWS: erase_interviews,
    RecordType.CONSENTS: erase_consents,
    RecordType.REFERRALS: erase_referrals,
    RecordType.CONFERENCES: erase_conferences,
    RecordType.PHOTOS: erase_photos,
    RecordType.INCIDENTS: erase_incidents,
    RecordType.JUSTICE: erase_justice,
}


def anonymise_people(person_ids: Iterable[int]) -> list[int]:
    """Everything about these people, on every one of their cases. Returns the case ids."""
    people = _with_merged_duplicates(person_ids)
    case_ids = list(Case.objects.filter(person_id__in=people).values_list("pk", flat=True))
    for erase in ERASERS.values():
        erase(case_ids)
    _erase_plans(case_ids)
    _erase_families(people)
    _erase_parent_in_contacts(people)
    _erase_transfers(case_ids)
    _erase_group_imports(people)  # before the identity: it matches rows by IIN
    _erase_cases(case_ids)
    _erase_identity(people)
    # Crypto-shredding: whatever is still encrypted under their data keys — here or in any
    # copy (a backup, a replica, a file left behind) — cannot be read any more.
    crypto.destroy_person_keys(people)
    return case_ids


def open_case_counts(person_ids: Iterable[int]) -> dict[int, int]:
    """People with a case still open (never anonymised while followed)."""
    return dict(
        Case.objects.filter(person_id__in=list(person_ids))
        .exclude(status="closed")
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
