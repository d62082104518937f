"""/api/v1/persons: people, name search, the duplicate check and family links."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tirek.access.policy import Section
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest
from tirek.core.paging import clamp
from tirek.core.patching import patch_changes
from tirek.core.problems import problem_response
from tirek.core.validation import BoundedDate, CleanStr, RecordId

from . import matching, selectors, services
from .models import IdentityDocument, Person, PersonName

if TYPE_CHECKING:
    from tirek.accounts.models import User

router = Router(tags=["persons"])

SexIn = Literal["female", "male", "unknown"]
PrecisionIn = Literal["day", "month", "year"]
CitizenshipIn = Literal["citizen", "pending", "stateless", "foreign", "unknown"]
NameKindIn = Literal["given", "family", "patronymic", "full", "alias"]
RelationshipIn = Literal[
    "mother", "father", "sibling", "grandparent", "other_relative", "legal_guardian", "foster_carer"
]
LegalBasisIn = Literal[
    "", "court_decision", "guardianship_authority", "foster_agreement", "temporary", "other"
]
DocumentIn = Literal[
    "birth_certificate",
    "id_card",
    "passport",
    "foreign_passport",
    "return_certificate",
    "residence_permit",
    "stateless_certificate",
    "foreign_birth_record",
    "other",
]


# --- schemas --------------------------------------------------------------------------------


class NameIn(Schema):
    kind: NameKindIn
    value: CleanStr = Field(..., min_length=1, max_length=200)


class PersonIn(Schema):
    given_name: CleanStr = Field(..., min_length=1, max_length=100)
    family_name: CleanStr = Field(..., min_length=1, max_length=100)
    patronymic: CleanStr = Field("", max_length=100)
    birth_date: BoundedDate | None = None
    birth_date_precision: PrecisionIn = "day"
    birth_date_estimated: bool = False
    sex: SexIn = "unknown"
    iin: CleanStr = Field("", max_length=12)
    birth_place: CleanStr = Field("", max_length=200)
    birth_country: CleanStr = Field("", max_length=2)
    citizenship: CleanStr = Field("", max_length=2)
    citizenship_status: CitizenshipIn = "unknown"
    no_documents: bool = False
    languages: list[CleanStr] = Field(default_factory=list, max_length=20)
    other_names: list[NameIn] = Field(default_factory=list, max_length=30)
    not_duplicate_of: list[RecordId] = Field(
        default_factory=list,
        max_length=20,
        description="Every candidate at 0.8 or above (see /persons/duplicates) that this "
        "person is not; without them such a candidate is answered 409.",
    )
    not_duplicate_reason: CleanStr = Field(
        "", max_length=500, description="Why this is a different person (with not_duplicate_of)."
    )


class PersonPatch(Schema):
    version: int = Field(..., ge=1, le=2**31)
    given_name: CleanStr | None = Field(None, min_length=1, max_length=100)
    family_name: CleanStr | None = Field(None, min_length=1, max_length=100)
    patronymic: CleanStr | None = Field(None, max_length=100)
    birth_date: BoundedDate | None = None
    birth_date_precision: PrecisionIn | None = None
    birth_date_estimated: bool | None = None
    sex: SexIn | None = None
    iin: CleanStr | None = Field(None, max_length=12)
    birth_place: CleanStr | None = Field(None, max_length=200)
    birth_country: CleanStr | None = Field(None, max_length=2)
    citizenship: CleanStr | None = Field(None, max_length=2)
    citizenship_status: CitizenshipIn | None = None
    no_documents: bool | None = None
    languages: list[CleanStr] | None = Field(None, max_length=20)


class NameOut(Schema):
    id: int
    kind: str
    value: str
    script: str


class DocumentOut(Schema):
    id: int
    doc_type: str
    number: str
    issuer: str
    country: str
    issued_on: date | None
    expires_on: date | None


class PersonOut(Schema):
    id: int
    version: int
    given_name: str
    family_name: str
    patronymic: str
    full_name: str
    initials: str
    sex: str
    birth_date: date | None
    birth_date_precision: str
    birth_date_estimated: bool
    birth_year: int | None
    languages: list[str]
    other_names: list[NameOut]
    has_photo: bool
    registered_by_unit: str | None
    created_at: datetime
    sections: list[str] = Field(..., description="The parts of the record shown to the caller.")
    birth_place: str | None = None
    birth_country: str | None = None
    iin: str | None = None
    citizenship: str | None = None
    citizenship_status: str | None = None
    no_documents: bool | None = None
    documents: list[DocumentOut] | None = None


class PersonListItem(Schema):
    id: int
    initials: str
    birth_year: int | None


class PersonList(Schema):
    items: list[PersonListItem]
    count: int = Field(..., description="matches, counted up to 200")
    count_capped: bool = Field(..., description="true when there are more than 200")
    limit: int
    offset: int


class ListQuery(Schema):
    q: str = Field("", max_length=200)
    limit: int = 20
    offset: int = 0


class DuplicateIn(Schema):
    given_name: CleanStr = Field(..., min_length=1, max_length=100)
    family_name: CleanStr = Field(..., min_length=1, max_length=100)
    patronymic: CleanStr | None = Field(None, max_length=100)
    birth_date: BoundedDate | None = None
    birth_date_precision: PrecisionIn = "day"
    birth_date_estimated: bool = False
    sex: SexIn | None = None
    iin: CleanStr | None = Field(None, max_length=12)


class ReasonOut(Schema):
    code: str
    text: str


class CandidateOut(Schema):
    person_id: int
    score: float
    probable: bool = Field(..., description="score ≥ 0.8: probably the same person")
    visible: bool = Field(..., description="whether the caller may open this record")
    reasons: list[ReasonOut]
    unit: str | None = Field(None, description="the unit that holds the record")
    initials: str | None = None
    birth_year: int | None = None


class DuplicatesOut(Schema):
    candidates: list[CandidateOut]


class RelationshipCreate(Schema):
    relative_id: int = Field(..., ge=1, le=2**63 - 1)
    kind: RelationshipIn
    legal_basis: LegalBasisIn = ""
    basis_reference: CleanStr = Field("", max_length=200)
    start_date: BoundedDate | None = None
    end_date: BoundedDate | None = None
    note: CleanStr = Field("", max_length=300)


class RelationshipOut(Schema):
    id: int
    kind: str
    label: str
    inverse: bool
    relative_id: int | None = Field(None, description="only when the caller may open the relative")
    relative_name: str
    relative_birth_year: int | None
    legal_basis: str
    start_date: date | None
    end_date: date | None
    has_case: bool
    case_ids: list[int] = Field(..., description="the relative's cases the caller may open")
    case_held_by_other_team: bool


class DocumentCreate(Schema):
    doc_type: DocumentIn
    number: CleanStr = Field("", max_length=64)
    issuer: CleanStr = Field("", max_length=200)
    country: CleanStr = Field("", max_length=2)
    issued_on: BoundedDate | None = None
    expires_on: BoundedDate | None = None


# --- helpers --------------------------------------------------------------------------------


def _person_out(user: User, person: Person) -> PersonOut:
    sections = selectors.person_sections(user, person)
    out = PersonOut(
        id=person.pk,
        version=person.version,
        given_name=person.given_name,
        family_name=person.family_name,
        patronymic=person.patronymic,
        full_name=person.full_name,
        initials=person.initials,
        sex=person.sex,
        birth_date=person.birth_date,
        birth_date_precision=person.birth_date_precision,
        birth_date_estimated=person.birth_date_estimated,
        birth_year=person.birth_year,
        languages=list(person.languages or []),
        other_names=[
            NameOut(id=n.pk, kind=n.kind, value=n.value, script=n.script)
            for n in PersonName.objects.filter(person=person)
        ],
        has_photo=hasattr(person, "photo") and person.photo is not None,
        registered_by_unit=person.registered_by_unit.name if person.registered_by_unit else None,
        created_at=person.created_at,
        sections=sorted(sections),
    )
    if Section.RETURN_HISTORY in sections:
        out.birth_place = person.birth_place
        out.birth_country = person.birth_country
    if Section.LEGAL in sections:
        out.iin = person.iin
        out.citizenship = person.citizenship
        out.citizenship_status = person.citizenship_status
        out.no_documents = person.no_documents
        out.documents = [
            DocumentOut.model_validate(d, from_attributes=True)
            for d in IdentityDocument.objects.filter(person=person)
        ]
    return out


def _identity(payload: DuplicateIn) -> matching.Identity:
    return matching.Identity(
        given=(payload.given_name,),
        family=(payload.family_name,),
        patronymic=(payload.patronymic,) if payload.patronymic else (),
        birth=matching.Birth(
            payload.birth_date, payload.birth_date_precision, payload.birth_date_estimated
        ),
        sex="" if payload.sex in (None, "unknown") else payload.sex,
        iin=payload.iin or "",
    )


def candidate_out(candidate: selectors.Candidate) -> CandidateOut:
    person = candidate.person
    unit = selectors.unit_label(person.registered_by_unit) or None
    if not candidate.visible:
        # Enough to avoid a second record (score, whom to ask) and nothing more.
        return CandidateOut(
            person_id=person.pk,
            score=candidate.score,
            probable=candidate.probable,
            visible=False,
            reasons=[
                ReasonOut(
                    code="held_by_other_unit", text=selectors.reason_text("held_by_other_unit")
                )
            ],
            unit=unit,
        )
    return CandidateOut(
        person_id=person.pk,
        score=candidate.score,
        probable=candidate.probable,
        visible=True,
        reasons=[ReasonOut(code=c, text=selectors.reason_text(c)) for c in candidate.reasons],
        unit=unit,
        initials=person.initials,
        birth_year=person.birth_year,
    )


# --- endpoints ------------------------------------------------------------------------------


@router.post("/duplicates", response=DuplicatesOut)
def duplicates(request: AuthenticatedHttpRequest, payload: DuplicateIn) -> DuplicatesOut:
    """Who on file may be this person, best first (score ≥ 0.5; ≥ 0.8 probably the same).
    Records the caller may not open come with their score and unit only."""
    found = selectors.duplicate_check(request.user, _identity(payload), request=request)
    return DuplicatesOut(candidates=[candidate_out(c) for c in found])


@router.get("", response=PersonList)
def person_list(request: AuthenticatedHttpRequest, filters: Query[ListQuery]) -> PersonList:
    """People the caller may open; ``q`` searches every spelling in any script. Items show
    initials and year of birth only."""
    limit, offset = clamp(filters.limit, filters.offset)
    people = selectors.search_people(request.user, filters.q)
    page = list(
        people.only("pk", "given_name", "family_name", "birth_date")[offset : offset + limit]
    )
    if (page and len(page) < limit) or (not page and offset == 0):
        count, capped = offset + len(page), False  # the last page: no need to count
    else:
        count, capped = selectors.capped_count(people)
    if filters.q:
        record(
            actor=request.user,
            action=Action.SEARCH,
            object_type="people.person",
            request=request,
            detail={"kind": "name_search", "results": count},
        )
    return PersonList(
        items=[PersonListItem(id=p.pk, initials=p.initials, birth_year=p.birth_year) for p in page],
        count=count,
        count_capped=capped,
        limit=limit,
        offset=offset,
    )


@router.post("", response={201: PersonOut})
def person_create(
    request: AuthenticatedHttpRequest, payload: PersonIn
) -> Status[Any] | HttpResponse:
    """Register a person. As on the registration screen, a candidate at 0.8 or above is
    refused with 409 (problem details carrying ``candidates``, as the duplicate check
    shows them) unless ``not_duplicate_of`` names every such candidate and
    ``not_duplicate_reason`` says why; the decision is recorded. An IIN already on file
    is refused (422)."""
    identity = matching.Identity(
        given=(payload.given_name,),
        family=(payload.family_name,),
        patronymic=(payload.patronymic,) if payload.patronymic else (),
        full=tuple(n.value for n in payload.other_names),
        birth=matching.Birth(
            payload.birth_date, payload.birth_date_precision, payload.birth_date_estimated
        ),
        sex="" if payload.sex == "unknown" else payload.sex,
        iin=payload.iin,
    )
    try:
        person = services.person_register(
            by=request.user,
            identity=identity,
            not_duplicate_of=payload.not_duplicate_of,
            not_duplicate_reason=payload.not_duplicate_reason,
            **payload.model_dump(
                exclude={"other_names", "not_duplicate_of", "not_duplicate_reason"}
            ),
            other_names=[(n.kind, n.value) for n in payload.other_names],
            request=request,
        )
    except services.ProbableDuplicate as exc:
        return problem_response(
            request,
            409,
            str(exc),
            candidates=[candidate_out(c).model_dump() for c in exc.candidates],
        )
    return Status(201, _person_out(request.user, person))


@router.get("/{person_id}", response=PersonOut)
def person_detail(request: AuthenticatedHttpRequest, person_id: int) -> PersonOut:
    person = selectors.get_person(request.user, person_id, request=request)
    return _person_out(request.user, person)


@router.patch("/{person_id}", response=PersonOut)
def person_patch(
    request: AuthenticatedHttpRequest, person_id: int, payload: PersonPatch
) -> PersonOut:
    person = selectors.get_person(request.user, person_id, request=request, audit=False)
    changes = patch_changes(payload, Person)  # the PATCH rule: null clears or is refused
    version = changes.pop("version")
    person = services.person_update(
        by=request.user,
        person=person,
        version=version,
        changes=changes,
        request=request,
    )
    return _person_out(request.user, Person.objects.get(pk=person.pk))


@router.post("/{person_id}/names", response={201: NameOut})
def name_add(request: AuthenticatedHttpRequest, person_id: int, payload: NameIn) -> Status[Any]:
    person = selectors.get_person(request.user, person_id, request=request, audit=False)
    name = services.person_name_add(
        by=request.user,
        person=person,
        kind=payload.kind,
        value=payload.value,
        request=request,
    )
    return Status(201, NameOut(id=name.pk, kind=name.kind, value=name.value, script=name.script))


@router.post("/{person_id}/documents", response={201: DocumentOut})
def document_add(
    request: AuthenticatedHttpRequest, person_id: int, payload: DocumentCreate
) -> Status[Any]:
    person = selectors.get_person(request.user, person_id, request=request, audit=False)
    document = services.document_add(
        by=request.user,
        person=person,
        **payload.model_dump(),
        request=request,
    )
    return Status(201, DocumentOut.model_validate(document, from_attributes=True))


def _relationship_out(relative: selectors.Relative) -> RelationshipOut:
    rel = relative.relationship
    return RelationshipOut(
        id=rel.pk,
        kind=rel.kind,
        label=relative.label,
        inverse=relative.inverse,
        relative_id=relative.person.pk if relative.visible else None,
        relative_name=relative.person.full_name,
        relative_birth_year=relative.person.birth_year,
        legal_basis=rel.legal_basis,
        start_date=rel.start_date,
        end_date=rel.end_date,
        has_case=bool(relative.cases or relative.other_cases),
        case_ids=[c.pk for c in relative.cases],
        case_held_by_other_team=relative.other_cases > 0,
    )


def _family_person(request: AuthenticatedHttpRequest, person_id: int) -> Person:
    person = selectors.get_person(request.user, person_id, request=request, audit=False)
    if Section.FAMILY not in selectors.person_sections(request.user, person):
        raise Http404
    return person


@router.get("/{person_id}/relationships", response=list[RelationshipOut])
def relationship_list(request: AuthenticatedHttpRequest, person_id: int) -> list[RelationshipOut]:
    person = _family_person(request, person_id)
    record(
        actor=request.user,
        action=Action.READ,
        obj=person,
        request=request,
        detail={"section": Section.FAMILY},
    )
    return [_relationship_out(r) for r in selectors.family_of(request.user, person)]


@router.post("/{person_id}/relationships", response={201: RelationshipOut})
def relationship_create(
    request: AuthenticatedHttpRequest, person_id: int, payload: RelationshipCreate
) -> Status[Any]:
    person = _family_person(request, person_id)
    relative = selectors.visible_people(request.user).filter(pk=payload.relative_id).first()
    if relative is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"relative_id": _("No such person.")})
    rel = services.relationship_create(
        by=request.user,
        person=person,
        relative=relative,
        **payload.model_dump(exclude={"relative_id"}),
        request=request,
    )
    for found in selectors.family_of(request.user, person):
        if found.relationship.pk == rel.pk and not found.inverse:
            return Status(201, _relationship_out(found))
    raise PermissionDenied  # pragma: no cover - the creator always sees the family section
