"""Reads on cases, always through the access policy (filters in SQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from tirek.access import policy
from tirek.access import selectors as access
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest
from tirek.organisations.models import Region

from . import attachments
from .models import Attachment, Case, CaseStatus, CaseTeamMember, ContactNote

if TYPE_CHECKING:
    from tirek.accounts.models import User


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    phase: str = ""
    risk_level: str = ""
    region: str = ""  # region code: that region and everything under it
    scope: str = ""  # "" (all I may see) | "mine" (on my team) | "unit" (my unit, supervisors)
    open_only: bool = False


def _variants(word: str) -> set[str]:
    # SQLite folds case for ASCII only; trying the usual capitalisations keeps a search
    # for "омаров" finding "Омарова" there too (PostgreSQL folds any script itself).
    return {word, word.lower(), word.capitalize(), word.upper()}


def _name_matches(user: User, q: str) -> Q:
    """Name search: every word matches a given, family or patronymic name; and, when the
    people app offers it, its spelling-tolerant ``search_people`` (any script)."""
    condition = Q()
    for word in q.split()[:4]:
        any_name = Q()
        for variant in _variants(word):
            any_name |= (
                Q(person__given_name__contains=variant)
                | Q(person__family_name__contains=variant)
                | Q(person__patronymic__contains=variant)
            )
        condition &= any_name
    from tirek.people.selectors import search_people

    return condition | Q(person__in=search_people(user, q).values("pk"))


def case_list(user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases the user may see, filtered, newest first."""
    f = filters or CaseFilters()
    cases = policy.visible_cases(user)
    if f.scope == "mine":
        cases = cases.filter(access.on_team(user, "pk"))
    elif f.scope == "unit" and access.supervised_unit_id(user) is not None:
        cases = cases.filter(access.supervised_q(user, prefix=""))
    if f.status:
        cases = cases.filter(status=f.status)
    elif f.open_only:
        cases = cases.exclude(status=CaseStatus.CLOSED)
    if f.phase:
        cases = cases.filter(phase=f.phase)
    if f.risk_level:
        # Risk belongs to the plan section: filtering by it must not reveal it to roles
        # that may not see it (school, health, law enforcement).
        cases = cases.filter(
            risk_level=f.risk_level,
            pk__in=policy.cases_with_section(user, policy.Section.PLAN).values("pk"),
        )
    if f.region:
        region = Region.objects.filter(code=f.region).first()
        cases = cases.filter(region__path__startswith=region.path) if region else cases.none()
    q = f.q.strip()
    if q:
        number = (
            Q(number__iexact=q) | Q(number__iendswith=q) if any(c.isdigit() for c in q) else Q()
        )
        names = _name_matches(user, q)
        cases = cases.filter(number | names) if number else cases.filter(names)
    # The return history is encrypted and never shown in lists: do not decrypt it per row.
    return (
        cases.select_related("person", "region")
        .defer("return_history")
        .order_by("-opened_at", "-id")
    )


def notes_for(user: User, case: Case) -> QuerySet[ContactNote]:
    """The notes of sections the user may see on this case."""
    return (
        ContactNote.objects.filter(case=case, section__in=policy.sections_for(user, case))
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-occurred_on", "-id")
    )


