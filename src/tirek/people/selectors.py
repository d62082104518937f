"""Reads on people, already filtered by the access policy.

A person is visible when the user may open one of their cases, or registered them and
no case exists yet (``tirek.access.policy.visible_persons``). Which parts of the record
show follows the sections of those cases: names and date of birth are the core;
place and country of birth belong to the return history; IIN, citizenship and documents
to the legal section; relatives and the household to the family section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from tirek.access import policy
from tirek.access.policy import Section
from tirek.accounts.roles import REGISTERING_ROLES, Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case
from tirek.core.ratelimit import check as rate_limit

from . import matching
from .keys import identity_from
from .models import (
    INVERSE_LABELS,
    HouseholdMember,
    MergeRequest,
    MergeState,
    Person,
    PersonName,
    PersonNameKey,
    Relationship,
)

if TYPE_CHECKING:
    from tirek.accounts.models import User

# What the registering worker sees of a person they registered who has no case yet.
REGISTRAR_SECTIONS = frozenset(
    {Section.CORE, Section.RETURN_HISTORY, Section.FAMILY, Section.LEGAL}
)
MAX_ID = 2**63 - 1
# Who may find a person by IIN: those who register people or may see identity documents.
# Anyone else (school, health) could otherwise confirm that a child with a given IIN is
# on file and which initials go with it.
IIN_SEARCH_ROLES = REGISTERING_ROLES | frozenset(
    role for role, sections in policy.ROLE_SECTIONS.items() if Section.LEGAL in sections
)


# --- visibility -----------------------------------------------------------------------------


def visible_people(user: User) -> QuerySet[Person]:
    """People the user may open (merged duplicates are gone: their record lives on in the
    person they were merged into)."""
    return policy.visible_persons(user).filter(merged_into__isnull=True)


# Who changes what of a person's record (within the sections they may see): identity and
# origin are kept by the roles that register people; lawyers also keep documents and
# guardianship. Other team members read.
WRITERS = {
    Section.CORE: REGISTERING_ROLES,
    Section.RETURN_HISTORY: REGISTERING_ROLES,
    Section.LEGAL: REGISTERING_ROLES | {Role.LAWYER},
    Section.FAMILY: REGISTERING_ROLES | {Role.LAWYER},
}


def person_sections(user: User, person: Person, *, for_writing: bool = False) -> frozenset[str]:
    """The sections of this person's record the user may see (or change)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cases = list(Case.objects.filter(person=person))
    sections: set[str] = set()
    if not cases:
        if person.created_by_id == user.pk:
            sections = set(REGISTRAR_SECTIONS)
    elif for_writing:
        for case in cases:
            sections |= policy.sections_for(user, case, include_emergency=False)
    else:
        for found in policy.sections_for_many(user, cases).values():
            sections |= found
    if for_writing:
        sections = {s for s in sections if user.has_role(*WRITERS.get(s, frozenset()))}
    return frozenset(sections)


