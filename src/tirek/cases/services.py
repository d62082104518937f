"""Writes on cases: one function per use case, transactional, audited in the same
transaction. Callers have already found the case through ``tirek.access.policy``; the
services check the *right to act* (manage, write a section) themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access import selectors as access_selectors
from tirek.access import services as access_services
from tirek.accounts.models import User
from tirek.accounts.roles import CASEWORK_ROLES, REGISTERING_ROLES, Role
from tirek.audit.models import Action
from tirek.audit.services import Pending, record, record_many
from tirek.core import crypto
from tirek.core.exceptions import Conflict, Refused
from tirek.core.races import integrity_error_as
from tirek.core.versioning import update_versioned
from tirek.organisations.models import Unit

from . import attachments
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    CaseTeamMember,
    ContactNote,
    EventKind,
    NoteKind,
    RiskLevel,
)


def stale_message() -> str:
    return _(
        "Someone else changed this record since you opened it. "
        "Reload it and apply your change again."
    )


# --- numbers ------------------------------------------------------------------------------


def _next_number(at: Any) -> str:
    """ "KZ-2026-000123": country, year, a counter per country and year.

    The counter row is bumped with one UPDATE inside the caller's transaction: PostgreSQL
    holds its row lock until commit and SQLite writes one transaction at a time, so two
    cases opened at once never share a number.
    """
    prefix = f"{settings.COUNTRY_CODE.upper()}-{timezone.localtime(at).year}"
    bumped = CaseNumberSequence.objects.filter(prefix=prefix).update(last=F("last") + 1)
    if not bumped:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, last=1)
        except IntegrityError:  # someone created it just now; take the next one
            CaseNumberSequence.objects.filter(prefix=prefix).update(last=F("last") + 1)
    last = CaseNumberSequence.objects.values_list("last", flat=True).get(prefix=prefix)
    return f"{prefix}-{last:06d}"


def _event(
    case: Case, kind: str, actor: User, section: str = policy.Section.CORE, **detail: Any
) -> None:
    CaseEvent.objects.create(case=case, kind=kind, actor=actor, section=section, detail=detail)


# --- opening ------------------------------------------------------------------------------


def _check_opening(
    by: User, case_manager: User | None, supervising_unit: Unit | None, risk_level: str
) -> tuple[User, Unit]:
    """Whether ``by`` may open a case with these choices; the case manager and the
    supervising unit it will have (by default ``by`` and ``by``'s unit)."""
    if not by.has_role(*REGISTERING_ROLES) or not policy.works_on_cases(by):
        raise PermissionDenied(_("Your role does not allow opening cases."))
    if case_manager is None:
        if not by.has_role(Role.CASE_MANAGER):
            raise ValidationError({"case_manager": _("Choose the case manager.")})
        case_manager = by
    if not case_manager.is_active or not case_manager.has_role(Role.CASE_MANAGER):
        raise ValidationError(
            {"case_manager": _("The case manager must hold the case manager role.")}
        )
    supervising_unit = supervising_unit or by.unit
    if supervising_unit is None:
        raise ValidationError(
            {"supervising_unit": _("Choose the supervising unit (your account has no unit).")}
        )
    if risk_level not in RiskLevel.values:
        raise ValidationError({"risk_level": _("Choose a valid risk level.")})
    return case_manager, supervising_unit


def _opening_entries(case: Case) -> list[Pending]:
    """The two audit entries of an opened case: the case, and its case manager on the team."""
    return [
        Pending(
            Action.CREATE,
            obj=case,
            detail={
                "number": case.number,
                "person": case.person_id,
                "case_manager": case.case_manager_id,
            },
        ),
        Pending(
            Action.PERMISSION_CHANGE,
            obj=case,
            detail={"team_added": case.case_manager_id, "role": Role.CASE_MANAGER},
        ),
    ]


@transaction.atomic
def case_open(
    *,
    by: User,
    person: Any,
    case_manager: User | None = None,
    supervising_unit: Unit | None = None,
    risk_level: str = "medium",
    protected_identity: bool = True,
    request: HttpRequest | None = None,
) -> Case:
    """Open the programme case of ``person``.

    ``by`` must hold a registering role. Defaults: the case manager is ``by`` when ``by``
    is a case manager; the supervising unit is ``by``'s unit; the region is the unit's.
    The case manager joins the case team. A person has at most one open case.
    """
    case_manager, supervising_unit = _check_opening(by, case_manager, supervising_unit, risk_level)
    if Case.objects.filter(person=person).exclude(status=CaseStatus.CLOSED).exists():
        raise ValidationError({"person_id": _("This person already has an open case.")})
    now = timezone.now()
    case = Case(
        number=_next_number(now),
        person=person,
        case_manager=case_manager,
        supervising_unit=supervising_unit,
        region=supervising_unit.region,
        risk_level=risk_level,
        protected_identity=protected_identity,
        opened_at=now,
        opened_by=by,
    )
    case.full_clean()
    # The same person opened twice at once.
    with integrity_error_as(
        ValidationError({"person_id": _("This person already has an open case.")})
    ):
        case.save()
    access_services.grant_membership(
        case=case, user=case_manager, role=Role.CASE_MANAGER, by=by, at=now
    )
    _event(case, EventKind.OPENED, by, number=case.number)
    record_many(actor=by, entries=_opening_entries(case), request=request)
    return case


def _next_numbers(at: Any, count: int) -> list[str]:
    """``count`` consecutive case numbers, the counter moved once (see ``_next_number``)."""
    prefix = f"{settings.COUNTRY_CODE.upper()}-{timezone.localtime(at).year}"
    bumped = CaseNumberSequence.objects.filter(prefix=prefix).update(last=F("last") + count)
    if not bumped:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(prefix=prefix, last=count)
        except IntegrityError:  # someone created it just now; take the next ones
            CaseNumberSequence.objects.filter(prefix=prefix).update(last=F("last") + count)
    last = CaseNumberSequence.objects.values_list("last", flat=True).get(prefix=prefix)
    return [f"{prefix}-{n:06d}" for n in range(last - count + 1, last + 1)]


@transaction.atomic
def cases_open_many(
    *,
    by: User,
    people: Sequence[Any],
    risk_level: str = "medium",
    protected_identity: bool = True,
    request: HttpRequest | None = None,
) -> list[Case]:
    """Open the programme case of each of ``people`` (a group arrival), as ``case_open``
    opens one with its defaults — ``by`` the case manager, ``by``'s unit supervising —
    with the same checks, consecutive numbers, the case manager on each team, an
    "opened" event on each timeline and the same two audit entries per case, in a few
    queries for the whole group. A person with an open case refuses the whole batch."""
    unit = _check_opening(by, None, None, risk_level)[1]  # by is the case manager
    if not people:
        return []
    ids = [p.pk for p in people]
    if len(set(ids)) != len(ids) or (
        Case.objects.filter(person_id__in=ids).exclude(status=CaseStatus.CLOSED).exists()
    ):
        raise ValidationError({"person_id": _("This person already has an open case.")})
    now = timezone.now()
    built = [
        Case(
            number=number,
            person=person,
            case_manager=by,
            supervising_unit=unit,
            region_id=unit.region_id,
            risk_level=risk_level,
            protected_identity=protected_identity,
            opened_at=now,
            opened_by=by,
        )
        for number, person in zip(_next_numbers(now, len(people)), people, strict=True)
    ]
    for case in built:
        # The foreign keys are the worker, their unit and region, and people the caller
        # holds; the numbers come from the counter (unique in the database too).
        case.full_clean(
            exclude=["person", "case_manager", "supervising_unit", "region", "opened_by", "number"],
            validate_constraints=False,
        )
    # The same person opened at once elsewhere.
    with integrity_error_as(
        ValidationError({"person_id": _("This person already has an open case.")})
    ):
        cases = Case.objects.bulk_create(built, batch_size=500)
    access_services.grant_case_manager_of_new_cases(cases, user=by, at=now)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind=EventKind.OPENED,
                actor=by,
                section=policy.Section.CORE,
                detail={"number": case.number},
            )
            for case in cases
        ],
        batch_size=500,
    )
    record_many(
        actor=by,
        entries=[entry for case in cases for entry in _opening_entries(case)],
        request=request,
    )
    return cases


