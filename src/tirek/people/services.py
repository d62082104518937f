"""Writes on people, families and merges: one function per use case, transactional,
audited in the same transaction. Audit details carry ids and field names, never names
or dates of birth (the audit log is read by more people than the records)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.accounts.roles import REGISTERING_ROLES, Role
from tirek.audit.models import Action
from tirek.audit.services import Pending, record, record_many, save_recorded
from tirek.cases.models import Case, CaseStatus
from tirek.core import crypto
from tirek.core.exceptions import Conflict, Refused
from tirek.core.races import integrity_error_as
from tirek.core.validation import clean_name
from tirek.core.versioning import bump_version, update_versioned
from tirek.organisations.models import Region

from .keys import identity_of, key_rows, refresh_keys, search_key
from .models import (
    BirthPrecision,
    CitizenshipStatus,
    DuplicateDismissal,
    Household,
    HouseholdMember,
    IdentityDocument,
    MergeRequest,
    MergeState,
    NameKind,
    Person,
    PersonName,
    PersonNameKey,
    PersonPhoto,
    Relationship,
    Sex,
)
from .selectors import person_sections, visible_people

# Field → the section one must be able to change to edit it.
PERSON_FIELDS: dict[str, str] = {
    "given_name": Section.CORE,
    "family_name": Section.CORE,
    "patronymic": Section.CORE,
    "sex": Section.CORE,
    "birth_date": Section.CORE,
    "birth_date_precision": Section.CORE,
    "birth_date_estimated": Section.CORE,
    "languages": Section.CORE,
    "birth_place": Section.RETURN_HISTORY,
    "birth_country": Section.RETURN_HISTORY,
    "iin": Section.LEGAL,
    "citizenship": Section.LEGAL,
    "citizenship_status": Section.LEGAL,
    "no_documents": Section.LEGAL,
}
NAME_FIELDS = frozenset({"given_name", "family_name", "patronymic"})
KEY_FIELDS = frozenset(
    {"given_name", "family_name", "patronymic", "birth_date", "birth_date_precision",
     "birth_date_estimated", "sex", "iin"}
)  # fmt: skip


def stale_message() -> str:
    return _(
        "Someone else changed this record since you opened it. "
        "Reload it and apply your change again."
    )


def _require_registering(user: User) -> None:
    if not user.has_role(*REGISTERING_ROLES) or user.has_role(Role.ADMIN):
        raise PermissionDenied(_("Your role does not allow registering people."))


def _require_section(user: User, person: Person, section: str) -> None:
    if section not in person_sections(user, person, for_writing=True):
        raise PermissionDenied(_("You may not change this part of the record."))


def _bump(person: Person) -> None:
    bump_version(Person, person.pk, updated_at=timezone.now())
    person.version += 1


# --- people ---------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    by: User,
    given_name: str,
    family_name: str,
    patronymic: str = "",
    sex: str = Sex.UNKNOWN,
    birth_date: date | None = None,
    birth_date_precision: str = BirthPrecision.DAY,
    birth_date_estimated: bool = False,
    iin: str = "",
    birth_place: str = "",
    birth_country: str = "",
    citizenship: str = "",
    citizenship_status: str = CitizenshipStatus.UNKNOWN,
    no_documents: bool = False,
    languages: Sequence[str] = (),
    other_names: Iterable[tuple[str, str]] = (),
    request: HttpRequest | None = None,
) -> Person:
    """Register a person. Run the duplicate check first (the registration screen makes
    the worker decide about probable matches before this is called)."""
    _require_registering(by)
    person = Person(
        given_name=clean_name(given_name),
        family_name=clean_name(family_name),
        patronymic=clean_name(patronymic),
        sex=sex,
        birth_date=birth_date,
        birth_date_precision=birth_date_precision,
        birth_date_estimated=birth_date_estimated,
        iin=iin.strip(),
        birth_place=birth_place.strip(),
        birth_country=birth_country,
        citizenship=citizenship,
        citizenship_status=citizenship_status,
        no_documents=no_documents,
        languages=list(dict.fromkeys(languages)),
        created_by=by,
        registered_by_unit=by.unit,
    )
    person.full_clean(validate_constraints=False)  # the IIN's own message, on its field:
    _require_new_iin(person)
    # A registration that raced past the check above.
    with integrity_error_as(ValidationError({"iin": _iin_taken()})):
        person.save()
    names = []
    for kind, value in other_names:
        if value and value.strip():
            names.append(_name(person, kind, value, by))
    refresh_keys(person)
    record(
        actor=by,
        action=Action.CREATE,
        obj=person,
        request=request,
        detail={"other_names": len(names)},
    )
    return person


@dataclass(frozen=True)
class NewPerson:
    """One person for ``people_create_many``: the fields ``person_create`` takes for a
    bulk registration, and the probable matches the worker dismissed for them
    (``(candidate id, score)``, with the reason)."""

    given_name: str
    family_name: str
    patronymic: str = ""
    sex: str = Sex.UNKNOWN
    birth_date: date | None = None
    birth_date_precision: str = BirthPrecision.DAY
    birth_date_estimated: bool = False
    iin: str = ""
    dismissed: tuple[tuple[int, float], ...] = ()
    dismiss_reason: str = ""


class RowsInvalid(ValidationError):
    """``people_create_many`` refused: ``rows`` maps the index of each refused entry to
    its ``ValidationError``. Nothing was written."""

    def __init__(self, rows: dict[int, ValidationError]) -> None:
        super().__init__([m for error in rows.values() for m in error.messages])
        self.rows = rows


@transaction.atomic
def people_create_many(
    *,
    by: User,
    people: Sequence[NewPerson],
    request: HttpRequest | None = None,
) -> list[Person]:
    """Register several people at once (a group arrival), as ``person_create`` registers
    one — the same validation, blocking keys, audit entry, and a recorded dismissal per
    dismissed match — in a few queries instead of a dozen per person. All or nothing:
    ``RowsInvalid`` names every refused entry and writes nothing. As with
    ``person_create``, the caller has run the duplicate check."""
    _require_registering(by)
    unit = by.unit
    built: list[Person] = []
    errors: dict[int, ValidationError] = {}
    for index, new in enumerate(people):
        person = Person(
            given_name=clean_name(new.given_name),
            family_name=clean_name(new.family_name),
            patronymic=clean_name(new.patronymic),
            sex=new.sex,
            birth_date=new.birth_date,
            birth_date_precision=new.birth_date_precision,
            birth_date_estimated=new.birth_date_estimated,
            iin=new.iin.strip(),
            created_by=by,
            registered_by_unit=unit,
        )
        try:
            # The two foreign keys are the worker and their unit, loaded above: checking
            # that they exist would cost two queries a person and prove nothing.
            person.full_clean(
                exclude=["created_by", "registered_by_unit"], validate_constraints=False
            )
        except ValidationError as exc:
            errors[index] = exc
        if new.dismissed and len(new.dismiss_reason.strip()) < 5:
            errors.setdefault(
                index,
                ValidationError({"not_duplicate_reason": _("Say why this is a different person.")}),
            )
        built.append(person)
    iins: dict[str, int] = {}
    for index, person in enumerate(built):
        if person.iin:
            if person.iin in iins:
                errors.setdefault(index, ValidationError({"iin": _iin_taken()}))
            iins.setdefault(person.iin, index)
    if iins:
        for iin in Person.objects.filter(iin__in=sorted(iins)).values_list("iin", flat=True):
            errors.setdefault(iins[iin], ValidationError({"iin": _iin_taken()}))
    candidate_ids = {pk for new in people for pk, _score in new.dismissed}
    if candidate_ids:
        on_file = set(
            Person.objects.filter(pk__in=sorted(candidate_ids)).values_list("pk", flat=True)
        )
        for index, new in enumerate(people):
            if any(pk not in on_file for pk, _score in new.dismissed):
                errors.setdefault(
                    index, ValidationError(_("A record named as a different person is gone."))
                )
    if errors:
        raise RowsInvalid(dict(sorted(errors.items())))
    identities = []
    for person in built:
        identity = identity_of(person, [])
        person.search_key = search_key(identity)
        identities.append(identity)
    # A registration that raced past the check above.
    with integrity_error_as(ValidationError({"iin": _iin_taken()})):
        created = Person.objects.bulk_create(built, batch_size=500)
    if any(p.pk is None for p in created):  # pragma: no cover - every supported database
        raise RuntimeError("The database did not return the new people's ids.")
    PersonNameKey.objects.bulk_create(
        [row for person, identity in zip(created, identities, strict=True)
         for row in key_rows(person, identity)],
        batch_size=1000,
    )  # fmt: skip
    dismissals = [
        DuplicateDismissal(
            person=person,
            candidate_id=pk,
            score=score,
            reason=new.dismiss_reason.strip(),
            decided_by=by,
        )
        for person, new in zip(created, people, strict=True)
        for pk, score in new.dismissed
    ]
    for dismissal in dismissals:
        dismissal.full_clean(exclude=["person", "candidate", "decided_by"])
    dismissals = DuplicateDismissal.objects.bulk_create(dismissals, batch_size=500)
    record_many(
        actor=by,
        request=request,
        entries=[
            *(Pending(Action.CREATE, obj=p, detail={"other_names": 0}) for p in created),
            *(
                Pending(
                    Action.CREATE,
                    obj=d,
                    detail={"person": d.person_id, "candidate": d.candidate_id, "score": d.score},
                )
                for d in dismissals
            ),
        ],
    )
    return created


def _iin_taken() -> str:
    return _("A person with this IIN is already registered; open that record instead.")


def _require_new_iin(person: Person) -> None:
    """The same IIN is never on two records (a database constraint backs this up)."""
    if person.iin and Person.objects.filter(iin=person.iin).exclude(pk=person.pk).exists():
        raise ValidationError({"iin": _iin_taken()})


class ProbableDuplicate(Conflict):
    """Registration refused: someone on file is probably this person, and the request did
    not say, with a reason, that they are a different person (409)."""

    def __init__(self, candidates: list[Any]) -> None:
        super().__init__(
            _(
                "A record that is probably the same person is on file. Open that record, "
                "or register a different person naming the candidates in "
                "not_duplicate_of and saying why in not_duplicate_reason."
            )
        )
        self.candidates = candidates


def _registration_lock() -> None:
    """Serialise registrations: the duplicate check and the insert of one registration
    happen before the next registration checks, so three simultaneous registrations of
    the same new child make one record (and two refusals). Registrations are a few a
    day, so one lock for all costs nothing. PostgreSQL: a transaction advisory lock;
    SQLite: a write at the start of the transaction takes the database's write lock."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTRATION_LOCK])
        else:
            Person.objects.filter(pk=0).update(version=F("version"))