def _person_id(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def get_person(
    user: User, person_id: Any, *, request: HttpRequest | None = None, audit: bool = True
) -> Person:
    """The person if the user may open them, else 404 (the same as a missing id).
    The read is audited."""
    pk = _person_id(person_id)
    try:
        person = visible_people(user).select_related("registered_by_unit").get(pk=pk)
    except Person.DoesNotExist as exc:
        if audit and getattr(user, "is_authenticated", False):
            record(
                actor=user,
                action=Action.DENIED,
                object_type="people.person",
                object_id=pk,
                request=request,
                detail={"exists": Person.objects.filter(pk=pk).exists()},
            )
        raise Http404 from exc
    if audit:
        record(actor=user, action=Action.READ, obj=person, request=request)
    return person


# --- lists and name search ------------------------------------------------------------------


def search_people(user: User, q: str = "") -> QuerySet[Person]:
    """Visible people whose names match every word of ``q`` in any spelling and script
    (the last word may also be the beginning of a name); 12 digits search the IIN.
    Newest first: lists show initials, so an alphabetical order would mean little, and
    ordering by id lets the database stop at the first page."""
    people = visible_people(user)
    q = (q or "").strip()[:200]
    if q.isdigit() and len(q) == 12:
        if not user.has_role(*IIN_SEARCH_ROLES):
            return people.none()  # the same answer as "no match"
        return people.filter(iin=q).order_by("-pk")
    words = [w for w in matching.fold(q).split(" ") if w][:6]
    for word in words[:-1]:
        people = people.filter(pk__in=_keyed(matching.word_keys(word)))
    if words:
        last = words[-1]
        people = people.filter(pk__in=_last_word(last))
    return people.order_by("-pk")


def _keyed(keys: Sequence[str]) -> QuerySet[Any]:
    return PersonNameKey.objects.filter(key__in=list(keys)).values("person_id")


def _last_word(word: str) -> QuerySet[Any]:
    """People with the word in any spelling, or (still typing) a name that starts with
    the word as typed."""
    exact = _keyed(matching.word_keys(word))
    typed = matching.typed_key(word)
    if not typed:
        return exact
    starts = Q(key__gte=typed, key__lte=typed + "Z" * matching.MAX_KEY_LENGTH)
    if connection.vendor == "postgresql":
        # With "key IN (…) OR key BETWEEN …" in one subquery PostgreSQL reads the whole
        # key table through its person index to merge-join in id order (200 ms at
        # 100,000 people); as a UNION each part uses the key index (5 ms). SQLite plans
        # the OR well and the UNION worse, so it keeps the OR.
        return exact.union(PersonNameKey.objects.filter(starts).values("person_id"))
    return PersonNameKey.objects.filter(Q(key__in=matching.word_keys(word)) | starts).values(
        "person_id"
    )


COUNT_CAP = 200


def capped_count(people: QuerySet[Any]) -> tuple[int, bool]:
    """How many (up to COUNT_CAP), and whether there are more. A list of initials longer
    than that is not read but narrowed ("add a word or the year"), and counting every
    match of a short search among 100,000 people costs more than finding the page."""
    n = people.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


class CappedList:
    """A queryset whose count stops at COUNT_CAP, for Django's Paginator."""

    def __init__(self, people: QuerySet[Any]) -> None:
        self.people = people
        self.count_value, self.capped = capped_count(people)

    def count(self) -> int:
        return self.count_value

    def __len__(self) -> int:
        return self.count_value

    def __getitem__(self, index: Any) -> Any:
        return self.people[index]


# --- duplicate check ------------------------------------------------------------------------

CANDIDATE_POOL = 300  # people scored per check, those sharing most keys first
MAX_CANDIDATES = 20


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str]
    visible: bool = False

    @property
    def probable(self) -> bool:
        return self.score >= matching.PROBABLE


def reason_text(code: str) -> str:
    texts = {
        "iin_match": _("same IIN"),
        "iin_differs": _("different IIN"),
        "name_exact": _("same name"),
        "name_transliteration": _("same name in another script or spelling"),
        "name_variant": _("name written in a related form"),
        "name_typo": _("name differs by a typing error"),
        "names_swapped": _("given and family name swapped"),
        "other_spelling": _("matches another spelling on file"),
        "given_name_differs": _("different given name"),
        "family_name_differs": _("different family name"),
        "patronymic_match": _("same patronymic"),
        "patronymic_differs": _("different patronymic"),
        "birth_date_exact": _("same date of birth"),
        "birth_year_match": _("date of birth in the same year"),
        "birth_date_near": _("date of birth close, allowing for an estimate"),
        "birth_date_typo": _("date of birth differs by a typing error"),
        "birth_date_differs": _("date of birth differs by months"),
        "birth_date_far": _("date of birth far apart"),
        "birth_date_unknown": _("date of birth not known on one side"),
        "sex_differs": _("different sex"),
        "held_by_other_unit": _("record held by another unit: contact them"),
    }
    return str(texts.get(code, code))