# --- editing ------------------------------------------------------------------------------

# Field → the section one must be able to see to change it.
EDITABLE_FIELDS: dict[str, str] = {
    "status": policy.Section.CORE,
    "phase": policy.Section.CORE,
    "risk_level": policy.Section.PLAN,
    "protected_identity": policy.Section.CORE,
    "country_returned_from": policy.Section.RETURN_HISTORY,
    "return_date": policy.Section.RETURN_HISTORY,
    "return_history": policy.Section.RETURN_HISTORY,
}


@transaction.atomic
def case_update(
    *,
    by: User,
    case: Case,
    version: int,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> Case:
    """Change case fields. ``version`` is the one the user read: if someone saved since,
    nothing changes and ``Conflict`` is raised (409 / a message in the form)."""
    if not policy.can_manage(by, case):
        raise PermissionDenied(_("Only the case manager or the supervisor may change the case."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    for field in changes:
        if not policy.can_write(by, case, EDITABLE_FIELDS[field]):
            raise ValidationError({field: _("You may not change this field.")})
    old = {field: getattr(case, field) for field in changes}
    for field, value in changes.items():
        setattr(case, field, value)
    new_status = changes.get("status", old.get("status"))
    if "status" in changes and new_status != old["status"]:
        _check_status_change(case, old["status"], changes["status"])
        case.closed_at = timezone.now() if new_status == CaseStatus.CLOSED else None
    case.full_clean()
    changed = {f: v for f, v in changes.items() if old[f] != v}
    update_fields = dict(changes)
    if "status" in changes:
        update_fields["closed_at"] = case.closed_at
    with integrity_error_as(
        ValidationError({"status": _("This person already has an open case.")})
    ):
        update_versioned(
            Case, case.pk, version, stale_message(), **update_fields, updated_at=timezone.now()
        )
    case.version = version + 1
    _record_changes(by, case, old, changed, request)
    return case


def _check_status_change(case: Case, old: str, new: str) -> None:
    if new in (CaseStatus.CLOSED, CaseStatus.REOPENED):
        # Closing needs the criteria checklist, a supervisor's approval and the follow-up
        # schedule; reopening cancels pending follow-ups: both live in the plans app.
        raise ValidationError(
            {
                "status": _(
                    "Close or reopen a case on its closure page (checklist and supervisor approval)."
                )
            }
        )
    if new == CaseStatus.REGISTERED and old != CaseStatus.REGISTERED:
        raise ValidationError({"status": _("A case cannot go back to registered.")})
    if new == CaseStatus.REOPENED and old != CaseStatus.CLOSED:
        raise ValidationError({"status": _("Only a closed case can be reopened.")})
    if old == CaseStatus.CLOSED and new not in (CaseStatus.REOPENED, CaseStatus.CLOSED):
        raise ValidationError({"status": _("A closed case must be reopened first.")})
    if new == CaseStatus.TRANSFERRED:
        raise ValidationError({"status": _("Use the transfer form to transfer a case.")})
    if (
        old == CaseStatus.CLOSED
        and new == CaseStatus.REOPENED
        and (
            Case.objects.filter(person=case.person_id)
            .exclude(pk=case.pk)
            .exclude(status=CaseStatus.CLOSED)
            .exists()
        )
    ):
        raise ValidationError({"status": _("This person already has an open case.")})


def _record_changes(
    by: User, case: Case, old: dict[str, Any], changed: dict[str, Any], request: HttpRequest | None
) -> None:
    if not changed:
        return
    for field, value in changed.items():
        if field == "status":
            _event(case, EventKind.STATUS, by, old=old[field], new=value)
        elif field == "phase":
            _event(case, EventKind.PHASE, by, old=old[field], new=value)
        elif field == "risk_level":
            _event(case, EventKind.UPDATED, by, policy.Section.PLAN, fields=["risk_level"])
    other = [f for f in changed if f not in ("status", "phase", "risk_level")]
    if other:
        section = (
            policy.Section.RETURN_HISTORY
            if any(EDITABLE_FIELDS[f] == policy.Section.RETURN_HISTORY for f in other)
            else policy.Section.CORE
        )
        _event(case, EventKind.UPDATED, by, section, fields=sorted(other))
    # Never the encrypted narrative in the audit log: only which fields changed.
    record(
        actor=by,
        action=Action.UPDATE,
        obj=case,
        request=request,
        detail={
            "fields": sorted(changed),
            **{
                f: str(v)
                for f, v in changed.items()
                if f in ("status", "phase", "risk_level", "protected_identity")
            },
        },
    )


# --- team ---------------------------------------------------------------------------------


@transaction.atomic
def team_member_add(
    *,
    by: User,
    case: Case,
    user: User,
    role: str,
    sections: list[str] | None = None,
    legal_basis: str = "",
    request: HttpRequest | None = None,
) -> CaseTeamMember:
    """Put a professional of any agency on the case team in ``role`` (a role they hold)."""
    if not policy.can_manage(by, case):
        raise PermissionDenied(_("Only the case manager or the supervisor may change the team."))
    if role not in CASEWORK_ROLES:
        raise ValidationError({"role": _("This role does not work on cases.")})
    if not user.is_active or not user.has_role(role) or user.has_role(Role.ADMIN):
        raise ValidationError({"role": _("This person does not hold that role.")})
    if not policy.fits_case(role, case):
        raise ValidationError({"role": _("This role works only on adults' cases.")})
    sections = sorted(set(sections or []))
    if any(s not in policy.Section.ALL for s in sections):
        raise ValidationError({"sections": _("Unknown section.")})
    if access_selectors.has_membership(case, user, [role]):
        raise ValidationError({"user_id": _("This person is already on the team in that role.")})
    member = access_services.grant_membership(
        case=case, user=user, role=role, by=by, sections=sections, legal_basis=legal_basis
    )
    _event(
        case,
        EventKind.TEAM_ADDED,
        by,
        member=user.pk,
        name=user.get_full_name() or user.username,
        role=role,
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        request=request,
        detail={"team_added": user.pk, "role": role, "sections": sections},
    )
    return member


@transaction.atomic
def team_member_remove(
    *, by: User, case: Case, member: CaseTeamMember, request: HttpRequest | None = None
) -> None:
    if not policy.can_manage(by, case):
        raise PermissionDenied(_("Only the case manager or the supervisor may change the team."))
    if member.case_id != case.pk or member.removed_at is not None:
        raise ValidationError({"member_id": _("No such team member.")})
    if member.role == Role.CASE_MANAGER and member.user_id == case.case_manager_id:
        raise Refused(_("The lead case manager stays on the team; transfer the case instead."))
    if not access_services.release_membership(member, by=by):
        raise Conflict(stale_message())
    _event(
        case,
        EventKind.TEAM_REMOVED,
        by,
        member=member.user_id,
        name=member.user.get_full_name() or member.user.username,
        role=member.role,
    )
    record(
        actor=by,
        action=Action.PERMISSION_CHANGE,
        obj=case,
        request=request,
        detail={"team_removed": member.user_id, "role": member.role},
    )


# --- contact notes and attachments --------------------------------------------------------

# What a role writes by default: a psychologist's session is psychological, a social
# worker's home visit is social work, and so on.
DEFAULT_NOTE_SECTION: dict[str, str] = {
    Role.PSYCHOLOGIST: policy.Section.PSYCHOLOGICAL,
    Role.SOCIAL_WORKER: policy.Section.SOCIAL,
    Role.CASE_MANAGER: policy.Section.SOCIAL,
    Role.SUPERVISOR: policy.Section.SOCIAL,
    Role.LAWYER: policy.Section.LEGAL,
    Role.SCHOOL_LIAISON: policy.Section.EDUCATION,
    Role.HEALTH_WORKER: policy.Section.HEALTH,
    Role.INTERVIEWER: policy.Section.SECURITY,
    Role.RELIGIOUS_COUNSELLOR: policy.Section.COUNSELLING,
}
# Notes never go in the core section: everyone on the team, school included, reads it.
NOTE_SECTIONS = [s for s in policy.Section.LABELS if s != policy.Section.CORE]


def note_sections_for(user: User, case: Case) -> list[str]:
    """The sections this user may file a note under on this case."""
    writable = policy.sections_for(user, case, include_emergency=False)
    return [s for s in NOTE_SECTIONS if s in writable]


def default_note_section(user: User, case: Case) -> str | None:
    allowed = note_sections_for(user, case)
    for membership in policy.team_roles(user, case):
        preferred = DEFAULT_NOTE_SECTION.get(membership.role)
        if preferred in allowed:
            return preferred
    preferred = DEFAULT_NOTE_SECTION.get(Role.SUPERVISOR)
    if policy.is_supervisor_of(user, case) and preferred in allowed:
        return preferred
    return allowed[0] if allowed else None


def _check_contact_date(day: date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date of contact cannot be in the future.")})
    if day.year < 2000:
        raise ValidationError({"occurred_on": _("Check the date of contact.")})


@transaction.atomic
def note_create(
    *,
    by: User,
    case: Case,
    kind: str,
    section: str,
    occurred_on: date,
    narrative: str,
    files: list[tuple[str, bytes]] | None = None,
    third_party: bool = False,
    request: HttpRequest | None = None,
) -> ContactNote:
    """File a contact note under a section the author may write; ``files`` are
    (name, content) pairs, checked and stored encrypted."""
    if section not in note_sections_for(by, case):
        raise ValidationError({"section": _("You may not file notes under this section.")})
    if kind not in NoteKind.values:
        raise ValidationError({"kind": _("Choose the kind of contact.")})
    _check_contact_date(occurred_on)
    note = ContactNote(
        case=case,
        kind=kind,
        section=section,
        occurred_on=occurred_on,
        narrative=(narrative or "").strip(),
        third_party=bool(third_party),
        author=by,
    )
    note.full_clean()
    note.save()
    for name, data in files or []:
        _attach(by=by, note=note, name=name, data=data, request=request)
    # The narrative stays out of the audit log: it is encrypted for a reason.
    record(
        actor=by,
        action=Action.CREATE,
        obj=note,
        request=request,
        detail={
            "case": case.pk,
            "section": section,
            "kind": kind,
            "files": len(files or []),
            "third_party": note.third_party,
        },
    )
    return note


@transaction.atomic
def note_update(
    *,
    by: User,
    note: ContactNote,
    version: int,
    narrative: str,
    occurred_on: date | None = None,
    third_party: bool | None = None,
    request: HttpRequest | None = None,
) -> ContactNote:
    """Only the author corrects a note, and never over someone else's newer save."""
    if note.author_id != by.pk or note.section not in note_sections_for(by, note.case):
        raise PermissionDenied(_("Only the author may correct a note."))
    note.narrative = (narrative or "").strip()
    if occurred_on is not None:
        _check_contact_date(occurred_on)
        note.occurred_on = occurred_on
    marked = note.third_party
    if third_party is not None:
        note.third_party = bool(third_party)
    note.full_clean()
    update_versioned(
        ContactNote,
        note.pk,
        version,
        stale_message(),
        narrative=crypto.for_person(note.narrative, note.case.person_id),
        occurred_on=note.occurred_on,
        third_party=note.third_party,
        updated_at=timezone.now(),
    )
    note.version = version + 1
    detail: dict[str, Any] = {"case": note.case_id}
    if note.third_party != marked:
        detail["third_party"] = note.third_party
    record(actor=by, action=Action.UPDATE, obj=note, request=request, detail=detail)
    return note


def _attach(
    *, by: User, note: ContactNote, name: str, data: bytes, request: HttpRequest | None
) -> Attachment:
    attachments.check_size(len(data))
    content_type, extension = attachments.sniff(data)
    stored = attachments.write(data, person_id=note.case.person_id)
    attachment = Attachment(
        note=note,
        original_name=attachments.safe_name(name, extension),
        content_type=content_type,
        size=len(data),
        stored_name=stored,
        uploaded_by=by,
    )
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        # A later rollback of the whole transaction can still leave an orphan file; it is
        # encrypted and unreferenced, so it reveals nothing.
        attachments.delete(stored)
        raise
    record(
        actor=by,
        action=Action.CREATE,
        obj=attachment,
        request=request,
        detail={"case": note.case_id, "note": note.pk, "type": content_type, "size": len(data)},
    )
    return attachment


@transaction.atomic
def attachment_add(
    *,
    by: User,
    note: ContactNote,
    name: str,
    data: bytes,
    request: HttpRequest | None = None,
) -> Attachment:
    if note.section not in note_sections_for(by, note.case):
        raise PermissionDenied(_("You may not add files to this note."))
    return _attach(by=by, note=note, name=name, data=data, request=request)