def note_get(user: User, case: Case, note_id: Any) -> ContactNote:
    try:
        return notes_for(user, case).get(pk=note_id)
    except (ContactNote.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# A case worker's open caseload is tens of cases; the "my work" panels take at most this.
MY_OPEN_LIMIT = 300
# The cases read with it (closed ones other apps ask for included); beyond this many the
# caseload is read on its own.
TEAM_READ_LIMIT = 1000


@dataclass(frozen=True)
class CaseloadRead:
    """What another app reads with the open caseload, so that one query serves both
    (``caseload_reads`` in its AppConfig): ``related`` joined to every case (a
    ``select_related`` path) and the closed cases on the user's teams that
    ``closed_also()`` matches, read along."""

    related: str
    closed_also: Callable[[], Q]


caseload_reads: list[CaseloadRead] = []


def add_caseload_read(read: CaseloadRead) -> None:
    if read not in caseload_reads:
        caseload_reads.append(read)


@dataclass(frozen=True)
class OpenCaseload:
    cases: list[Case]  # by case number, with the person
    # person id -> privacy's ConsentStatus of the case-management purpose (no recipients)
    consent: dict[int, Any]
    consent_records: dict[int, list[Any]]  # person id -> every consent record (privacy)
    # Every case read: the open ones and the closed ones ``caseload_reads`` asked for, by
    # number, with their ``related``; None when there were too many to read whole.
    team_cases: list[Case] | None = None

    @property
    def complete(self) -> bool:
        """Every open case on the user's team, not the first ``MY_OPEN_LIMIT``."""
        return len(self.cases) < MY_OPEN_LIMIT


def my_open_caseload(request: AuthenticatedHttpRequest) -> OpenCaseload:
    """The open cases on the user's team the user may open, with their consent records
    and status: read once per request and shared by the "my work" panels of several apps
    (with what ``caseload_reads`` adds)."""
    cached: OpenCaseload | None = getattr(request, "_cases_open_caseload", None)
    if cached is not None:
        return cached
    from tirek.privacy.models import Purpose
    from tirek.privacy.selectors import consent_records_many, consent_status_from

    team_cases = _team_cases(request.user)
    if team_cases is None:
        mine = case_list(request.user, CaseFilters(scope="mine", open_only=True))
        cases = list(_by_number(mine)[:MY_OPEN_LIMIT])
    else:
        cases = [c for c in team_cases if c.status != CaseStatus.CLOSED][:MY_OPEN_LIMIT]
    persons = [c.person for c in cases]
    records = consent_records_many(persons, recipients=False) if cases else {}
    status = consent_status_from(persons, records, purposes=[Purpose.CASE_MANAGEMENT])
    cached = OpenCaseload(cases, status, records, team_cases)
    request._cases_open_caseload = cached  # type: ignore[attr-defined]
    return cached


def _by_number(cases: QuerySet[Case], *related: str) -> QuerySet[Case]:
    # The panels show numbers and initials: the list's region is not needed.
    return cases.select_related(None).select_related("person", *related).order_by("number")


def _team_cases(user: User) -> list[Case] | None:
    """The open cases on the user's teams and the closed ones ``caseload_reads`` ask for,
    in one query; None when there are more than ``TEAM_READ_LIMIT``."""
    closed_also = Q(pk__in=[])
    for read in caseload_reads:
        closed_also |= read.closed_also()
    mine = case_list(user, CaseFilters(scope="mine")).filter(
        ~Q(status=CaseStatus.CLOSED) | closed_also
    )
    related = [read.related for read in caseload_reads]
    found = list(_by_number(mine, *related)[: TEAM_READ_LIMIT + 1])
    return found if len(found) <= TEAM_READ_LIMIT else None


def team_of(case: Case) -> QuerySet[CaseTeamMember]:
    return access.active_team(case)


def attachment_download(
    user: User, attachment_id: Any, *, request: HttpRequest | None = None
) -> tuple[Attachment, bytes]:
    """The decrypted file if the user may read its note's section; else 404. Audited."""
    try:
        attachment = Attachment.objects.select_related("note").get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    note = attachment.note
    policy.get_case(user, note.case_id, section=note.section, request=request, audit=False)
    data = attachments.read(attachment.stored_name)
    record(
        actor=user,
        action=Action.READ,
        obj=attachment,
        request=request,
        detail={"case": note.case_id, "note": note.pk},
    )
    return attachment, data


# --- case numbers for the audit log ---------------------------------------------------
# The DPO reads the audit log, which holds case ids; these name them by number (and find
# them by number) without reading anything else about the case.


def numbers_by_id(ids: set[int]) -> dict[int, str]:
    return dict(Case.objects.filter(pk__in=ids).values_list("pk", "number"))


def ids_by_number(number: str) -> list[int]:
    """The case with this number, typed in any case: numbers are made in capitals
    ("KZ-2026-000017"), so an exact match on the capitalised number reads the unique
    index, where a case-insensitive one would read every case."""
    typed = number.strip()
    candidates = sorted({typed, typed.upper()})
    return list(Case.objects.filter(number__in=candidates).values_list("pk", flat=True))


def records_about_cases(ids: list[int]) -> dict[str, set[int]]:
    """The people these cases are about, for the audit log's filter by case: the entries
    about the person (their record, a search that listed them, a consent naming them)."""
    people = Case.objects.filter(pk__in=ids).values_list("person_id", flat=True)
    return {"people.person": set(people)}
