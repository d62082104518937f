"""Reading the audit log (data protection officer only; views check the role)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Lookup, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from tirek.core import registry

from .models import AuditEntry

CASE_TYPE = "cases.case"


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
    """A JSON array (``lhs``) holds the number ``rhs``, on SQLite (which has no JSON
    containment): which entries name a record among several. Used as an expression, not
    registered on the field."""

    def __init__(self, array: Any, number: int) -> None:
        super().__init__(array, number)
        self.number = int(number)  # kept as it is: the lookup's rhs becomes an expression

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # ``array`` is the compiled key transform, the number is a parameter.
        array, params = compiler.compile(self.lhs)
        return (
            f"EXISTS (SELECT 1 FROM json_each({array}) WHERE json_each.value = %s)",  # noqa: S608
            (*params, self.number),
        )


def _naming(case_ids: list[int]) -> Q:
    """Entries whose detail names one of these cases: as "the case" of a record (a note, a
    plan...) or among several."""
    if connection.vendor == "postgresql":
        return _containing(case_ids)
    return Q(detail__case__in=case_ids) | _naming_among_several(case_ids)


def _containing(case_ids: list[int]) -> Q:
    """``_naming`` as "the detail contains ...", which PostgreSQL answers from the detail's
    GIN index (migration 0003) instead of reading every entry of the log."""
    found = Q(pk__in=[])
    for pk in case_ids:
        found |= Q(detail__contains={"case": pk}) | Q(detail__contains={"cases": [pk]})
        found |= Q(object_type=CASE_TYPE, detail__contains={"ids": [pk]})
    return found


def _naming_among_several(case_ids: list[int]) -> Q:
    """On SQLite, entries that name one of these cases among several: lists of cases
    (``record_list``, "my work"), and the records and lists whose detail names their
    "cases" (an incident, a list of referrals)."""
    if not case_ids:
        return Q(pk__in=[])
    listed, named = Q(), Q()
    for pk in case_ids:
        listed |= Q(_Lists(KeyTransform("ids", "detail"), pk))
        named |= Q(_Lists(KeyTransform("cases", "detail"), pk))
    return (Q(object_type=CASE_TYPE) & listed) | named


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
        # The case itself, everything recorded about it (notes, plans...) that names the
        # case in its detail, and the lists and records that name it among several.
        ids = case_ids(case)
        entries = entries.filter(
            Q(object_type=CASE_TYPE, object_id__in=[str(pk) for pk in ids]) | _naming(ids)
        )
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        entries = entries.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return entries.order_by("-at", "-id")