_IDENTITY_FIELDS = (
    "pk",
    "given_name",
    "family_name",
    "patronymic",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_date_estimated",
    "iin",
)


@dataclass(frozen=True, slots=True)
class _Facts:
    """A candidate's identity columns, read without building the model; ``bare`` is what
    ``matching.may_reach`` looks at (date of birth, sex, IIN), before names are fetched."""

    given: str
    family: str
    patronymic: str
    sex: str
    birth: matching.Birth
    iin: str
    bare: matching.Identity

    def identity(self, other_names: dict[str, list[str]]) -> matching.Identity:
        return identity_from(
            given=self.given,
            family=self.family,
            patronymic=self.patronymic,
            sex=self.sex,
            birth=self.birth,
            iin=self.iin,
            other=other_names,
        )


def _facts(ids: Sequence[int]) -> dict[int, _Facts]:
    """The identity columns of the people ``ids`` that were not merged away."""
    facts = {}
    rows = Person.objects.filter(pk__in=ids, merged_into__isnull=True).values_list(
        *_IDENTITY_FIELDS
    )
    for pk, given, family, patronymic, sex, born, precision, estimated, iin in rows:
        birth = matching.Birth(born, precision, estimated)
        bare = matching.Identity(
            given=(), family=(), birth=birth, sex="" if sex == "unknown" else sex, iin=iin
        )
        facts[pk] = _Facts(given, family, patronymic, sex, birth, iin, bare)
    return facts


NamesByKind = dict[str, list[str]]


def _other_names(ids: Sequence[int]) -> dict[int, NamesByKind]:
    """The other spellings of the people ``ids``: person → name kind → names."""
    names: dict[int, NamesByKind] = defaultdict(lambda: defaultdict(list))
    if ids:
        for person_id, kind, value in PersonName.objects.filter(person_id__in=ids).values_list(
            "person_id", "kind", "value"
        ):
            names[person_id][kind].append(value)
    return names


def _identities(query: matching.Identity, ids: Sequence[int]) -> dict[int, matching.Identity]:
    """The matching view of the candidates that could reach the threshold at all
    (``matching.may_reach``: date of birth, sex, IIN), in two queries and without
    building model objects; names are fetched for those only."""
    facts = {pk: f for pk, f in _facts(ids).items() if matching.may_reach(query, f.bare)}
    names = _other_names(list(facts))
    return {pk: f.identity(names.get(pk, {})) for pk, f in facts.items()}


def find_duplicates(query: matching.Identity, *, exclude: Sequence[int] = ()) -> list[Candidate]:
    """Everyone on file who may be the person described, best first, score ≥ 0.5.
    No access filtering here: callers decide what each candidate may reveal.

    Candidates come from the blocking keys (one indexed query; those sharing the most
    keys with the query first, at most CANDIDATE_POOL), plus anyone with the same IIN."""
    keys = matching.query_keys(query)
    ids: list[int] = []
    if keys:
        ids = list(
            PersonNameKey.objects.filter(key__in=sorted(keys))
            .values("person_id")
            .annotate(hits=Count("id"))
            .order_by("-hits", "-person_id")
            .values_list("person_id", flat=True)[:CANDIDATE_POOL]
        )
    if query.iin:
        ids += list(Person.objects.filter(iin=query.iin).values_list("pk", flat=True)[:5])
    wanted = sorted(set(ids) - set(exclude))
    scored = []
    for pk, identity in _identities(query, wanted).items():
        match = matching.score(query, identity)
        if match.score >= matching.THRESHOLD:
            scored.append((match, pk))
    scored.sort(key=lambda item: (-item[0].score, item[1]))
    scored = scored[:MAX_CANDIDATES]
    people = Person.objects.select_related("registered_by_unit__agency").in_bulk(
        [pk for _match, pk in scored]
    )
    return [
        Candidate(person=people[pk], score=match.score, reasons=match.reasons)
        for match, pk in scored
        if pk in people
    ]


_IN_BATCH = 500  # values in one IN (...) of the batched check


def _batches(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + _IN_BATCH] for i in range(0, len(values), _IN_BATCH)]


