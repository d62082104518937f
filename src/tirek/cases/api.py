"""/api/v1/cases: the same policy as the screens; a case the caller may not see is a 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tirek.access import policy
from tirek.access import selectors as access
from tirek.accounts.models import User
from tirek.audit.models import Action
from tirek.audit.services import record_list
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import clamp_limit
from tirek.core.patching import patch_changes
from tirek.core.validation import BoundedDate, CleanStr, RecordId
from tirek.organisations.models import Unit

from . import selectors, services
from .models import Case, CaseTeamMember, ContactNote, NoteKind

router = Router(tags=["cases"])


StatusName = Literal["registered", "active", "closed", "reopened", "transferred"]
PhaseName = Literal["rehabilitation", "reintegration", "monitoring"]
Risk = Literal["low", "medium", "high"]


# --- schemas ------------------------------------------------------------------------------


class CaseListItem(Schema):
    id: int
    number: str
    initials: str
    version: int
    status: str
    phase: str
    risk_level: str | None = Field(None, description="null when the caller may not see it")
    region: str
    opened_at: datetime


class Page(Schema):
    limit: int = Field(20, description="1..100; larger values are clamped, smaller raised to 1")
    offset: int = Field(0, ge=0, le=1_000_000_000)


class CaseQuery(Page):
    q: CleanStr = Field("", max_length=100, description="case number or name")
    status: StatusName | None = None
    phase: PhaseName | None = None
    risk_level: Risk | None = None
    region: CleanStr = Field("", max_length=64, description="region code, with its districts")
    scope: Literal["", "mine", "unit"] = ""


class CaseListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseListItem]


class PersonRef(Schema):
    id: int
    given_name: str
    family_name: str
    patronymic: str
    birth_date: date | None
    initials: str


class StaffRef(Schema):
    id: int
    name: str


class ReturnHistory(Schema):
    country_returned_from: str
    return_date: BoundedDate | None
    return_history: str


class CaseOut(Schema):
    id: int
    number: str
    version: int
    status: str
    phase: str
    risk_level: str | None
    person_id: int
    person: PersonRef
    case_manager: StaffRef
    supervising_unit: StaffRef
    region: str
    protected_identity: bool
    opened_at: datetime
    closed_at: datetime | None
    sections: list[str]
    return_history: ReturnHistory | None


class CaseIn(Schema):
    person_id: RecordId
    case_manager_id: RecordId | None = None
    supervising_unit_id: RecordId | None = None
    risk_level: Risk = "medium"
    protected_identity: bool = True


class CasePatch(Schema):
    version: int = Field(..., ge=1)
    status: StatusName | None = None
    phase: PhaseName | None = None
    risk_level: Risk | None = None
    protected_identity: bool | None = None
    country_returned_from: CleanStr | None = Field(None, max_length=100)
    return_date: BoundedDate | None = None
    return_history: CleanStr | None = Field(None, max_length=20000)


class TeamMemberOut(Schema):
    id: int
    user_id: int
    name: str
    role: str
    agency: str | None
    added_at: datetime


class TeamMemberIn(Schema):
    user_id: RecordId
    role: Literal[
        "case-manager",
        "psychologist",
        "social-worker",
        "lawyer",
        "school-liaison",
        "health-worker",
        "interviewer",
        "religious-counsellor",
        "supervisor",
    ]
    sections: list[Literal[tuple(sorted(policy.Section.ALL))]] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=20
    )
    legal_basis: CleanStr = Field("", max_length=300)


class NoteOut(Schema):
    id: int
    kind: str
    section: str
    occurred_on: date
    narrative: str
    third_party: bool
    author: StaffRef
    version: int
    attachments: list[dict[str, Any]]


class NoteListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoteOut]


class NoteIn(Schema):
    kind: Literal[tuple(NoteKind.values)]  # type: ignore[valid-type]
    section: Literal[tuple(sorted(policy.Section.ALL))]  # type: ignore[valid-type]
    occurred_on: BoundedDate
    narrative: CleanStr = Field(..., min_length=1, max_length=20000)
    # The note tells about other people: withheld from a subject-access report.
    third_party: bool = False


class EmergencyIn(Schema):
    justification: CleanStr = Field(..., min_length=1, max_length=2000)


class EmergencyOut(Schema):
    id: int
    case_id: int
    granted_at: datetime
    expires_at: datetime


# --- serialisers --------------------------------------------------------------------------


def _staff(user: User) -> StaffRef:
    return StaffRef(id=user.pk, name=user.get_full_name() or user.username)


def _case_out(user: User, case: Case) -> CaseOut:
    sections = policy.sections_for(user, case)
    person = case.person
    return CaseOut(
        id=case.pk,
        number=case.number,
        version=case.version,
        status=case.status,
        phase=case.phase,
        risk_level=case.risk_level if policy.Section.PLAN in sections else None,
        person_id=person.pk,
        person=PersonRef(
            id=person.pk,
            given_name=person.given_name,
            family_name=person.family_name,
            patronymic=person.patronymic,
            birth_date=person.birth_date,
            initials=person.initials,
        ),
        case_manager=_staff(case.case_manager),
        supervising_unit=StaffRef(id=case.supervising_unit_id, name=case.supervising_unit.name),
        region=case.region.code,
        protected_identity=case.protected_identity,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        sections=sorted(sections),
        return_history=(
            ReturnHistory(
                country_returned_from=case.country_returned_from,
                return_date=case.return_date,
                return_history=case.return_history,
            )
            if policy.Section.RETURN_HISTORY in sections
            else None
        ),
    )


def _note_out(note: ContactNote) -> NoteOut:
    return NoteOut(
        id=note.pk,
        kind=note.kind,
        section=note.section,
        occurred_on=note.occurred_on,
        narrative=note.narrative,
        third_party=note.third_party,
        author=_staff(note.author),
        version=note.version,
        attachments=[
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in note.attachments.all()
        ],
    )


# --- cases --------------------------------------------------------------------------------


@router.get("", response=CaseListOut)
def list_cases(request: AuthenticatedHttpRequest, filters: Query[CaseQuery]) -> CaseListOut:
    limit, offset = clamp_limit(filters.limit), filters.offset
    f = filters
    cases = selectors.case_list(
        request.user,
        selectors.CaseFilters(
            q=f.q,
            status=f.status or "",
            phase=f.phase or "",
            risk_level=f.risk_level or "",
            region=f.region,
            scope=f.scope,
        ),
    )
    page = list(cases[offset : offset + limit])
    sections = policy.sections_for_many(request.user, page)
    record_list(
        actor=request.user, object_type="cases.case", rows=page, request=request,
        kind="name_search" if f.q else "list", action=Action.SEARCH if f.q else Action.READ,
    )  # fmt: skip
    return CaseListOut(
        count=cases.count(),
        limit=limit,
        offset=offset,
        items=[
            CaseListItem(
                id=c.pk,
                number=c.number,
                initials=c.person.initials,
                version=c.version,
                status=c.status,
                phase=c.phase,
                risk_level=c.risk_level if policy.Section.PLAN in sections[c.pk] else None,
                region=c.region.code,
                opened_at=c.opened_at,
            )
            for c in page
        ],
    )


@router.post("", response={201: CaseOut})
def open_case(request: AuthenticatedHttpRequest, payload: CaseIn) -> Status[Any]:
    user = request.user
    people = policy.visible_persons(user)
    if any(f.name == "merged_into" for f in people.model._meta.fields):
        people = people.filter(merged_into__isnull=True)  # a merged duplicate lives on elsewhere
    person = people.filter(pk=payload.person_id).first()
    if person is None:
        raise Http404
    case_manager = None
    if payload.case_manager_id is not None:
        case_manager = User.objects.filter(pk=payload.case_manager_id, is_active=True).first()
        if case_manager is None:
            raise ValidationError({"case_manager_id": _("No such staff member.")})
    unit = None
    if payload.supervising_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.supervising_unit_id).first()
        if unit is None:
            raise ValidationError({"supervising_unit_id": _("No such unit.")})
    case = services.case_open(
        by=user,
        person=person,
        case_manager=case_manager,
        supervising_unit=unit,
        risk_level=payload.risk_level,
        protected_identity=payload.protected_identity,
        request=request,
    )
    case = policy.get_case(user, case.pk, request=request, audit=False)
    return Status(201, _case_out(user, case))


@router.get("/{int:case_id}", response=CaseOut)
def read_case(request: AuthenticatedHttpRequest, case_id: int) -> CaseOut:
    case = policy.get_case(request.user, case_id, request=request)
    return _case_out(request.user, case)


@router.patch("/{int:case_id}", response=CaseOut)
def update_case(request: AuthenticatedHttpRequest, case_id: int, payload: CasePatch) -> CaseOut:
    case = policy.get_case(request.user, case_id, request=request)
    changes = patch_changes(payload, Case)  # the PATCH rule: null clears or is refused
    version = changes.pop("version")
    services.case_update(
        by=request.user,
        case=case,
        version=version,
        changes=changes,
        request=request,
    )
    case = policy.get_case(request.user, case_id, request=request, audit=False)
    return _case_out(request.user, case)


# --- team ---------------------------------------------------------------------------------


def _member_out(m: CaseTeamMember) -> TeamMemberOut:
    return TeamMemberOut(
        id=m.pk,
        user_id=m.user_id,
        name=m.user.get_full_name() or m.user.username,
        role=m.role,
        agency=m.user.agency.name if m.user.agency else None,
        added_at=m.added_at,
    )


@router.get("/{int:case_id}/team", response=list[TeamMemberOut])
def list_team(request: AuthenticatedHttpRequest, case_id: int) -> list[TeamMemberOut]:
    case = policy.get_case(request.user, case_id, request=request)
    members = policy.visible_team(request.user, case, selectors.team_of(case))
    return [_member_out(m) for m in members]


@router.post("/{int:case_id}/team", response={201: TeamMemberOut})
def add_team_member(
    request: AuthenticatedHttpRequest, case_id: int, payload: TeamMemberIn
) -> Status[Any]:
    case = policy.get_case(request.user, case_id, request=request)
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise ValidationError({"user_id": _("No such staff member.")})
    member = services.team_member_add(
        by=request.user,
        case=case,
        user=user,
        role=payload.role,
        sections=list(payload.sections),
        legal_basis=payload.legal_basis,
        request=request,
    )
    return Status(201, _member_out(member))


@router.delete("/{int:case_id}/team/{int:member_id}", response={204: None})
def remove_team_member(
    request: AuthenticatedHttpRequest, case_id: int, member_id: int
) -> Status[Any]:
    case = policy.get_case(request.user, case_id, request=request)
    try:
        member = access.membership(case, member_id)
    except CaseTeamMember.DoesNotExist as exc:
        raise Http404 from exc
    services.team_member_remove(
        by=request.user,
        case=case,
        member=member,
        request=request,
    )
    return Status(204, None)


# --- notes --------------------------------------------------------------------------------


@router.get("/{int:case_id}/notes", response=NoteListOut)
def list_notes(request: AuthenticatedHttpRequest, case_id: int, page: Query[Page]) -> NoteListOut:
    case = policy.get_case(request.user, case_id, request=request)
    limit, offset = clamp_limit(page.limit), page.offset
    notes = selectors.notes_for(request.user, case)
    return NoteListOut(
        count=notes.count(),
        limit=limit,
        offset=offset,
        items=[_note_out(n) for n in notes[offset : offset + limit]],
    )


@router.post("/{int:case_id}/notes", response={201: NoteOut})
def create_note(request: AuthenticatedHttpRequest, case_id: int, payload: NoteIn) -> Status[Any]:
    case = policy.get_case(request.user, case_id, request=request)
    note = services.note_create(
        by=request.user,
        case=case,
        kind=payload.kind,
        section=payload.section,
        occurred_on=payload.occurred_on,
        narrative=payload.narrative,
        third_party=payload.third_party,
        request=request,
    )
    return Status(201, _note_out(note))


# --- emergency access ---------------------------------------------------------------------


@router.post("/{int:case_id}/emergency-access", response={201: EmergencyOut})
def emergency_access(
    request: AuthenticatedHttpRequest, case_id: int, payload: EmergencyIn
) -> Status[Any]:
    from tirek.privacy.services import emergency_access_open

    access = emergency_access_open(
        by=request.user,
        case_id=case_id,
        justification=payload.justification,
        request=request,
    )
    return Status(
        201,
        EmergencyOut(
            id=access.pk,
            case_id=access.case_id,
            granted_at=access.granted_at,
            expires_at=access.expires_at,
        ),
    )
