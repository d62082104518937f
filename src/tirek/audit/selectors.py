"""Reading the audit log (data protection officer only; views check the role)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Func, Lookup, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from tirek.core import registry

from .models import AuditEntry

CASE_TYPE = "cases.case"
PERSON_TYPE = "people.person"


def case_ids(number: str) -> list[int]:
    """The ids of the case with this number (none when no app knows case numbers)."""
    return [pk for lookup in registry.case_numbers for pk in lookup.ids(number)]


def case_numbers(ids: set[int]) -> dict[int, str]:
    numbers: dict[int, str] = {}
    for lookup in registry.case_numbers:
        numbers.update(lookup.numbers(ids))
    return numbers


# The kinds of organisation an entry's detail may name by id, and the keys that hold them.
# An organisation's name is no one's personal data: the log names them for its reader.
ORGANISATION_KEYS: dict[str, str] = {
    "agency": "agency",
    "unit": "unit",
    "from_unit": "unit",
    "to_unit": "unit",
    "region": "region",
}


def organisation_names(ids: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """(kind, id) -> the name of each agency, unit ("agency — unit") and region (in the
    reader's language) of ``ids``: one query for each kind asked for."""
    names: dict[tuple[str, int], str] = {}
    for kind, wanted in ids.items():
        lookup = registry.organisation_names.get(kind)
        if wanted and lookup is not None:
            names.update(((kind, pk), name) for pk, name in lookup(wanted).items())
    return names


class _Lists(Lookup):
    """A JSON array (``lhs``) holds one of ``numbers``, on SQLite (which has no JSON
    containment): which entries name a record among several. Used as an expression, not
    registered on the field."""

    def __init__(self, array: Any, numbers: list[int]) -> None:
        super().__init__(array, numbers)
        self.numbers = [int(n) for n in numbers]  # kept as they are: rhs becomes a Value

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # ``array`` is the compiled key transform, the numbers are parameters.
        array, params = compiler.compile(self.lhs)
        marks = ", ".join(["%s"] * len(self.numbers))
        # json_each of a number is that number: a count under the same key (older group
        # arrivals wrote "cases": 5) is not a list naming case 5.
        return (
            f"(json_type({array}) = 'array' AND EXISTS (SELECT 1 FROM json_each({array})"  # noqa: S608
            f" WHERE json_each.value IN ({marks})))",
            (*params, *params, *self.numbers),
        )


def _none() -> Q:
    return Q(pk__in=[])


def _any(conditions: Iterable[Q]) -> Q:
    found = _none()
    for condition in conditions:
        found |= condition
    return found


def _detail_is(key: str, ids: list[int]) -> Q:
    """Entries whose detail's ``key`` is one of ``ids`` (``{"case": 12}``). On PostgreSQL
    as "the detail contains ...", which the detail's GIN index answers (migration 0003)
    instead of reading every entry of the log."""
    if not ids:
        return _none()
    if connection.vendor == "postgresql":
        return _any(Q(detail__contains={key: pk}) for pk in ids)
    return Q(**{f"detail__{key}__in": ids})


def _detail_lists(key: str, ids: list[int]) -> Q:
    """Entries whose detail's list ``key`` holds one of ``ids`` (``{"cases": [3, 12]}``)."""
    if not ids:
        return _none()
    if connection.vendor == "postgresql":
        return _any(Q(detail__contains={key: [pk]}) for pk in ids)
    return Q(_Lists(KeyTransform(key, "detail"), ids))


def _records(object_type: str, ids: list[int]) -> Q:
    """Entries about these records of ``object_type``: one of them (``record``) or a list
    or page that showed them (``record_list``, ``shown``: ``{"ids": [...]}``)."""
    if not ids:
        return _none()
    one = Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return one | (Q(object_type=object_type) & _detail_lists("ids", ids))


class _NotByIndex(Func):
    """A column SQLite may not read through an index (``+column``), for an ordering."""

    template = "+%(expressions)s"


class _Mentions(Lookup):
    """On SQLite, the entry's detail (its JSON text) has the digits of one of ``numbers``
    somewhere: cheap to ask of every entry, where the JSON functions parse each detail.
    Every entry whose detail names one of the numbers passes, so it only narrows what they
    must read. Used as an expression, not registered on the field."""

    def __init__(self, detail: Any, numbers: list[int]) -> None:
        super().__init__(detail, numbers)
        self.numbers = sorted({int(n) for n in numbers})

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        detail, params = compiler.compile(self.lhs)
        tests = " OR ".join([f"instr({detail}, %s) > 0"] * len(self.numbers))
        return f"({tests})", tuple(p for n in self.numbers for p in (*params, str(n)))


def _naming(case_ids: list[int]) -> Q:
    """Entries about these cases: the case itself or a list that showed it, a record (a
    note, a plan...) whose detail names it as "the case" or among its "cases", and what
    other apps keep about the case without naming it (``_related``): the child's person
    and the entries naming them (a consent), a family and its plan, an incident and its
    actions, a conference."""
    related = _related(case_ids)
    found = (
        _records(CASE_TYPE, case_ids)
        | _detail_is("case", case_ids)
        | _detail_lists("cases", case_ids)
        | _detail_is("person", related.get(PERSON_TYPE, []))
        | _any(_records(object_type, ids) for object_type, ids in related.items())
    )
    if connection.vendor != "sqlite" or not case_ids:
        return found
    # SQLite reads every entry: first the cheap question, then the JSON functions.
    numbers = [*case_ids, *(pk for ids in related.values() for pk in ids)]
    named_by_id = Q(object_id__in=[str(pk) for pk in numbers])
    return (named_by_id | Q(_Mentions(F("detail"), numbers))) & found


def _related(case_ids: list[int]) -> dict[str, list[int]]:
    """What other apps keep about these cases (``registry.case_records``), by kind."""
    related: dict[str, set[int]] = {}
    for records_of in registry.case_records if case_ids else ():
        for object_type, ids in records_of(case_ids).items():
            related.setdefault(object_type, set()).update(ids)
    return {object_type: sorted(ids) for object_type, ids in sorted(related.items()) if ids}


def object_types() -> list[str]:
    """The kinds of record the log mentions, for the filter. Kept a few minutes: finding
    them reads the whole log on PostgreSQL, and a kind is new only when a feature is."""
    return cache.get_or_set(_OBJECT_TYPES_KEY, _object_types, timeout=300) or []


_OBJECT_TYPES_KEY = "tirek:audit:object-types"


def _object_types() -> list[str]:
    return sorted(
        AuditEntry.objects.exclude(object_type="")
        .order_by()
        .values_list("object_type", flat=True)
        .distinct()
    )


def audit_entries(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    case: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor")
    if actor:
        entries = entries.filter(
            Q(actor_name__icontains=actor)
            | Q(actor__first_name__icontains=actor)
            | Q(actor__last_name__icontains=actor)
        )
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if case:
        # The case, everything recorded about it and what other apps keep about it.
        ids = case_ids(case)
        entries = entries.filter(_naming(ids))
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        entries = entries.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    if case and connection.vendor == "sqlite":
        # A case has few entries among many: SQLite would walk the whole log in date
        # order through its index, fetching every entry from the table on the way (600
        # ms at 300,000 entries); read in the table's order and sorted after, 95 ms.
        return entries.order_by(_NotByIndex(F("at")).desc(), "-id")
    return entries.order_by("-at", "-id")