def find_duplicates_many(
    queries: Sequence[matching.Identity], *, exclude: Sequence[int] = ()
) -> list[list[Candidate]]:
    """``find_duplicates`` for each of ``queries`` (a group arrival): the same candidates
    with the same scores in the same order, from a few queries for the whole batch
    instead of four per query. The key holders of every query's keys are read at once
    and counted per query as the database counts them for one (most shared keys first,
    then the newest, at most CANDIDATE_POOL); the people that may reach the threshold,
    their other names and their records are each read once for all queries."""
    keys_of = [matching.query_keys(q) for q in queries]
    holders: dict[str, list[int]] = defaultdict(list)
    for chunk in _batches(sorted(set().union(*keys_of))):
        for key, person_id in PersonNameKey.objects.filter(key__in=chunk).values_list(
            "key", "person_id"
        ):
            holders[key].append(person_id)
    by_iin: dict[str, list[int]] = defaultdict(list)
    for chunk in _batches(sorted({q.iin for q in queries if q.iin})):
        for iin, pk in Person.objects.filter(iin__in=chunk).values_list("iin", "pk"):
            by_iin[iin].append(pk)
    excluded = set(exclude)
    wanted_of: list[list[int]] = []
    for query, keys in zip(queries, keys_of, strict=True):
        hits: dict[int, int] = defaultdict(int)
        for key in keys:
            for person_id in holders.get(key, ()):
                hits[person_id] += 1
        ranked = sorted(hits.items(), key=lambda item: (-item[1], -item[0]))
        ids = [person_id for person_id, _hits in ranked[:CANDIDATE_POOL]]
        if query.iin:
            ids += by_iin.get(query.iin, [])[:5]
        wanted_of.append(sorted(set(ids) - excluded))
    facts: dict[int, _Facts] = {}
    for chunk in _batches(sorted({pk for wanted in wanted_of for pk in wanted})):
        facts.update(_facts(chunk))
    reachable_of = [
        [pk for pk in wanted if pk in facts and matching.may_reach(query, facts[pk].bare)]
        for query, wanted in zip(queries, wanted_of, strict=True)
    ]
    names: dict[int, NamesByKind] = {}
    for chunk in _batches(sorted({pk for reachable in reachable_of for pk in reachable})):
        names.update(_other_names(chunk))
    identities: dict[int, matching.Identity] = {}
    scored_of: list[list[tuple[matching.Match, int]]] = []
    for query, reachable in zip(queries, reachable_of, strict=True):
        scored = []
        for pk in reachable:
            if pk not in identities:
                identities[pk] = facts[pk].identity(names.get(pk, {}))
            match = matching.score(query, identities[pk])
            if match.score >= matching.THRESHOLD:
                scored.append((match, pk))
        scored.sort(key=lambda item: (-item[0].score, item[1]))
        scored_of.append(scored[:MAX_CANDIDATES])
    people: dict[int, Person] = {}
    for chunk in _batches(sorted({pk for scored in scored_of for _match, pk in scored})):
        people.update(Person.objects.select_related("registered_by_unit__agency").in_bulk(chunk))
    return [
        [
            Candidate(person=people[pk], score=match.score, reasons=match.reasons)
            for match, pk in scored
            if pk in people
        ]
        for scored in scored_of
    ]


def unit_label(unit: Any) -> str:
    """Whom to contact: "Centre Karaganda — Team K"."""
    if unit is None:
        return ""
    return f"{unit.agency.name} — {unit.name}"


def may_check_duplicates(user: User) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_role(*REGISTERING_ROLES)
        and not user.has_role(Role.ADMIN)
    )


