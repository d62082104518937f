"""Keeping the blocking keys (``PersonNameKey``) in step with names and dates of birth."""

from __future__ import annotations

from collections.abc import Iterable

from . import matching
from .models import NameKind, Person, PersonName, PersonNameKey


def identity_of(person: Person, names: Iterable[PersonName] | None = None) -> matching.Identity:
    """The matching view of a stored person: primary names plus every other spelling."""
    if names is None:
        names = person.names.all()
    by_kind: dict[str, list[str]] = {}
    for name in names:
        by_kind.setdefault(name.kind, []).append(name.value)
    return identity_from(
        given=person.given_name,
        family=person.family_name,
        patronymic=person.patronymic,
        sex=person.sex,
        birth=person.birth(),
        iin=person.iin,
        other=by_kind,
    )


def identity_from(
    *,
    given: str,
    family: str,
    patronymic: str,
    sex: str,
    birth: matching.Birth,
    iin: str,
    other: dict[str, list[str]],
) -> matching.Identity:
    """The same from plain values (``other``: name kind → other spellings)."""
    return matching.Identity(
        given=(given, *other.get(NameKind.GIVEN, ())),
        family=(family, *other.get(NameKind.FAMILY, ())),
        patronymic=tuple(p for p in (patronymic, *other.get(NameKind.PATRONYMIC, ())) if p),
        full=(*other.get(NameKind.FULL, ()), *other.get(NameKind.ALIAS, ())),
        birth=birth,
        sex="" if sex == "unknown" else sex,
        iin=iin,
    )


def search_key(identity: matching.Identity) -> str:
    """Every spelling in Latin letters, for people reading the database directly."""
    values = [*identity.given, *identity.family, *identity.patronymic, *identity.full]
    return " ".join(dict.fromkeys(matching.latin(v) for v in values if v))[:2000]


def key_rows(person: Person, identity: matching.Identity) -> list[PersonNameKey]:
    return [PersonNameKey(person=person, key=k) for k in sorted(matching.blocking_keys(identity))]


def refresh_keys(person: Person) -> None:
    """Rebuild the person's keys (inside the caller's transaction)."""
    identity = identity_of(person, list(person.names.all()))
    PersonNameKey.objects.filter(person=person).delete()
    if person.merged_into_id is None:
        PersonNameKey.objects.bulk_create(key_rows(person, identity))
    key = search_key(identity)
    if key != person.search_key:
        Person.objects.filter(pk=person.pk).update(search_key=key)
        person.search_key = key