REGISTRATION_LOCK = 0x7469726B  # "tirk": this lock's number among advisory locks


def registration_lock() -> None:
    """Take the registration lock in the caller's transaction: a bulk registration
    (``people_create_many``) reruns its duplicate check under it, as ``person_register``
    does, so nobody registers one of its people between that check and the insert."""
    _registration_lock()


@transaction.atomic
def person_register(
    *,
    by: User,
    identity: Any,
    not_duplicate_of: Sequence[int] = (),
    not_duplicate_reason: str = "",
    request: HttpRequest | None = None,
    **fields: Any,
) -> Person:
    """Register a person behind the duplicate gate (DESIGN.md section 7), as the
    registration screen and ``POST /api/v1/persons`` both do: under the registration
    lock, run the duplicate check; a candidate at 0.8 or above refuses the registration
    (ProbableDuplicate) unless every such candidate is named in ``not_duplicate_of`` and
    a reason is given; the decision is recorded for each of them."""
    from .selectors import duplicate_check

    _require_registering(by)
    _registration_lock()
    probable = [c for c in duplicate_check(by, identity, request=request) if c.probable]
    reason = (not_duplicate_reason or "").strip()
    if probable:
        undecided = [c for c in probable if c.person.pk not in set(not_duplicate_of)]
        if undecided:
            raise ProbableDuplicate(probable)
        if len(reason) < 5:
            raise ValidationError(
                {"not_duplicate_reason": _("Say why this is a different person.")}
            )
    person = person_create(by=by, request=request, **fields)
    for candidate in probable:
        duplicate_dismiss(
            by=by,
            person=person,
            candidate=candidate.person,
            score=candidate.score,
            reason=reason,
            request=request,
        )
    return person