def duplicate_check(
    user: User,
    query: matching.Identity,
    *,
    request: HttpRequest | None = None,
    exclude: Sequence[int] = (),
) -> list[Candidate]:
    """The duplicate check as registering workers use it: role-gated, rate-limited per
    user and audited (counts only — never the names asked about). Each candidate says
    whether the user may open that record; callers show the rest only as a score and
    the unit to contact."""
    from django.core.exceptions import PermissionDenied

    if not may_check_duplicates(user):
        raise PermissionDenied(_("Only staff who register people may run the duplicate check."))
    per_minute = getattr(settings, "PEOPLE_DUPLICATE_CHECKS_PER_MINUTE", 30)
    rate_limit(f"people-duplicates:{user.pk}", limit=per_minute, window_seconds=60)
    found = find_duplicates(query, exclude=exclude)
    visible = set(
        visible_people(user)
        .filter(pk__in=[c.person.pk for c in found])
        .values_list("pk", flat=True)
    )
    for candidate in found:
        candidate.visible = candidate.person.pk in visible
    record(
        actor=user,
        action=Action.SEARCH,
        object_type="people.person",
        request=request,
        detail={
            "kind": "duplicate_check",
            "candidates": len(found),
            "probable": sum(c.probable for c in found),
            "hidden": sum(not c.visible for c in found),
        },
    )
    return found


# --- family ---------------------------------------------------------------------------------


@dataclass
class Relative:
    person: Person
    label: str
    relationship: Relationship
    inverse: bool  # listed because the other record names this person
    visible: bool = False  # the user may open the relative's own record
    cases: list[Case] = field(default_factory=list)  # the relative's cases the user may open
    other_cases: int = 0  # cases held by teams the user is not on


def family_of(user: User, person: Person) -> list[Relative]:
    """Relatives of a person the user may see the family section of, each with whether
    they have a case and (only when the user may open it) which one."""
    if Section.FAMILY not in person_sections(user, person):
        return []
    out: list[Relative] = []
    for rel in Relationship.objects.filter(person=person).select_related("relative"):
        out.append(Relative(rel.relative, str(rel.get_kind_display()), rel, inverse=False))
    for rel in Relationship.objects.filter(relative=person).select_related("person"):
        out.append(Relative(rel.person, str(INVERSE_LABELS[rel.kind]), rel, inverse=True))
    out = [r for r in out if r.person.merged_into_id is None]
    ids = [r.person.pk for r in out]
    visible = set(visible_people(user).filter(pk__in=ids).values_list("pk", flat=True))
    open_cases: dict[int, list[Case]] = defaultdict(list)
    for case in policy.visible_cases(user).filter(person_id__in=ids).order_by("-opened_at"):
        open_cases[case.person_id].append(case)
    all_cases = dict(
        Case.objects.filter(person_id__in=ids)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    for relative in out:
        relative.visible = relative.person.pk in visible
        relative.cases = open_cases.get(relative.person.pk, [])
        relative.other_cases = all_cases.get(relative.person.pk, 0) - len(relative.cases)
    return out


def household_of(user: User, person: Person) -> HouseholdMember | None:
    """The person's current household membership (family section only)."""
    if Section.FAMILY not in person_sections(user, person):
        return None
    return (
        HouseholdMember.objects.filter(person=person, until__isnull=True)
        .select_related("household", "household__region")
        .first()
    )


def household_members(membership: HouseholdMember) -> list[HouseholdMember]:
    return list(
        HouseholdMember.objects.filter(household=membership.household, until__isnull=True)
        .select_related("person")
        .order_by("-is_head", "person__birth_date")
    )


# --- merges ---------------------------------------------------------------------------------


def merge_requests_to_decide(user: User) -> QuerySet[MergeRequest]:
    """Open merge requests a supervisor decides: those asked by staff of their unit
    (not by themself). Deciding needs both records side by side, so the request opens
    them to the supervisor for that purpose."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.has_role(Role.SUPERVISOR)
        or user.has_role(Role.ADMIN)
        or not user.unit_id
    ):
        return MergeRequest.objects.none()
    return (
        MergeRequest.objects.filter(state=MergeState.REQUESTED, requested_by__unit_id=user.unit_id)
        .exclude(requested_by=user)
        .select_related("kept", "duplicate", "requested_by")
        .order_by("requested_at")
    )
