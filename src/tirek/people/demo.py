"""Demo people (order 10): invented families whose names are spelled several ways across
scripts, as they are in real files.

- The Karimovs (Karaganda): a mother and three children born abroad, two without
  documents and speaking only Arabic; the father's whereabouts unknown.
- The Abenovs (Almaty): two orphans placed with their grandparents, the grandmother
  their legal guardian by a court decision.
- The Mirzoevs (Karaganda): a Tajik mother and son, names in Tajik Cyrillic.
- A boy registered in Almaty in Uzbek Cyrillic (try registering "Oʻtkir Gʻulomov" as
  demo-case-manager: the check finds him and names the Almaty team to contact).
- A girl registered twice in Karaganda (Cyrillic and Latin), with a merge request
  waiting for demo-supervisor.

The first twelve people are the ones the cases loader (order 20) opens cases for: eight
in Karaganda, then four in Almaty. ``demo_person(key)`` finds a demo person by a stable
key for other loaders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from tirek.accounts.models import User
from tirek.organisations.models import Region

from . import services
from .models import (
    DocumentType,
    HouseholdMember,
    MergeRequest,
    Person,
    Relationship,
)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    registrar: str
    family: str
    given: str
    birth: date | None
    patronymic: str = ""
    sex: str = "unknown"
    precision: str = "day"
    estimated: bool = False
    iin: str = ""
    birth_place: str = ""
    birth_country: str = ""
    citizenship: str = ""
    citizenship_status: str = "unknown"
    no_documents: bool = False
    languages: tuple[str, ...] = ()
    other_names: tuple[tuple[str, str], ...] = ()
    documents: tuple[dict[str, Any], ...] = field(default=())


KARAGANDA = "demo-case-manager"
ALMATY = "demo-case-manager-2"

PEOPLE: list[DemoPerson] = [
    # Karaganda: eight people who get cases.
    DemoPerson("karimov-muhammad", KARAGANDA, "Каримов", "Мухаммад", date(2014, 2, 14), "Рустамович", "male",
               iin="140214501002", birth_place="Ракка", birth_country="SY", citizenship="KZ",
               citizenship_status="citizen", languages=("ru", "ar", "kk"),
               other_names=(("given", "Muhammad"), ("family", "Karimov"), ("full", "محمد كريموف")),
               documents=({"doc_type": DocumentType.FOREIGN_BIRTH_RECORD, "country": "SY",
                           "issuer": "Местная администрация"},
                          {"doc_type": DocumentType.BIRTH_CERTIFICATE, "country": "KZ",
                           "number": "I-КР 0457812", "issuer": "ЗАГС г. Караганды",
                           "issued_on": date(2020, 3, 2)})),
    DemoPerson("karimova-fatima", KARAGANDA, "Каримова", "Фатима", date(2016, 1, 1), "Рустамовна", "female",
               precision="year", estimated=True, birth_place="Хасака", birth_country="SY",
               citizenship_status="pending", no_documents=True, languages=("ar",),
               other_names=(("given", "Fatima"), ("full", "فاطمة"))),
    DemoPerson("karimov-yusuf", KARAGANDA, "Каримов", "Юсуф", date(2018, 7, 1), "Рустамович", "male",
               precision="month", estimated=True, birth_place="Хасака", birth_country="SY",
               citizenship_status="pending", no_documents=True, languages=("ar",),
               other_names=(("given", "Yusuf"), ("full", "يوسف"))),
    DemoPerson("karimova-aisha", KARAGANDA, "Каримова", "Айша", date(1992, 4, 12), "Маратовна", "female",
               iin="920412401006", birth_place="Темиртау", birth_country="KZ", citizenship="KZ",
               citizenship_status="citizen", languages=("kk", "ru", "ar"),
               other_names=(("given", "Oysha"), ("full", "Aisha Karimova"), ("full", "عائشة كريموفا")),
               documents=({"doc_type": DocumentType.ID_CARD, "country": "KZ", "number": "049812345",
                           "issuer": "МВД РК", "issued_on": date(2019, 11, 20),
                           "expires_on": date(2029, 11, 19)},)),
    DemoPerson("ismailova-khadija", KARAGANDA, "Исмаилова", "Хадиджа", date(2015, 4, 4), "", "female",
               birth_place="Мосул", birth_country="IQ", citizenship_status="pending",
               languages=("ar", "ru"), other_names=(("given", "Хадижа"),)),
    DemoPerson("mirzoev-suhrob", KARAGANDA, "Мирзоев", "Сӯҳроб", date(2015, 9, 1), "", "male",
               birth_place="Куляб", birth_country="TJ", citizenship="TJ", citizenship_status="foreign",
               languages=("tg", "ru"), other_names=(("given", "Сухроб"), ("full", "Suhrob Mirzoev"))),
    DemoPerson("mirzoeva-zulfiya", KARAGANDA, "Мирзоева", "Зулфия", date(1993, 5, 5), "", "female",
               birth_place="Куляб", birth_country="TJ", citizenship="TJ", citizenship_status="foreign",
               languages=("tg", "ru"), other_names=(("given", "Зульфия"),)),
    DemoPerson("serikbayev-alikhan", KARAGANDA, "Серікбаев", "Әлихан", date(2011, 1, 20), "Серікұлы", "male",
               iin="110120501006", birth_place="Караганда", birth_country="KZ", citizenship="KZ",
               citizenship_status="citizen", languages=("kk", "ru"),
               other_names=(("full", "Алихан Серикбаев"), ("full", "Alikhan Serikbayev"))),
    # Almaty: four people who get cases.
    DemoPerson("abenov-ibragim", ALMATY, "Абенов", "Ибрагим", date(2013, 12, 21), "", "male",
               iin="131221501001", birth_place="Алматы", birth_country="KZ", citizenship="KZ",
               citizenship_status="citizen", languages=("ru", "kk"),
               other_names=(("given", "Ibrahim"), ("family", "Әбенов"))),
    DemoPerson("abenova-maryam", ALMATY, "Абенова", "Марьям", date(2015, 1, 1), "", "female",
               precision="year", estimated=True, birth_place="Идлиб", birth_country="SY",
               citizenship_status="pending", languages=("ru", "ar"),
               other_names=(("given", "Maryam"), ("family", "Әбенова")),
               documents=({"doc_type": DocumentType.RETURN_CERTIFICATE, "country": "KZ",
                           "issuer": "Посольство РК", "issued_on": date(2021, 2, 1)},)),
    DemoPerson("gulomov-utkir", ALMATY, "Ғуломов", "Ўткир", date(2012, 2, 12), "", "male",
               birth_place="Андижан", birth_country="UZ", citizenship="UZ", citizenship_status="foreign",
               languages=("uz", "ru"), other_names=(("full", "Oʻtkir Gʻulomov"),)),
    DemoPerson("yusupova-amina", ALMATY, "Юсупова", "Амина", date(2017, 6, 1), "", "female",
               precision="month", estimated=True, birth_country="SY", citizenship_status="pending",
               no_documents=True, languages=("ar",), other_names=(("full", "آمنة يوسوبوفا"),)),
    # Relatives and a duplicate: no cases.
    DemoPerson("abenova-gulnara", ALMATY, "Абенова", "Гульнара", date(1961, 7, 14), "Кайратовна", "female",
               iin="610714401003", birth_country="KZ", citizenship="KZ", citizenship_status="citizen",
               languages=("kk", "ru"), other_names=(("given", "Гүлнара"), ("family", "Әбенова"))),
    DemoPerson("abenov-serik", ALMATY, "Абенов", "Серик", date(1958, 3, 3), "Абенович", "male",
               iin="580303301004", birth_country="KZ", citizenship="KZ", citizenship_status="citizen",
               languages=("kk", "ru")),
    DemoPerson("karimov-rustam", KARAGANDA, "Каримов", "Рустам", date(1988, 1, 1), "", "male",
               precision="year", birth_country="KZ", citizenship="KZ", citizenship_status="citizen",
               languages=("kk", "ru")),
    DemoPerson("ismailova-khadija-latin", KARAGANDA, "Ismailova", "Khadija", date(2015, 4, 4), "", "female",
               birth_country="IQ"),
]  # fmt: skip

BY_KEY = {p.key: p for p in PEOPLE}

# (person, relative, kind, legal basis, reference, start)
RELATIONSHIPS = [
    ("karimov-muhammad", "karimova-aisha", "mother", "", "", None),
    ("karimova-fatima", "karimova-aisha", "mother", "", "", None),
    ("karimov-yusuf", "karimova-aisha", "mother", "", "", None),
    ("karimov-muhammad", "karimov-rustam", "father", "", "", None),
    ("karimova-fatima", "karimov-rustam", "father", "", "", None),
    ("karimov-muhammad", "karimova-fatima", "sibling", "", "", None),
    ("karimov-muhammad", "karimov-yusuf", "sibling", "", "", None),
    ("karimova-fatima", "karimov-yusuf", "sibling", "", "", None),
    ("mirzoev-suhrob", "mirzoeva-zulfiya", "mother", "", "", None),
    ("abenov-ibragim", "abenova-gulnara", "legal_guardian", "court_decision",
     "Решение районного суда № 2-1187/2023 от 14.03.2023", date(2023, 3, 14)),
    ("abenova-maryam", "abenova-gulnara", "legal_guardian", "court_decision",
     "Решение районного суда № 2-1187/2023 от 14.03.2023", date(2023, 3, 14)),
    ("abenov-ibragim", "abenov-serik", "grandparent", "", "", None),
    ("abenova-maryam", "abenov-serik", "grandparent", "", "", None),
    ("abenov-ibragim", "abenova-maryam", "sibling", "", "", None),
]  # fmt: skip

# (label, region code, locality, head, members)
HOUSEHOLDS = [
    ("Семья Каримовых", "kz-karaganda", "Караганда", "karimova-aisha",
     ["karimov-muhammad", "karimova-fatima", "karimov-yusuf"]),
    ("Дом бабушки и дедушки Абеновых", "kz-almaty", "Алматы", "abenova-gulnara",
     ["abenov-serik", "abenov-ibragim", "abenova-maryam"]),
]  # fmt: skip


def demo_person(key: str) -> Person | None:
    """A demo person by stable key (e.g. "karimova-aisha"), or None if not loaded."""
    spec = BY_KEY[key]
    return (
        Person.objects.filter(
            family_name=spec.family,
            given_name=spec.given,
            birth_date=spec.birth,
            created_by__username=spec.registrar,
            merged_into__isnull=True,
        )
        .order_by("pk")
        .first()
    )


def _create(spec: DemoPerson, by: User) -> Person:
    person = services.person_create(
        by=by,
        given_name=spec.given,
        family_name=spec.family,
        patronymic=spec.patronymic,
        sex=spec.sex,
        birth_date=spec.birth,
        birth_date_precision=spec.precision,
        birth_date_estimated=spec.estimated,
        iin=spec.iin,
        birth_place=spec.birth_place,
        birth_country=spec.birth_country,
        citizenship=spec.citizenship,
        citizenship_status=spec.citizenship_status,
        no_documents=spec.no_documents,
        languages=spec.languages,
        other_names=spec.other_names,
    )
    for document in spec.documents:
        services.document_add(by=by, person=person, **document)
    return person


@transaction.atomic
def load(stdout: Any) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[KARAGANDA, ALMATY])}
    if len(users) < 2:
        stdout.write("Demo people skipped: demo accounts are missing.")
        return
    made = 0
    people: dict[str, Person] = {}
    for spec in PEOPLE:
        person = demo_person(spec.key)
        if person is None:
            person = _create(spec, users[spec.registrar])
            made += 1
        people[spec.key] = person
    for key, relative_key, kind, basis, reference, start in RELATIONSHIPS:
        person, relative = people[key], people[relative_key]
        if not Relationship.objects.filter(person=person, relative=relative, kind=kind).exists():
            Relationship.objects.create(
                person=person,
                relative=relative,
                kind=kind,
                legal_basis=basis,
                basis_reference=reference,
                start_date=start,
                created_by=person.created_by,
            )
    regions = {r.code: r for r in Region.objects.filter(code__in=["kz-karaganda", "kz-almaty"])}
    for label, region, locality, head_key, member_keys in HOUSEHOLDS:
        head = people[head_key]
        if HouseholdMember.objects.filter(person=head, until__isnull=True).exists():
            continue
        services.household_set(
            by=head.created_by,  # type: ignore[arg-type]
            person=head,
            label=label,
            region=regions.get(region),
            locality=locality,
            members=[people[k] for k in member_keys],
            head=head,
        )
    kept, duplicate = people["ismailova-khadija"], people["ismailova-khadija-latin"]
    if not MergeRequest.objects.filter(duplicate=duplicate).exists():
        services.merge_request_create(
            by=users[KARAGANDA],
            kept=kept,
            duplicate=duplicate,
            reason="Одна и та же девочка: запись латиницей сделана по списку возвращённых, "
            "дата рождения совпадает.",
        )
    stdout.write(
        f"Demo people ready ({made} new of {len(PEOPLE)}), with families and one merge request."
    )