def _name(person: Person, kind: str, value: str, by: User) -> PersonName:
    name = PersonName(person=person, kind=kind, value=clean_name(value), created_by=by)
    name.full_clean()
    name.save()
    return name


@transaction.atomic
def person_update(
    *,
    by: User,
    person: Person,
    version: int,
    changes: dict[str, Any],
    request: HttpRequest | None = None,
) -> Person:
    """Change fields of a person. ``version`` is the one the user read: if someone
    saved since, nothing changes and Conflict is raised (409 / a message in the form)."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    allowed = person_sections(by, person, for_writing=True)
    refused = [f for f in changes if PERSON_FIELDS[f] not in allowed]
    if refused:
        raise PermissionDenied(_("You may not change this part of the record."))
    old = {f: getattr(person, f) for f in changes}
    for f, value in changes.items():
        if f in NAME_FIELDS and isinstance(value, str):
            value = clean_name(value)  # no invisible characters in a name
        setattr(person, f, value.strip() if isinstance(value, str) else value)
    if "languages" in changes:
        person.languages = list(dict.fromkeys(person.languages or []))
    person.full_clean(validate_constraints=False)
    if "iin" in changes:
        _require_new_iin(person)
    if person.no_documents and person.documents.exists():
        raise ValidationError(
            {"no_documents": _("Documents are recorded for this person; remove them first.")}
        )
    changed = sorted(f for f in changes if old[f] != getattr(person, f))
    values = {f: getattr(person, f) for f in changes}
    update_versioned(
        Person, person.pk, version, stale_message(), **values, updated_at=timezone.now()
    )
    person.version = version + 1
    if KEY_FIELDS & set(changed):
        refresh_keys(person)
    record(actor=by, action=Action.UPDATE, obj=person, request=request, detail={"fields": changed})
    return person


@transaction.atomic
def person_name_add(
    *, by: User, person: Person, kind: str, value: str, request: HttpRequest | None = None
) -> PersonName:
    _require_section(by, person, Section.CORE)
    if kind not in NameKind.values:
        raise ValidationError({"kind": _("Choose the kind of name.")})
    value = clean_name(value or "")
    if PersonName.objects.filter(person=person, kind=kind, value=value).exists():
        raise ValidationError({"value": _("This spelling is already on file.")})
    name = _name(person, kind, value, by)
    refresh_keys(person)
    _bump(person)
    record(actor=by, action=Action.UPDATE, obj=person, request=request, detail={"name_added": kind})
    return name


@transaction.atomic
def person_name_remove(*, by: User, name: PersonName, request: HttpRequest | None = None) -> None:
    person = name.person
    _require_section(by, person, Section.CORE)
    kind = name.kind
    name.delete()
    refresh_keys(person)
    _bump(person)
    record(
        actor=by, action=Action.UPDATE, obj=person, request=request, detail={"name_removed": kind}
    )


# --- documents and photo --------------------------------------------------------------------


@transaction.atomic
def document_add(
    *,
    by: User,
    person: Person,
    doc_type: str,
    number: str = "",
    issuer: str = "",
    country: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
) -> IdentityDocument:
    """Record an identity document; the person no longer counts as "without documents"."""
    _require_section(by, person, Section.LEGAL)
    document = IdentityDocument(
        person=person,
        doc_type=doc_type,
        number=number.strip(),
        issuer=issuer.strip(),
        country=country,
        issued_on=issued_on,
        expires_on=expires_on,
        created_by=by,
    )
    document.full_clean()
    document.save()
    if person.no_documents:
        Person.objects.filter(pk=person.pk).update(no_documents=False)
        person.no_documents = False
    _bump(person)
    record(
        actor=by,
        action=Action.CREATE,
        obj=document,
        request=request,
        detail={"person": person.pk, "doc_type": doc_type},
    )
    return document


@transaction.atomic
def document_remove(
    *, by: User, document: IdentityDocument, request: HttpRequest | None = None
) -> None:
    person = document.person
    _require_section(by, person, Section.LEGAL)
    record(
        actor=by, action=Action.DELETE, obj=document, request=request, detail={"person": person.pk}
    )
    document.delete()
    _bump(person)


PHOTO_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def photo_type(data: bytes) -> str | None:
    """The image type by its first bytes (never trust the name or the browser's word)."""
    for magic, content_type in PHOTO_TYPES.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_max_bytes() -> int:
    return int(getattr(settings, "PEOPLE_PHOTO_MAX_BYTES", 3 * 1024 * 1024))


@transaction.atomic
def photo_set(
    *, by: User, person: Person, data: bytes, request: HttpRequest | None = None
) -> PersonPhoto:
    """Store (or replace) the person's photo, encrypted. JPEG, PNG or WebP only."""
    _require_section(by, person, Section.CORE)
    if not data:
        raise ValidationError({"photo": _("The file is empty.")})
    if len(data) > photo_max_bytes():
        raise ValidationError(
            {
                "photo": _("The photo is too large (at most %(mb)s MB).")
                % {"mb": photo_max_bytes() // (1024 * 1024)}
            }
        )
    content_type = photo_type(data)
    if content_type is None:
        raise ValidationError({"photo": _("Upload a JPEG, PNG or WebP image.")})
    photo, _created = PersonPhoto.objects.update_or_create(
        person=person,
        defaults={
            "data": crypto.encrypt_bytes(data, person_id=person.pk),
            "content_type": content_type,
            "size": len(data),
            "uploaded_by": by,
            "uploaded_at": timezone.now(),
        },
    )
    _bump(person)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=person,
        request=request,
        detail={"photo": "set", "size": len(data)},
    )
    return photo


@transaction.atomic
def photo_remove(*, by: User, person: Person, request: HttpRequest | None = None) -> None:
    _require_section(by, person, Section.CORE)
    PersonPhoto.objects.filter(person=person).delete()
    _bump(person)
    record(actor=by, action=Action.UPDATE, obj=person, request=request, detail={"photo": "removed"})


def photos_rotate() -> int:
    """Re-encrypt every photo with the newest key (``tirek keys rotate``)."""
    count = 0
    for pk in PersonPhoto.objects.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            photo = PersonPhoto.objects.select_for_update().get(pk=pk)
            photo.data = crypto.rotate_bytes(bytes(photo.data))
            photo.save(update_fields=["data"])
        count += 1
    return count


def photos_to_person_keys() -> int:
    """Move every photo still under the installation keys under its person's data key
    (``tirek keys person``)."""
    count = 0
    for pk in PersonPhoto.objects.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            photo = PersonPhoto.objects.select_for_update().get(pk=pk)
            token = bytes(photo.data)
            if token.startswith(crypto.FILE_PREFIX):
                continue
            photo.data = crypto.encrypt_bytes(
                crypto.decrypt_bytes(token), person_id=photo.person_id
            )
            photo.save(update_fields=["data"])
        count += 1
    return count


# --- family ---------------------------------------------------------------------------------


@transaction.atomic
def relationship_create(
    *,
    by: User,
    person: Person,
    relative: Person,
    kind: str,
    legal_basis: str = "",
    basis_reference: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Relationship:
    """Record that ``relative`` is the ``kind`` of ``person``. The user must be able to
    change the person's family section and to open the relative's record (linking by an
    id one may not open would show that person's name on the family page)."""
    _require_section(by, person, Section.FAMILY)
    if not visible_people(by).filter(pk=relative.pk).exists():
        raise ValidationError({"relative_id": _("No such person.")})
    rel = Relationship(
        person=person,
        relative=relative,
        kind=kind,
        legal_basis=legal_basis,
        basis_reference=basis_reference.strip(),
        start_date=start_date,
        end_date=end_date,
        note=note.strip(),
        created_by=by,
    )
    rel.full_clean()
    with integrity_error_as(
        ValidationError({"relative_id": _("This relationship is already recorded.")})
    ):
        rel.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=rel,
        request=request,
        detail={"person": person.pk, "relative": relative.pk, "kind": kind},
    )
    return rel


@transaction.atomic
def relationship_remove(
    *, by: User, relationship: Relationship, request: HttpRequest | None = None
) -> None:
    _require_section(by, relationship.person, Section.FAMILY)
    record(
        actor=by,
        action=Action.DELETE,
        obj=relationship,
        request=request,
        detail={"person": relationship.person_id, "relative": relationship.relative_id},
    )
    relationship.delete()


@transaction.atomic
def household_set(
    *,
    by: User,
    person: Person,
    label: str,
    region: Region | None = None,
    locality: str = "",
    members: Sequence[Person] = (),
    head: Person | None = None,
    since: date | None = None,
    request: HttpRequest | None = None,
) -> Household:
    """Record the household ``person`` lives in now, with the people living there
    (each must be a person the user may open). Earlier households end today."""
    _require_section(by, person, Section.FAMILY)
    everyone = {person.pk: person, **{m.pk: m for m in members}}
    if head is not None:
        everyone.setdefault(head.pk, head)
    allowed = set(visible_people(by).filter(pk__in=everyone).values_list("pk", flat=True))
    if set(everyone) - allowed:
        raise ValidationError({"members": _("No such person.")})
    household = Household(
        label=label.strip(), region=region, locality=locality.strip(), created_by=by
    )
    household.full_clean()
    household.save()
    today = timezone.localdate()
    HouseholdMember.objects.filter(person_id__in=everyone, until__isnull=True).update(until=today)
    for member in everyone.values():
        HouseholdMember.objects.create(
            household=household,
            person=member,
            is_head=head is not None and member.pk == head.pk,
            since=since,
        )
    record(
        actor=by,
        action=Action.CREATE,
        obj=household,
        request=request,
        detail={"person": person.pk, "members": sorted(everyone)},
    )
    return household


@transaction.atomic
def household_leave(*, by: User, person: Person, request: HttpRequest | None = None) -> None:
    """The person no longer lives in their current household."""
    _require_section(by, person, Section.FAMILY)
    ended = HouseholdMember.objects.filter(person=person, until__isnull=True).update(
        until=timezone.localdate()
    )
    if ended:
        record(
            actor=by,
            action=Action.UPDATE,
            obj=person,
            request=request,
            detail={"household": "left"},
        )


# --- duplicates and merges ------------------------------------------------------------------


@transaction.atomic
def duplicate_dismiss(
    *,
    by: User,
    person: Person,
    candidate: Person,
    score: float,
    reason: str,
    request: HttpRequest | None = None,
) -> DuplicateDismissal:
    """The worker registered ``person`` although ``candidate`` looked like the same
    person: keep their reason for review."""
    dismissal = DuplicateDismissal(
        person=person, candidate=candidate, score=score, reason=reason.strip(), decided_by=by
    )
    return save_recorded(
        dismissal,
        actor=by,
        request=request,
        detail={"person": person.pk, "candidate": candidate.pk, "score": score},
    )


@transaction.atomic
def merge_request_create(
    *,
    by: User,
    kept: Person,
    duplicate: Person,
    reason: str,
    request: HttpRequest | None = None,
) -> MergeRequest:
    """Ask a supervisor to merge ``duplicate`` into ``kept``. The worker must be able to
    open both records."""
    _require_registering(by)
    if kept.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Choose two different records.")})
    visible = set(
        visible_people(by).filter(pk__in=[kept.pk, duplicate.pk]).values_list("pk", flat=True)
    )
    if visible != {kept.pk, duplicate.pk}:
        raise ValidationError({"duplicate": _("No such person.")})
    if MergeRequest.objects.filter(
        Q(duplicate=duplicate) | Q(duplicate=kept) | Q(kept=duplicate),
        state=MergeState.REQUESTED,
    ).exists():
        raise ValidationError({"duplicate": _("A merge of these records is already waiting.")})
    merge = MergeRequest(kept=kept, duplicate=duplicate, reason=reason.strip(), requested_by=by)
    return save_recorded(
        merge, actor=by, request=request, detail={"kept": kept.pk, "duplicate": duplicate.pk}
    )


def _move_to(kept: Person, dup: Person) -> None:
    """Everything recorded about ``dup`` now belongs to ``kept``."""
    # Names: the duplicate's primary names become other spellings of the kept person.
    existing = {(n.kind, n.value) for n in kept.names.all()}
    primary = {
        (NameKind.GIVEN, kept.given_name),
        (NameKind.FAMILY, kept.family_name),
        (NameKind.PATRONYMIC, kept.patronymic),
    }
    for kind, value in (
        (NameKind.GIVEN, dup.given_name),
        (NameKind.FAMILY, dup.family_name),
        (NameKind.PATRONYMIC, dup.patronymic),
    ):
        if value and (kind, value) not in existing | primary:
            PersonName.objects.create(person=kept, kind=kind, value=value)
            existing.add((kind, value))
    for name in dup.names.all():
        if (name.kind, name.value) in existing | primary:
            name.delete()
        else:
            existing.add((name.kind, name.value))
            PersonName.objects.filter(pk=name.pk).update(person=kept)
    IdentityDocument.objects.filter(person=dup).update(person=kept)
    # Relationships: re-point both directions, dropping the ones that would repeat or
    # link the person to themself.
    Relationship.objects.filter(
        Q(person=dup, relative=kept) | Q(person=kept, relative=dup)
    ).delete()
    for rel in Relationship.objects.filter(person=dup):
        if Relationship.objects.filter(
            person=kept, relative=rel.relative_id, kind=rel.kind
        ).exists():
            rel.delete()
        else:
            Relationship.objects.filter(pk=rel.pk).update(person=kept)
    for rel in Relationship.objects.filter(relative=dup):
        if Relationship.objects.filter(person=rel.person_id, relative=kept, kind=rel.kind).exists():
            rel.delete()
        else:
            Relationship.objects.filter(pk=rel.pk).update(relative=kept)
    current_kept = HouseholdMember.objects.filter(person=kept, until__isnull=True).exists()
    dup_current = HouseholdMember.objects.filter(person=dup, until__isnull=True)
    if current_kept:
        dup_current.update(until=timezone.localdate())
    HouseholdMember.objects.filter(person=dup).update(person=kept)
    if not PersonPhoto.objects.filter(person=kept).exists():
        PersonPhoto.objects.filter(person=dup).update(person=kept)
    # Facts the kept record lacks.
    fill = {}
    for f in ("patronymic", "iin", "birth_place", "birth_country", "citizenship"):
        if not getattr(kept, f) and getattr(dup, f):
            fill[f] = getattr(dup, f)
    if kept.birth_date is None and dup.birth_date is not None:
        fill.update(
            birth_date=dup.birth_date,
            birth_date_precision=dup.birth_date_precision,
            birth_date_estimated=dup.birth_date_estimated,
        )
    if kept.sex == Sex.UNKNOWN and dup.sex != Sex.UNKNOWN:
        fill["sex"] = dup.sex
    if kept.citizenship_status == CitizenshipStatus.UNKNOWN:
        fill["citizenship_status"] = dup.citizenship_status
    languages = list(dict.fromkeys([*kept.languages, *dup.languages]))
    if languages != kept.languages:
        fill["languages"] = languages
    if fill:
        Person.objects.filter(pk=kept.pk).update(**fill)
        for f, value in fill.items():
            setattr(kept, f, value)
    # The one change to the cases app this merge makes: the duplicate's cases follow.
    Case.objects.filter(person=dup).update(person=kept)


@transaction.atomic
def merge_request_decide(
    *,
    by: User,
    merge: MergeRequest,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> MergeRequest:
    """The supervisor of the requesting worker's unit approves (the records become one)
    or rejects a merge request."""
    if not by.has_role(Role.SUPERVISOR) or by.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only a supervisor may decide on merging records."))
    merge = MergeRequest.objects.select_for_update().get(pk=merge.pk)
    if merge.state != MergeState.REQUESTED:
        raise Conflict(_("This request has already been decided."))
    if merge.requested_by_id == by.pk:
        raise Refused(_("Another supervisor must decide on a merge you requested."))
    if not by.unit_id or merge.requested_by.unit_id != by.unit_id:
        raise PermissionDenied(_("The supervisor of the requesting worker's unit decides."))
    kept, dup = merge.kept, merge.duplicate
    if kept.merged_into_id or dup.merged_into_id:
        raise Conflict(_("One of the records has been merged already."))
    if approve:
        open_cases = Case.objects.filter(person__in=[kept, dup]).exclude(status=CaseStatus.CLOSED)
        if open_cases.filter(person=kept).exists() and open_cases.filter(person=dup).exists():
            raise Refused(
                _("Both records have an open case: close or transfer one case before merging.")
            )
        _move_to(kept, dup)
        bump_version(Person, dup.pk, merged_into=kept, updated_at=timezone.now())
        dup.merged_into = kept
        refresh_keys(dup)  # drops its keys: a merged record is never a candidate again
        kept.refresh_from_db()
        refresh_keys(kept)
        _bump(kept)
        record(
            actor=by,
            action=Action.UPDATE,
            obj=dup,
            request=request,
            detail={"merged_into": kept.pk},
        )
        record(
            actor=by,
            action=Action.UPDATE,
            obj=kept,
            request=request,
            detail={"merged_from": dup.pk},
        )
    merge.state = MergeState.APPROVED if approve else MergeState.REJECTED
    merge.decided_by = by
    merge.decided_at = timezone.now()
    merge.decision_note = note.strip()
    return save_recorded(
        merge,
        actor=by,
        action=Action.UPDATE,
        request=request,
        detail={"state": merge.state, "kept": kept.pk, "duplicate": dup.pk},
    )


# --- opening the case -----------------------------------------------------------------------


def case_open_for(*, by: User, person: Person, request: HttpRequest | None = None) -> Case:
    """End of registration: open the person's case (the cases app's ``case_open``).
    The worker must be able to open the person's record."""
    from tirek.cases.services import case_open

    if not visible_people(by).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You may not open a case for this person."))
    return case_open(by=by, person=person, request=request)


__all__ = [
    "PERSON_FIELDS",
    "case_open_for",
    "document_add",
    "document_remove",
    "duplicate_dismiss",
    "household_leave",
    "household_set",
    "merge_request_create",
    "merge_request_decide",
    "NewPerson",
    "RowsInvalid",
    "people_create_many",
    "registration_lock",
    "person_create",
    "person_register",
    "person_name_add",
    "person_name_remove",
    "person_update",
    "photo_remove",
    "photo_set",
    "photos_rotate",
    "policy",
    "relationship_create",
    "relationship_remove",
]
