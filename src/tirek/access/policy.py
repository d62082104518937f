"""The one place that decides who may see and do what with a case (DESIGN.md section 4).

Access = role × relation to the case × section sensitivity; deny by default.

Relations that grant anything:
- member of the case team, with a role on this case (the user must still hold that role);
- supervisor of the case's supervising unit;
- an active emergency (break-the-glass) access: read only, time limited, reviewed by the DPO;
- a pending transfer's preview (``tirek.access.models.TransferPreview``): the supervisors of
  the receiving unit read the basic information and the sections the request shares, read
  only, until the request is answered.

Emergency access (DESIGN.md section 4) is open only to the roles that act when a child is
in danger and nobody on the team can be reached: ``EMERGENCY_ROLES`` = case manager,
social worker, psychologist and supervisor. They carry the case and its safety decisions.
School liaison, health worker, religious counsellor, lawyer and interviewer do not: they
see one section of cases they are brought onto, and an emergency in their field is handled
by calling the case manager or the unit's supervisor. An emergency access opens the
sections of the user's emergency roles only, and only on cases of the user's own region
(its subtree) or agency, unless a supervisor of the case's unit has extended it to the
user (``tirek.access.models.EmergencyScopeExtension``, audited). Opening one is rate
limited per person and across the installation and announced at once to the case's
supervisors and the DPO (``tirek.access.services.open_emergency_access``).
Everyone else — colleagues of the same agency who are not on the team, staff of another
region, roles that do no casework — sees nothing: the case is a 404, as if it did not exist.
A user holding the system administrator role never reads case data, whatever else they hold.

Sections: each grant (one relation in one role) opens the role's sections
(``ROLE_SECTIONS``), plus the extra ``sections`` recorded on a team membership, with
three rules applied per grant:
- protected identity: on a protected case, a grant held in a role that does not need
  identity (school, health: ``PROTECTED_FROM``) never opens ``PROTECTED_SECTIONS``;
- security information is shared one way: a welfare role never gets the SECURITY
  section, even as an extra; law enforcement gets welfare sections as extras only when
  the membership records the legal basis;
- sections outside ``Section.ALL`` are ignored.

Adults only: the justice pathway's roles (``ADULTS_ONLY_ROLES`` = probation officer,
prison/centre social worker) work with the women (and men) in custody or on probation,
never with children. A team membership held in one of these roles grants nothing — not
even that the case exists — unless the case's person is an adult today (a recorded date
of birth at least 18 years ago; an unknown date counts as a child, deny by default). The
rule sits in ``_memberships``, so lists (SQL), ``sections_for`` and ``get_case`` agree; the
cases app also refuses to put these roles on a child's team (``fits_case``).
- probation officer (DESIGN.md section 2): CORE, SECURITY (the legal status, conditions
  and reviews of ``tirek.justice``) and COUNSELLING (disengagement sessions), as a
  law-enforcement role: welfare sections reach them only as extras with a legal basis;
- prison/centre social worker (not in DESIGN.md's table; decided for issue 16): CORE,
  FAMILY (contact with her children, the household she returns to), SOCIAL (housing,
  benefits, employment on release) and COUNSELLING (disengagement sessions held in the
  institution). A welfare role: never SECURITY, whatever is recorded — the institution's
  own file stays with law enforcement — and no psychological or legal notes.

The INCIDENTS section (stigma and discrimination, ``tirek.incidents``) goes to the roles
that act on an incident: case manager, social worker and psychologist (the child's
support), supervisor (all welfare sections) and school liaison (who records school
incidents). Not to lawyers, health workers or counsellors by default — a case manager
shares it with them as an extra section when an incident needs them.

Lists use ``visible_cases`` / ``cases_with_section`` so filtering happens in SQL, never in
Python; ``sections_for`` / ``can_see`` answer for one case and agree with them (the
access-matrix test checks both against each other). One exception, for a page of many
read-only lists ("my work"): inside ``case_grants_read_once`` the user's relations are
read once, each case's sections worked out by the same rules as ``sections_for``, and
the lists get the matching case ids (``test_case_grants_read_once`` checks they agree).

Denied look-ups: ``get_case`` answers 404 for a case the user may not see, the same as for
a missing one, and records an ``Action.DENIED`` audit entry in both situations (with
``exists`` in the detail, for the DPO). Doing the same work either way keeps the answer —
status, body and roughly the time — identical, so ids leak nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db.models import Case as CaseWhen
from django.db.models import Exists, F, JSONField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils import timezone

from tirek.accounts.roles import CASEWORK_ROLES, Role
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.cases.models import Case, CaseStatus, CaseTeamMember
from tirek.core.ids import IdList

from . import epoch
from .sections import Section

if TYPE_CHECKING:
    from tirek.accounts.models import User

__all__ = [
    "PROTECTED_FROM",
    "PROTECTED_SECTIONS",
    "EMERGENCY_ROLES",
    "ROLE_SECTIONS",
    "SECURITY_ROLES",
    "Section",
    "ADULTS_ONLY_ROLES",
    "adult_cutoff",
    "can_manage",
    "fits_case",
    "can_see",
    "can_write",
    "cases_with_section",
    "get_case",
    "has_emergency_access",
    "in_emergency_scope",
    "is_adult",
    "is_supervisor_of",
    "loaded_team",
    "managed_cases",
    "supervised_unit_id",
    "may_break_glass",
    "reads_through_emergency_access_only",
    "relations_changed",
    "sections_for",
    "sections_for_many",
    "team_roles",
    "visible_cases",
    "visible_persons",
    "works_on_cases",
]

S = Section
WELFARE_ALL = frozenset(
    {
        S.CORE,
        S.RETURN_HISTORY,
        S.FAMILY,
        S.PLAN,
        S.PSYCHOLOGICAL,
        S.SOCIAL,
        S.LEGAL,
        S.EDUCATION,
        S.HEALTH,
        S.COUNSELLING,
        S.INCIDENTS,
    }
)

ROLE_SECTIONS: dict[str, frozenset[str]] = {
    Role.CASE_MANAGER: frozenset(
        {
            S.CORE,
            S.RETURN_HISTORY,
            S.FAMILY,
            S.PLAN,
            S.SOCIAL,
            S.LEGAL,
            S.EDUCATION,
            S.HEALTH,
            S.INCIDENTS,
        }
    ),
    Role.PSYCHOLOGIST: frozenset(
        {
            S.CORE,
            S.RETURN_HISTORY,
            S.FAMILY,
            S.PLAN,
            S.PSYCHOLOGICAL,
            S.EDUCATION,
            S.HEALTH,
            S.INCIDENTS,
        }
    ),
    Role.SOCIAL_WORKER: frozenset(
        {S.CORE, S.RETURN_HISTORY, S.FAMILY, S.PLAN, S.SOCIAL, S.EDUCATION, S.INCIDENTS}
    ),
    Role.LAWYER: frozenset({S.CORE, S.RETURN_HISTORY, S.FAMILY, S.LEGAL}),
    Role.SCHOOL_LIAISON: frozenset({S.CORE, S.EDUCATION, S.INCIDENTS}),
    Role.HEALTH_WORKER: frozenset({S.CORE, S.HEALTH}),
    Role.INTERVIEWER: frozenset({S.CORE, S.SECURITY}),
    Role.RELIGIOUS_COUNSELLOR: frozenset({S.CORE, S.RETURN_HISTORY, S.COUNSELLING}),
    Role.PROBATION_OFFICER: frozenset({S.CORE, S.SECURITY, S.COUNSELLING}),
    Role.PRISON_SOCIAL_WORKER: frozenset({S.CORE, S.FAMILY, S.SOCIAL, S.COUNSELLING}),
    Role.SUPERVISOR: WELFARE_ALL,
    # The family's everyday contact in the community (issue 16): who the family is, never
    # return history, psychological, legal or security. FAMILY stays open on protected
    # cases: the case manager puts them on the family's team for exactly that work, and
    # the relatives they visit are the people they already know by name.
    Role.COMMUNITY_WORKER: frozenset({S.CORE, S.FAMILY}),
}
# Roles that never see protected identity sections, even when granted them by a referral.
PROTECTED_FROM = frozenset({Role.SCHOOL_LIAISON, Role.HEALTH_WORKER})
PROTECTED_SECTIONS = frozenset({S.RETURN_HISTORY, S.FAMILY})
# Roles that may break the glass (see the module docstring for why these four).
EMERGENCY_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.SUPERVISOR}
)
# Law enforcement: the only roles that see the SECURITY section.
SECURITY_ROLES = frozenset(r for r, sections in ROLE_SECTIONS.items() if S.SECURITY in sections)
# The justice pathway's roles: their grants count on adults' cases only (module docstring).
ADULTS_ONLY_ROLES = frozenset({Role.PROBATION_OFFICER, Role.PRISON_SOCIAL_WORKER})
ADULT_AGE = 18


def adult_cutoff(today: date | None = None) -> date:
    """The latest date of birth of someone who is an adult ``today`` (29 February → 28th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:
        return today.replace(year=today.year - ADULT_AGE, day=28)


def is_adult(person: Any) -> bool:
    birth: date | None = getattr(person, "birth_date", None)
    return birth is not None and birth <= adult_cutoff()


def fits_case(role: str, case: Case) -> bool:
    """May a membership in ``role`` grant anything on ``case`` (adults-only roles)."""
    return role not in ADULTS_ONLY_ROLES or is_adult(case.person)


# --- who the user is ----------------------------------------------------------------------


def _casework_roles(user: User) -> frozenset[str]:
    """The roles through which the user may relate to cases; empty for anyone who may not
    read case data at all (signed out, disabled, system administrator, non-casework)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    roles: frozenset[str] = user.role_set
    if Role.ADMIN in roles:
        return frozenset()
    return frozenset(roles & CASEWORK_ROLES)


def _emergency_roles(user: User) -> frozenset[str]:
    return _casework_roles(user) & EMERGENCY_ROLES


def works_on_cases(user: User) -> bool:
    """Holds a role that relates to cases (and is no system administrator): has the case
    list, may be put on a team."""
    return bool(_casework_roles(user))


def may_break_glass(user: User) -> bool:
    """Only the roles that act in emergencies may open a case through emergency access."""
    return bool(_emergency_roles(user))


def supervised_unit_id(user: User) -> int | None:
    """The unit whose cases the user supervises, or None (not a supervisor, no unit, or a
    system administrator, who never reads case data whatever else they hold)."""
    if Role.SUPERVISOR in _casework_roles(user) and user.unit_id:
        return int(user.unit_id)
    return None


def open_unit_case_count(user: User) -> int | None:
    """How many cases of the unit the user supervises are not closed (None: supervises
    none); from the grants when they are read once."""
    unit_id = supervised_unit_id(user)
    if unit_id is None:
        return None
    read_once = _grants_read_once(user)
    if read_once is not None:
        return read_once.open_in_unit
    return (
        Case.objects.filter(supervising_unit_id=unit_id).exclude(status=CaseStatus.CLOSED).count()
    )


def _home_region_paths(user: User) -> set[str]:
    places = (user.region, getattr(user.unit, "region", None), getattr(user.agency, "region", None))
    return {r.path for r in places if r is not None}


def in_emergency_scope(user: User, case: Case) -> bool:
    """May the user break the glass on this case: a case of their own region (or one below
    it) or of their agency, or of a unit whose supervisor extended it to them."""
    if not may_break_glass(user):
        return False
    region = case.region
    if region is not None and any(region.path.startswith(p) for p in _home_region_paths(user)):
        return True
    unit = case.supervising_unit
    if user.agency_id and unit is not None and unit.agency_id == user.agency_id:
        return True
    from .models import EmergencyScopeExtension

    return EmergencyScopeExtension.objects.filter(
        user=user,
        unit_id=case.supervising_unit_id,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()


# --- relations --------------------------------------------------------------------------


def _memberships(user: User) -> QuerySet[CaseTeamMember]:
    roles = _casework_roles(user)
    members = CaseTeamMember.objects.filter(user=user, removed_at__isnull=True, role__in=roles)
    if roles & ADULTS_ONLY_ROLES:
        # Adults only (module docstring): a NULL date of birth fails the comparison.
        members = members.filter(
            ~Q(role__in=ADULTS_ONLY_ROLES) | Q(case__person__birth_date__lte=adult_cutoff())
        )
    return members


def _active_emergency(user: User) -> QuerySet[Any]:
    from tirek.privacy.models import EmergencyAccess

    return EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now())


def _previews(user: User) -> QuerySet[Any]:
    """Pending transfers' previews for the unit the user supervises (none for anyone else)."""
    from .models import TransferPreview

    unit_id = supervised_unit_id(user)
    if unit_id is None:
        return TransferPreview.objects.none()
    return TransferPreview.objects.filter(unit_id=unit_id, ended_at__isnull=True)


def _preview_sections(sections: Any) -> frozenset[str]:
    """A preview's ``sections`` (a JSON list of section names)."""
    extra = sections if isinstance(sections, list) else []
    return frozenset(str(s) for s in extra)


def _preview_grant(sections: frozenset[str]) -> _Grant:
    return _Grant(Role.SUPERVISOR, sections, exact=True)


# A case page asks the policy many times about one case (the page, then every panel).
# ``get_case`` marks the case it returns so the user's relation to it is looked up once;
# any change to team memberships or emergency accesses in this process (save, delete,
# queryset update: see ``tirek.access.epoch``) invalidates every such cached answer.
relations_changed = epoch.bump  # for writes outside the ORM (raw SQL, other processes' tests)


@dataclass(frozen=True)
class _Relation:
    memberships: tuple[CaseTeamMember, ...]
    emergency: bool
    previews: tuple[frozenset[str], ...] = ()


def _relation(user: User, case: Case) -> _Relation:
    cache: dict[int, tuple[int, _Relation]] | None = getattr(case, "_policy_cache", None)
    if cache is not None:
        hit = cache.get(user.pk)
        if hit is not None and hit[0] == epoch.current():
            return hit[1]
    now = epoch.current()
    relation = _Relation(
        memberships=tuple(_memberships(user).filter(case=case)),
        emergency=_active_emergency(user).filter(case=case).exists(),
        previews=()
        if is_supervisor_of(user, case)  # sees it all anyway: spare the query
        else tuple(_preview_sections(p.sections) for p in _previews(user).filter(case=case)),
    )
    if cache is not None:
        cache[user.pk] = (now, relation)
    return relation


def _load_relation(user: User, case: Case) -> None:
    """The user's relation to a case just loaded by ``get_case``, from one query for the
    whole current team (kept for the page: ``loaded_team``) and the emergency flag the
    case row brought (``_emergency_now``)."""
    team = list(
        CaseTeamMember.objects.filter(case=case, removed_at__isnull=True)
        .select_related("user", "user__agency")
        .order_by("added_at", "id")
    )
    roles = _casework_roles(user)
    relation = _Relation(
        memberships=tuple(
            m for m in team if m.user_id == user.pk and m.role in roles and fits_case(m.role, case)
        ),
        emergency=bool(getattr(case, "_emergency_now", False)),
        previews=()
        if supervised_unit_id(user) is None or is_supervisor_of(user, case)
        else tuple(_preview_sections(p.sections) for p in _previews(user).filter(case=case)),
    )
    case._policy_cache = {user.pk: (epoch.current(), relation)}  # type: ignore[attr-defined]
    case._loaded_team = (epoch.current(), team)  # type: ignore[attr-defined]


def loaded_team(case: Case) -> list[CaseTeamMember] | None:
    """The current team ``get_case`` loaded with the case (in the order they joined), while
    no relation changed since; None otherwise (ask ``access.selectors.active_team``)."""
    loaded: tuple[int, list[CaseTeamMember]] | None = getattr(case, "_loaded_team", None)
    if loaded is None or loaded[0] != epoch.current():
        return None
    return loaded[1]


def is_supervisor_of(user: User, case: Case) -> bool:
    unit_id = supervised_unit_id(user)
    return unit_id is not None and unit_id == case.supervising_unit_id


def team_roles(user: User, case: Case) -> list[CaseTeamMember]:
    """The user's active memberships of the case team (in roles the user still holds)."""
    if not _casework_roles(user):
        return []
    return list(_relation(user, case).memberships)


def has_emergency_access(user: User, case: Case) -> bool:
    return bool(_emergency_roles(user)) and _relation(user, case).emergency


def reads_through_emergency_access_only(user: User, case: Case) -> bool:
    """True when the user sees the case only through break-the-glass (a banner says so)."""
    return (
        has_emergency_access(user, case)
        and not team_roles(user, case)
        and not is_supervisor_of(user, case)
    )


# --- sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grant:
    role: str
    extra: frozenset[str] = frozenset()
    legal_basis: bool = False
    exact: bool = False  # a referral's grant: CORE plus ``extra``, not the role's default


def _grant_sections(grant: _Grant, protected: bool) -> frozenset[str]:
    default = ROLE_SECTIONS.get(grant.role, frozenset({S.CORE}))
    sections = {S.CORE} if grant.exact else set(default)
    extra = set(grant.extra) & S.ALL
    if grant.role in SECURITY_ROLES:
        if not grant.legal_basis:
            extra &= default  # welfare sections reach law enforcement only on a legal basis
    else:
        extra.discard(S.SECURITY)  # security information never flows to welfare roles
    sections |= extra
    if protected and grant.role in PROTECTED_FROM:
        sections -= PROTECTED_SECTIONS
    return frozenset(sections)


def _sections(grants: Iterable[_Grant], protected: bool) -> frozenset[str]:
    result: set[str] = set()
    for grant in grants:
        result |= _grant_sections(grant, protected)
    return frozenset(result)


def _membership_grant(m: CaseTeamMember) -> _Grant:
    return _team_grant(m.role, m.sections, m.legal_basis, m.exact_sections)


def _team_grant(role: str, sections: Any, legal_basis: str, exact: bool) -> _Grant:
    """A membership's grant from its columns (``sections``: the JSON list of extras)."""
    extra = tuple(str(s) for s in sections) if isinstance(sections, list) else ()
    return _grant_of(role, extra, bool(legal_basis), bool(exact))


# A user's memberships are of a few kinds (role, extras, legal basis), repeated on every
# case: a list of cases makes each grant, and the sections of each set of grants, once.
@lru_cache(maxsize=1024)
def _grant_of(role: str, extra: tuple[str, ...], legal_basis: bool, exact: bool) -> _Grant:
    return _Grant(role, frozenset(extra), legal_basis, exact)


@lru_cache(maxsize=1024)
def _sections_of(grants: tuple[_Grant, ...], protected: bool) -> frozenset[str]:
    return _sections(grants, protected)


def sections_for(user: User, case: Case, *, include_emergency: bool = True) -> frozenset[str]:
    """The sections of this case the user may see (empty: not even that it exists).

    ``include_emergency=False`` leaves out the grants that only let one read: emergency
    access and a pending transfer's preview."""
    roles = _casework_roles(user)
    if not roles:
        return frozenset()
    relation = _relation(user, case)
    grants = [_membership_grant(m) for m in relation.memberships]
    if is_supervisor_of(user, case):
        grants.append(_Grant(Role.SUPERVISOR))
    if include_emergency and relation.emergency:
        grants.extend(_Grant(role) for role in roles & EMERGENCY_ROLES)
    if include_emergency:
        grants.extend(_preview_grant(p) for p in relation.previews)
    return _sections(grants, case.protected_identity)


def sections_for_many(user: User, cases: Iterable[Case]) -> dict[int, frozenset[str]]:
    """``sections_for`` for a page of cases in one query (for lists)."""
    cases = list(cases)
    if not _casework_roles(user) or not cases:
        return {c.pk: frozenset() for c in cases}
    grants = _read_grants(user, only=[c.pk for c in cases])
    assert grants is not None  # bounded by the page: never too many rows
    return {c.pk: grants.sections.get(c.pk, frozenset()) for c in cases}


def can_see(user: User, case: Case, section: str) -> bool:
    return section in sections_for(user, case)


def can_write(user: User, case: Case, section: str) -> bool:
    """May add or change records of ``section`` (team members and supervisors; emergency
    access only lets one read)."""
    return section in sections_for(user, case, include_emergency=False)


def can_manage(user: User, case: Case) -> bool:
    """May change the case itself, its team and transfer it: a case manager on the team or
    the supervisor of the unit."""
    if is_supervisor_of(user, case):
        return True
    return any(m.role == Role.CASE_MANAGER for m in team_roles(user, case))


# --- lists, in SQL ----------------------------------------------------------------------


def _ids_in(parts: list[QuerySet[Any]]) -> QuerySet[Case]:
    """Cases whose id is in the union of ``parts`` (each a one-column id queryset).

    One ``id IN (… UNION …)`` subquery: both databases start from the user's few relations
    (team rows, their unit, emergency accesses) and look cases up by primary key, instead
    of testing every case in the table; the cost follows the caseload, not the database."""
    ids = parts[0].order_by()
    if len(parts) > 1:
        ids = ids.union(*(p.order_by() for p in parts[1:]))
    return Case.objects.filter(pk__in=ids)


@dataclass(frozen=True)
class _CaseGrants:
    """What a user may do with each case they may open: read from one query (``_read_grants``)."""

    sections: dict[int, frozenset[str]]
    managed: frozenset[int]
    # case -> the roles the user is on its team in (roles they hold)
    team_roles: dict[int, frozenset[str]]
    open_in_unit: int = 0  # the supervised unit's cases that are not closed

    def with_section(self, section: str) -> list[int]:
        return sorted(pk for pk, seen in self.sections.items() if section in seen)


# Inside ``case_grants_read_once``: each user's grants, read once (None: too many cases).
_read_once: ContextVar[dict[int, _CaseGrants | None] | None] = ContextVar(
    "tirek_case_grants", default=None
)
# A longer list of ids costs more as query parameters than the subqueries it replaces.
VISIBLE_IDS_LIMIT = 2000


@contextmanager
def case_grants_read_once() -> Iterator[None]:
    """Within the block, ``visible_cases``, ``cases_with_section`` and ``managed_cases``
    answer from the user's relations read once, as ``id IN (ids)``. For read-only pages
    that draw many panels from one user's cases ("my work"): Django builds and compiles
    the policy's nested subqueries anew in every panel's query, which costs more than
    reading the relations. A write inside the block would not be seen by the lists drawn
    after it, so only pages that write nothing use it."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def case_grants_read_once_for(request: HttpRequest) -> AbstractContextManager[None]:
    """``case_grants_read_once`` as a scope of "my work" (which hands its scopes the
    request)."""
    return case_grants_read_once()


def _grants_read_once(user: User) -> _CaseGrants | None:
    remembered = _read_once.get()
    if remembered is None:
        return None
    if user.pk not in remembered:
        remembered[user.pk] = _read_grants(user)
    return remembered[user.pk]


# Row kinds of ``_read_grants`` besides a membership's role (never a role's name).
_EMERGENCY, _UNIT, _PREVIEW = "+emergency", "+unit", "+preview"
_UNIT_CLOSED = "+unit-closed"  # a closed case of the unit: the same grant, not counted open


def _grant_rows(qs: QuerySet[Any], *columns: Any) -> QuerySet[Any]:
    """``qs`` as rows of case id, kind, extra sections, legal basis, exact, protected: every
    column an annotation, made in the same order, so each part of the UNION lines up."""
    names = [f"grant_{n}" for n in range(len(columns))]
    rows: QuerySet[Any] = qs.order_by().annotate(**dict(zip(names, columns, strict=True)))
    return rows.values_list(*names)


def _read_grants(user: User, only: list[int] | None = None) -> _CaseGrants | None:
    """Every relation of the user to a case (to the cases ``only`` names, if given) in one
    UNION ALL query (memberships, emergency accesses, the supervised unit's cases,
    transfer previews), turned into sections the way ``sections_for`` does for one case.
    None when, without ``only``, there are too many rows to hold."""
    roles = _casework_roles(user)
    in_only = Q() if only is None else Q(case_id__in=only)
    no_extra = Value(None, output_field=JSONField())
    parts = [
        _grant_rows(_memberships(user).filter(in_only), F("case_id"), F("role"),
                    F("sections"), F("legal_basis"), F("exact_sections"),
                    F("case__protected_identity"))
    ]  # fmt: skip
    if roles & EMERGENCY_ROLES:
        parts.append(
            _grant_rows(_active_emergency(user).filter(in_only), F("case_id"),
                        Value(_EMERGENCY), no_extra, Value(""), Value(False),
                        F("case__protected_identity"))
        )  # fmt: skip
    unit_id = supervised_unit_id(user)
    if unit_id is not None:
        unit_cases = Case.objects.filter(supervising_unit_id=unit_id)
        if only is not None:
            unit_cases = unit_cases.filter(pk__in=only)
        unit_kind = When(status=CaseStatus.CLOSED, then=Value(_UNIT_CLOSED))
        parts.append(
            _grant_rows(unit_cases, F("id"), CaseWhen(unit_kind, default=Value(_UNIT)), no_extra,
                        Value(""), Value(False), F("protected_identity"))
        )  # fmt: skip
        parts.append(
            _grant_rows(_previews(user).filter(in_only), F("case_id"), Value(_PREVIEW),
                        F("sections"), Value(""), Value(True), F("case__protected_identity"))
        )  # fmt: skip
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    if only is not None:
        rows = list(query)
    else:
        rows = list(query[: 2 * VISIBLE_IDS_LIMIT + 1])
        if len(rows) > 2 * VISIBLE_IDS_LIMIT:
            return None
    grants: dict[int, list[_Grant]] = {}
    protected_cases: set[int] = set()
    managed: set[int] = set()
    team_roles: dict[int, set[str]] = {}
    open_in_unit = 0
    for case_id, kind, extra, legal, exact, protected in rows:
        if protected:
            protected_cases.add(case_id)
        found = grants.setdefault(case_id, [])
        if kind == _EMERGENCY:
            found.extend(_Grant(role) for role in roles & EMERGENCY_ROLES)
        elif kind in (_UNIT, _UNIT_CLOSED):
            found.append(_Grant(Role.SUPERVISOR))
            managed.add(case_id)
            open_in_unit += kind == _UNIT
        elif kind == _PREVIEW:
            found.append(_preview_grant(_preview_sections(extra)))
        else:
            found.append(_team_grant(kind, extra, legal, exact))
            team_roles.setdefault(case_id, set()).add(kind)
            if kind == Role.CASE_MANAGER:
                managed.add(case_id)
    if only is None and len(grants) > VISIBLE_IDS_LIMIT:
        return None
    return _CaseGrants(
        sections={pk: _sections_of(tuple(g), pk in protected_cases) for pk, g in grants.items()},
        managed=frozenset(managed),
        team_roles={pk: frozenset(held) for pk, held in team_roles.items()},
        open_in_unit=open_in_unit,
    )


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case the user may open, filtered in the database."""
    roles = _casework_roles(user)
    if not roles:
        return Case.objects.none()
    read_once = _grants_read_once(user)
    if read_once is not None:
        return Case.objects.filter(pk__in=IdList(read_once.sections))
    return _visible_cases(user, roles)


def visible_case_ids(user: User) -> IdList | QuerySet[Case]:
    """For ``case__in=``: the ids of the cases the user may open while their grants are
    read once (``case_grants_read_once``), else ``visible_cases``. A list of ids needs no
    policy subquery to build and compile; PostgreSQL charged that subquery's setup cost
    once per row looked up, which made it scan every waiting referral of the programme.
    A long list goes as one array parameter (``IdList``; docs/performance.md)."""
    roles = _casework_roles(user)
    if not roles:
        return IdList(())
    read_once = _grants_read_once(user)
    if read_once is not None:
        return IdList(read_once.sections)
    return _visible_cases(user, roles)


def _visible_cases(user: User, roles: frozenset[str]) -> QuerySet[Case]:
    parts: list[QuerySet[Any]] = [_memberships(user).values("case_id")]
    if roles & EMERGENCY_ROLES:
        parts.append(_active_emergency(user).values("case_id"))
    unit_id = supervised_unit_id(user)
    if unit_id is not None:
        parts.append(Case.objects.filter(supervising_unit_id=unit_id).values("id"))
        parts.append(_previews(user).values("case_id"))
    return _ids_in(parts)


def managed_cases(user: User) -> QuerySet[Case]:
    """Every case the user may manage (``can_manage``), filtered in the database: a case
    manager on the team, or the supervisor of the case's unit."""
    read_once = _grants_read_once(user)
    if read_once is not None:
        return Case.objects.filter(pk__in=IdList(read_once.managed))
    parts: list[QuerySet[Any]] = []
    if Role.CASE_MANAGER in _casework_roles(user):
        parts.append(_memberships(user).filter(role=Role.CASE_MANAGER).values("case_id"))
    unit_id = supervised_unit_id(user)
    if unit_id is not None:
        parts.append(Case.objects.filter(supervising_unit_id=unit_id).values("id"))
    if not parts:
        return Case.objects.none()
    return _ids_in(parts)


def team_case_ids_read_once(
    user: User, roles: Collection[str] | None = None
) -> frozenset[int] | None:
    """Inside ``case_grants_read_once``: the cases on whose team the user is, in a role
    they hold (as the policy counts memberships), and one of ``roles`` if given; None
    outside the block, or when the user's grants were too many to hold."""
    read_once = _grants_read_once(user) if _casework_roles(user) else None
    if read_once is None:
        return None
    if roles is None:
        return frozenset(read_once.team_roles)
    wanted = set(roles)
    return frozenset(pk for pk, held in read_once.team_roles.items() if held & wanted)


def case_ids_with_section(user: User, section: str) -> IdList | QuerySet[Case]:
    """For ``case__in=``: ``cases_with_section`` as a list of ids while the user's grants
    are read once (see ``visible_case_ids``)."""
    read_once = _grants_read_once(user) if _casework_roles(user) and section in S.ALL else None
    if read_once is not None:
        return IdList(read_once.with_section(section))
    return cases_with_section(user, section)


def cases_with_section(user: User, section: str) -> QuerySet[Case]:
    """Every case of which the user may see ``section``, filtered in the database; the
    same answer as ``can_see`` for each case."""
    roles = _casework_roles(user)
    if not roles or section not in S.ALL:
        return Case.objects.none()
    read_once = _grants_read_once(user)
    if read_once is not None:
        return Case.objects.filter(pk__in=IdList(read_once.with_section(section)))
    by_default = {r for r in roles if section in ROLE_SECTIONS.get(r, frozenset())}
    grants_it = Q(role__in=by_default)
    if section != S.CORE:
        # A referral's exact grant opens only CORE and what it shared (the extras below).
        grants_it &= Q(exact_sections=False)
    if section != S.SECURITY:
        # An extra section recorded on the membership ("sections": ["legal", ...]).
        extra = Q(sections__icontains=f'"{section}"')
        grants_it |= extra & (~Q(role__in=SECURITY_ROLES) | ~Q(legal_basis=""))
    members = _memberships(user).filter(grants_it)
    emergency = _active_emergency(user)
    by_emergency = by_default & EMERGENCY_ROLES
    parts: list[QuerySet[Any]] = []
    if section in PROTECTED_SECTIONS:
        # Protected identity: a grant held as school or health staff does not count.
        members = members.filter(~Q(role__in=PROTECTED_FROM) | Q(case__protected_identity=False))
        if by_emergency and not by_emergency - PROTECTED_FROM:
            emergency = emergency.filter(case__protected_identity=False)
    parts.append(members.values("case_id"))
    if by_emergency:
        parts.append(emergency.values("case_id"))
    unit_id = supervised_unit_id(user)
    if unit_id is not None and section in ROLE_SECTIONS[Role.SUPERVISOR]:
        parts.append(Case.objects.filter(supervising_unit_id=unit_id).values("id"))
        # A transfer's preview: CORE always, any other (welfare) section when shared.
        previews = _previews(user)
        if section != S.CORE:
            previews = previews.filter(sections__icontains=f'"{section}"')
        parts.append(previews.values("case_id"))
    return _ids_in(parts)


# --- one case ---------------------------------------------------------------------------


def _deny(user: User, case_id: Any, section: str, request: HttpRequest | None) -> Http404:
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        return Http404()
    if getattr(user, "is_authenticated", False):
        record(
            actor=user,
            action=Action.DENIED,
            object_type="cases.case",
            object_id=pk,
            request=request,
            detail={"section": section, "exists": Case.objects.filter(pk=pk).exists()},
        )
    return Http404()


def get_case(
    user: User,
    case_id: Any,
    *,
    section: str = Section.CORE,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> Case:
    """The case if the user may see ``section`` of it, else 404 — the same as a missing case.

    Records the read (or the denied attempt) in the audit log unless ``audit`` is false.
    """
    cases = visible_cases(user).select_related(
        "person", "supervising_unit", "region", "case_manager"
    )
    if _emergency_roles(user):  # the user's emergency access comes with the case row
        cases = cases.annotate(
            _emergency_now=Exists(_active_emergency(user).filter(case=OuterRef("pk")))
        )
    try:
        case = cases.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        if audit:
            raise _deny(user, case_id, section, request) from exc
        raise Http404 from exc
    _load_relation(user, case)
    if not can_see(user, case, section):
        if audit:
            raise _deny(user, case_id, section, request)
        raise Http404
    if audit:
        detail: dict[str, Any] = {"section": section}
        if reads_through_emergency_access_only(user, case):
            detail["emergency"] = True
        record(actor=user, action=Action.READ, obj=case, request=request, detail=detail)
    return case


def visible_persons(user: User) -> QuerySet[Any]:
    """People the user may open: those with a case the user may see, and those the user
    registered who have no case yet (registration comes before opening the case)."""
    from tirek.people.models import Person

    if not _casework_roles(user):
        return Person.objects.none()
    with_visible_case = Exists(visible_cases(user).filter(person=OuterRef("pk")))
    without_case = ~Exists(Case.objects.filter(person=OuterRef("pk")))
    return Person.objects.filter(with_visible_case | (Q(created_by=user) & without_case))


# --- protected identity in the team list (issue #15) ------------------------------------------

# Team roles whose presence alone tells a reader about the child's background.
BACKGROUND_ROLES = frozenset({Role.INTERVIEWER, Role.RELIGIOUS_COUNSELLOR, Role.PROBATION_OFFICER})


def visible_team(user: User, case: Case, members: Iterable[CaseTeamMember]) -> list[CaseTeamMember]:
    """The team members ``user`` may see listed on ``case``.

    On a protected case, whoever may not read the return history (school and health
    roles) would learn it from the team list alone: an interviewer, a religious
    counsellor or anyone from a law-enforcement agency is left out for them."""
    members = list(members)
    if sees_team_background(user, case):
        return members
    return [m for m in members if not _reveals_background(m)]


def sees_team_background(user: User, case: Case) -> bool:
    """Whether ``user`` may see who on the team reveals the background (team list and
    the timeline's team changes alike)."""
    return not case.protected_identity or S.RETURN_HISTORY in sections_for(user, case)


def _reveals_background(member: CaseTeamMember) -> bool:
    from tirek.organisations.models import Agency

    agency = member.user.agency if member.user.agency_id else None
    return member.role in BACKGROUND_ROLES or (
        agency is not None and agency.kind == Agency.Kind.LAW_ENFORCEMENT
    )
