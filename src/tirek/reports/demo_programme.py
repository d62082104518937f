"""A demo programme worth evaluating (order 65, issue #15): several hundred invented
children, their mothers and siblings, registered over three years (2024–2026) across
regions and districts, at every step of the journey — registered, assessed, plan
approved, reviewed, referred, discussed at case conferences, closed with follow-ups — and
the training events that built the staff's skills, so the dashboards, the donor report
and the training reports show real (suppressed where needed) numbers.

Everything is invented and drawn from one seeded random generator, so two runs on empty
databases give the same programme; a second run on the same database does nothing. Rows
are written with ``bulk_create`` (the whole programme takes a few seconds). Generated
history carries no audit entries: nobody read or wrote it.

It lives in the reports app because it is the only layer allowed to import every domain
app; it writes models directly because replaying years of casework through the services
(with today's clock, audit and notifications) would take minutes and lie about dates.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.accounts.services import user_create
from tirek.organisations.models import Agency, Region, Unit

SEED = 2024
CHILDREN = 400
FIRST_DAY = date(2024, 1, 8)
LAST_DAY = date(2026, 11, 20)
AS_OF = date(2026, 12, 6)
STAFF_PREFIX = "programme-"
MOVED_SHARE = 0.1  # families transferred from one site to another

# The police department of each site's region, whose certified officer interviews children.
POLICE = {
    "kz-karaganda": "Департамент полиции Карагандинской области",
    "kz-almaty": "Департамент полиции г. Алматы",
    "kz-shymkent": "Департамент полиции г. Шымкента",
    "kz-turkistan": "Департамент полиции Туркестанской области",
}

# (oblast code, agency name, districts (code, ru, en), share of families)
SITES: list[tuple[str, str, list[tuple[str, str, str]], int]] = [
    (
        "kz-karaganda",
        "Центр адаптации «Тірек», Караганда",
        [
            ("kz-karaganda-temirtau", "Темиртау", "Temirtau"),
            ("kz-karaganda-saran", "Сарань", "Saran"),
        ],
        3,
    ),
    (
        "kz-almaty",
        "Центр социальной адаптации, Алматы",
        [
            ("kz-almaty-alatau", "Алатауский район", "Alatau district"),
            ("kz-almaty-turksib", "Турксибский район", "Turksib district"),
        ],
        2,
    ),
    (
        "kz-shymkent",
        "Центр социальной адаптации, Шымкент",
        [
            ("kz-shymkent-abai", "Абайский район", "Abai district"),
            ("kz-shymkent-enbekshi", "Енбекшинский район", "Enbekshi district"),
        ],
        3,
    ),
    (
        "kz-turkistan",
        "Центр реабилитации, Туркестанская область",
        [
            ("kz-turkistan-saryagash", "Сарыагашский район", "Saryagash district"),
        ],
        2,
    ),
]

FAMILY_NAMES = [
    ("Абдрахманов", "Абдрахманова"),
    ("Ахметов", "Ахметова"),
    ("Байжанов", "Байжанова"),
    ("Джумабаев", "Джумабаева"),
    ("Ермеков", "Ермекова"),
    ("Жунусов", "Жунусова"),
    ("Исмаилов", "Исмаилова"),
    ("Кенжебаев", "Кенжебаева"),
    ("Мамыров", "Мамырова"),
    ("Нуржанов", "Нуржанова"),
    ("Оразов", "Оразова"),
    ("Рахимов", "Рахимова"),
    ("Сарсенов", "Сарсенова"),
    ("Тохтаров", "Тохтарова"),
    ("Усенов", "Усенова"),
    ("Халиков", "Халикова"),
    ("Шарипов", "Шарипова"),
    ("Юсупов", "Юсупова"),
    ("Алиев", "Алиева"),
    ("Бекмуханов", "Бекмуханова"),
]
BOYS = [
    "Абдулла",
    "Али",
    "Амир",
    "Билал",
    "Даниял",
    "Ибрагим",
    "Исмаил",
    "Мансур",
    "Мухаммад",
    "Нурсултан",
    "Омар",
    "Салих",
    "Тимур",
    "Хамза",
    "Юсуф",
    "Якуб",
]
GIRLS = [
    "Айша",
    "Амина",
    "Асия",
    "Зайнаб",
    "Лейла",
    "Мадина",
    "Марьям",
    "Сафия",
    "Сумайя",
    "Фатима",
    "Хадиджа",
    "Хафса",
    "Юлдуз",
    "Ясмин",
]
MOTHERS = [
    "Айгуль",
    "Гульмира",
    "Динара",
    "Жанар",
    "Зарина",
    "Камила",
    "Назгуль",
    "Райхан",
    "Салтанат",
    "Умида",
]
FATHERS = ["Асхат", "Болат", "Ерлан", "Марат", "Нурлан", "Руслан", "Серик", "Талгат"]
COUNTRIES = ["Сирия", "Ирак"]


def _patronymic(father: str, female: bool) -> str:
    return father + ("овна" if female else "ович")


@dataclass
class Staff:
    """The generated colleagues of one site (accounts that cannot sign in)."""

    unit: Unit
    supervisor: User
    managers: list[User]
    psychologist: User
    social_worker: User
    interviewer: User  # a certified police interviewer of the region (not of the unit)


@dataclass
class Journey:
    """What happened to one case; filled in step by step by ``_journey``."""

    opened: datetime
    initial_at: datetime | None = None
    comprehensive_at: datetime | None = None
    approved_at: datetime | None = None
    reviews: list[date] = field(default_factory=list)
    screenings: list[date] = field(default_factory=list)
    closed_at: datetime | None = None
    follow_ups: list[tuple[int, datetime, date | None]] = field(default_factory=list)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


# --- organisations and staff ----------------------------------------------------------------


def _region(code: str, kind: str, parent: Region, ru: str, en: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region(code=code, kind=kind, parent=parent, names={"ru": ru, "en": en})
        region.save()
    return region


def _account(
    username: str, role: str, agency: Agency, unit: Unit | None, first: str, last: str
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password="",
            roles=[str(role)],
            agency=agency,
            unit=unit,
            first_name=first,
            last_name=last,
            check_password=False,
        )
        # A colleague in the generated history, not a demo account: nobody signs in as them.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _sites(rng: random.Random) -> list[tuple[Staff, list[Region], int]]:
    sites = []
    parent_agency = Agency.objects.filter(kind=Agency.Kind.MINISTRY).order_by("pk").first()
    for index, (oblast_code, agency_name, districts, weight) in enumerate(SITES):
        oblast = Region.objects.get(code=oblast_code)
        agency, _ = Agency.objects.get_or_create(
            name=agency_name,
            region=oblast,
            defaults={"kind": Agency.Kind.REHAB_CENTRE, "parent": parent_agency},
        )
        unit, _ = Unit.objects.get_or_create(
            agency=agency, name="Команда сопровождения случаев", defaults={"region": oblast}
        )
        prefix = f"{STAFF_PREFIX}{index + 1}-"
        staff = Staff(
            unit=unit,
            supervisor=_account(
                f"{prefix}supervisor",
                Role.SUPERVISOR,
                agency,
                unit,
                MOTHERS[index % 10],
                "Супервизорова",
            ),
            managers=[
                _account(
                    f"{prefix}case-manager-{n}",
                    Role.CASE_MANAGER,
                    agency,
                    unit,
                    MOTHERS[(index + n) % 10],
                    FAMILY_NAMES[index * 2 + n][1],
                )
                for n in (1, 2)
            ],
            psychologist=_account(
                f"{prefix}psychologist",
                Role.PSYCHOLOGIST,
                agency,
                unit,
                FATHERS[index % 8],
                "Психологов",
            ),
            social_worker=_account(
                f"{prefix}social-worker",
                Role.SOCIAL_WORKER,
                agency,
                unit,
                MOTHERS[(index + 5) % 10],
                "Соцработникова",
            ),
            interviewer=_account(
                f"{prefix}interviewer",
                Role.INTERVIEWER,
                Agency.objects.get_or_create(
                    name=POLICE[oblast_code],
                    region=oblast,
                    defaults={"kind": Agency.Kind.LAW_ENFORCEMENT},
                )[0],
                None,
                FATHERS[(index + 3) % 8],
                "Следователев",
            ),
        )
        regions = [
            _region(code, Region.Kind.DISTRICT, oblast, ru, en) for code, ru, en in districts
        ]
        sites.append((staff, regions, weight))
    return sites


# --- the journey ----------------------------------------------------------------------------


def _journey(rng: random.Random, opened_on: date, today: date) -> Journey:
    """Each step happens (mostly on time) if enough time has passed since the previous."""
    j = Journey(opened=_at(opened_on, 9 + rng.randrange(8)))
    if rng.random() < 0.9:
        hours = rng.choice([6, 20, 30, 48, 60, 70, 70, 100, 130])
        j.initial_at = j.opened + timedelta(hours=hours)
    age = (today - opened_on).days
    if j.initial_at and age > 30 and rng.random() < 0.85:
        j.comprehensive_at = j.opened + timedelta(days=rng.choice([12, 20, 26, 29, 35, 44]))
    if j.comprehensive_at and age > 50 and rng.random() < 0.9:
        j.approved_at = j.comprehensive_at + timedelta(days=rng.choice([5, 9, 13, 13, 20, 28]))
    j.screenings = [opened_on + timedelta(days=2)]
    for months in (3, 6, 12, 18, 24):
        day = opened_on + timedelta(days=30 * months + rng.randrange(-10, 15))
        if day < today and rng.random() < 0.8:
            j.screenings.append(day)
    if j.approved_at and age > 420 and rng.random() < 0.45:
        j.closed_at = j.opened + timedelta(days=rng.randrange(330, min(age, 900)))
    end = (j.closed_at.date() if j.closed_at else today) if j.approved_at else None
    if j.approved_at and end:
        held = j.approved_at.date()
        while True:
            held += timedelta(days=rng.choice([75, 85, 88, 95, 110, 130]))
            if held >= end:
                break
            j.reviews.append(held)
    if j.closed_at:
        j.screenings = [d for d in j.screenings if d <= j.closed_at.date()]
        for months in (6, 12):
            due = j.closed_at + timedelta(days=30 * months)
            done = None
            if due.date() < today and rng.random() < 0.8:
                done = due.date() + timedelta(days=rng.randrange(-7, 20))
                done = min(done, today)
            j.follow_ups.append((months, due, done))
    return j


@dataclass
class Family:
    site: Staff
    region: Region
    manager: User
    family: tuple[str, str]
    mother: Any
    children: list[Any]
    registered_on: date
    # A family that first registered at another site and moved here (a transfer).
    origin: Staff | None = None
    origin_region: Region | None = None
    origin_manager: User | None = None
    moved_at: datetime | None = None

    def manager_at(self, when: datetime) -> User:
        """The case manager on that day (the first site's, before the move)."""
        if self.origin_manager is not None and self.moved_at and when < self.moved_at:
            return self.origin_manager
        return self.manager

    def staff_at(self, when: datetime) -> Staff:
        if self.origin is not None and self.moved_at and when < self.moved_at:
            return self.origin
        return self.site


def _people(rng: random.Random, sites: list[tuple[Staff, list[Region], int]]) -> list[Family]:
    from tirek.people import keys
    from tirek.people.models import Person, PersonNameKey

    weighted = [site for site in sites for _ in range(site[2])]
    families: list[Family] = []
    people: list[Person] = []
    children = 0
    while children < CHILDREN:
        staff, regions, _weight = rng.choice(weighted)
        family = rng.choice(FAMILY_NAMES)
        father = rng.choice(FATHERS)
        registered = _day(rng, FIRST_DAY, LAST_DAY)
        mother_born = date(rng.randrange(1982, 1999), rng.randrange(1, 13), rng.randrange(1, 29))
        mother = Person(
            family_name=family[1],
            given_name=rng.choice(MOTHERS),
            patronymic="",
            sex="female",
            birth_date=mother_born,
            citizenship="KZ",
            citizenship_status="citizen",
            languages=["ru", "kk"],
            birth_country="KZ",
        )
        kids = []
        for _ in range(min(rng.choice([1, 1, 2, 2, 3, 3, 4]), CHILDREN - children)):
            female = rng.random() < 0.5
            abroad = rng.random() < 0.6
            born = date(
                rng.randrange(max(mother_born.year + 18, 2008), 2023),
                rng.randrange(1, 13),
                rng.randrange(1, 29),
            )
            kids.append(
                Person(
                    family_name=family[1] if female else family[0],
                    given_name=rng.choice(GIRLS if female else BOYS),
                    patronymic=_patronymic(father, female),
                    sex="female" if female else "male",
                    birth_date=born,
                    birth_date_precision="year" if abroad and rng.random() < 0.3 else "day",
                    birth_date_estimated=abroad and rng.random() < 0.3,
                    birth_country="SY" if abroad else "KZ",
                    citizenship_status="pending" if abroad and rng.random() < 0.3 else "citizen",
                    no_documents=abroad and rng.random() < 0.2,
                    languages=["ru", "ar"] if abroad else ["ru", "kk"],
                )
            )
        children += len(kids)
        families.append(
            Family(
                staff,
                rng.choice(regions),
                rng.choice(staff.managers),
                family,
                mother,
                kids,
                registered,
            )
        )
        people += [mother, *kids]
    name_keys = []
    for person in people:
        identity = keys.identity_from(
            given=person.given_name,
            family=person.family_name,
            patronymic=person.patronymic,
            sex=person.sex,
            birth=person.birth(),
            iin="",
            other={},
        )
        person.search_key = keys.search_key(identity)
        person._identity = identity  # type: ignore[attr-defined]
    Person.objects.bulk_create(people)
    for person in people:
        name_keys += keys.key_rows(person, person._identity)  # type: ignore[attr-defined]
    PersonNameKey.objects.bulk_create(name_keys)
    _households(families)
    return families


def _households(families: list[Family]) -> None:
    from tirek.people.models import Household, HouseholdMember, Relationship, RelationshipKind

    households = [Household(label=f"Семья {f.family[0]}ых", region=f.region) for f in families]
    Household.objects.bulk_create(households)
    members, relations = [], []
    for household, family in zip(households, families, strict=True):
        members.append(
            HouseholdMember(
                household=household, person=family.mother, is_head=True, since=family.registered_on
            )
        )
        for child in family.children:
            members.append(
                HouseholdMember(household=household, person=child, since=family.registered_on)
            )
            relations.append(
                Relationship(person=child, relative=family.mother, kind=RelationshipKind.MOTHER)
            )
            relations += [
                Relationship(person=child, relative=sibling, kind=RelationshipKind.SIBLING)
                for sibling in family.children
                if sibling is not child
            ]
    HouseholdMember.objects.bulk_create(members)
    Relationship.objects.bulk_create(relations)


def _moves(
    rng: random.Random,
    families: list[Family],
    sites: list[tuple[Staff, list[Region], int]],
    today: date,
) -> None:
    """About one family in ten first registered at another site and moved a few weeks
    later (to relatives, for work): their cases were transferred, with everything after
    the move done by the receiving site."""
    for family in families:
        if rng.random() >= MOVED_SHARE:
            continue
        moved_on = family.registered_on + timedelta(days=rng.randrange(15, 45))
        if moved_on >= today:
            continue
        origin, regions, _weight = rng.choice([s for s in sites if s[0] is not family.site])
        family.origin = origin
        family.origin_region = rng.choice(regions)
        family.origin_manager = rng.choice(origin.managers)
        family.moved_at = _at(moved_on, 12)


# --- cases ----------------------------------------------------------------------------------


def _numbers(years: Iterable[int]) -> dict[int, Any]:
    """Counters per year, continued from (and written back to) the case number sequence,
    so cases opened later through the services never collide with generated ones."""
    from tirek.cases.models import CaseNumberSequence

    counters = {}
    for year in set(years):
        prefix = f"{settings.COUNTRY_CODE.upper()}-{year}"
        row, _ = CaseNumberSequence.objects.get_or_create(prefix=prefix, defaults={"last": 0})
        counters[year] = [prefix, row.last]
    return counters


def _save_numbers(counters: dict[int, Any]) -> None:
    from tirek.cases.models import CaseNumberSequence

    for prefix, last in counters.values():
        CaseNumberSequence.objects.filter(prefix=prefix).update(last=last)


def _cases(
    rng: random.Random, families: list[Family], today: date
) -> list[tuple[Any, Journey, Family]]:
    from tirek.cases.models import Case, CaseStatus, Phase, RiskLevel

    rows: list[tuple[Any, Journey, Family]] = []
    ordered = sorted(
        ((f, p) for f in families for p in (f.mother, *f.children)),
        key=lambda fp: (fp[0].registered_on, fp[1].pk),
    )
    counters = _numbers(
        min(f.registered_on + timedelta(days=3), today - timedelta(days=1)).year
        for f, _p in ordered
    ) | _numbers(f.registered_on.year for f, _p in ordered)
    for family, person in ordered:
        opened_on = family.registered_on + timedelta(days=rng.randrange(0, 4))
        opened_on = min(opened_on, today - timedelta(days=1))
        journey = _journey(rng, opened_on, today)
        counter = counters[opened_on.year]
        counter[1] += 1
        age_days = (today - opened_on).days
        phase = (
            Phase.REHABILITATION
            if age_days < 200
            else Phase.REINTEGRATION
            if age_days < 600
            else Phase.MONITORING
        )
        risk = rng.choice([RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH])
        status = (
            CaseStatus.CLOSED
            if journey.closed_at
            else CaseStatus.ACTIVE
            if journey.initial_at
            else CaseStatus.REGISTERED
        )
        case = Case(
            number=f"{counter[0]}-{counter[1]:06d}",
            person=person,
            status=status,
            phase=phase,
            risk_level=risk,
            case_manager=family.manager,
            supervising_unit=family.site.unit,
            region=family.region,
            protected_identity=rng.random() < 0.7,
            opened_at=journey.opened,
            opened_by=family.manager_at(journey.opened),
            country_returned_from=rng.choice(COUNTRIES),
            return_date=family.registered_on - timedelta(days=rng.randrange(5, 40)),
            closed_at=journey.closed_at,
        )
        rows.append((case, journey, family))
    _save_numbers(counters)
    Case.objects.bulk_create([case for case, _j, _f in rows])
    return rows


def _team_rows(rows: list[tuple[Any, Journey, Family]]) -> list[Any]:
    """The team of every generated case: its case manager, and the site's psychologist and
    social worker once the case is active; granted through ``tirek.access``. A transferred
    case had the first site's team until the move, the receiving site's after it (as
    ``tirek.transfers`` does when a transfer is accepted), and its timeline says so."""
    from tirek.access.services import load_membership_history
    from tirek.cases.models import CaseEvent, EventKind

    members: list[dict[str, Any]] = []
    events: list[Any] = []

    def stint(
        case: Any, user: User, role: str, start: datetime, end: datetime | None, by: User
    ) -> None:
        members.append(
            {
                "case": case,
                "user": user,
                "role": role,
                "added_at": start,
                "added_by": by,
                "removed_at": end,
                "removed_by": by if end else None,
            }
        )

    for case, journey, family in rows:
        moved = family.moved_at
        if family.origin is not None and family.origin_manager is not None and moved:
            first = family.origin_manager
            stint(case, first, Role.CASE_MANAGER, journey.opened, moved, first)
            stint(case, family.manager, Role.CASE_MANAGER, moved, None, family.site.supervisor)
            if journey.initial_at and journey.initial_at < moved:
                for user, role in (
                    (family.origin.psychologist, Role.PSYCHOLOGIST),
                    (family.origin.social_worker, Role.SOCIAL_WORKER),
                ):
                    stint(case, user, role, journey.initial_at, moved, first)
            events.append(
                CaseEvent(
                    case=case,
                    at=moved,
                    actor=family.site.supervisor,
                    kind=EventKind.TRANSFERRED,
                    detail={
                        "stage": "accepted",
                        "from_unit": str(family.origin.unit),
                        "to_unit": str(family.site.unit),
                        "from_unit_id": family.origin.unit.pk,
                        "from_region_id": family.origin_region.pk if family.origin_region else None,
                        "to_unit_id": family.site.unit.pk,
                        "requested_by": family.origin_manager.pk,
                        "case_manager": family.manager.get_full_name(),
                    },
                )
            )
        else:
            stint(case, family.manager, Role.CASE_MANAGER, journey.opened, None, family.manager)
        if journey.initial_at:
            start = max(journey.initial_at, moved) if moved else journey.initial_at
            for user, role in (
                (family.site.psychologist, Role.PSYCHOLOGIST),
                (family.site.social_worker, Role.SOCIAL_WORKER),
            ):
                stint(case, user, role, start, journey.closed_at, family.manager)
    CaseEvent.objects.bulk_create(events)
    return load_membership_history(members)


# --- assessments, plans, reviews, closures ---------------------------------------------------

SCREENING_DOMAINS = [("psc_internalising", 10), ("psc_attention", 10), ("psc_externalising", 14)]


def _severity(score: int, maximum: int) -> str:
    share = score / maximum
    return (
        "high"
        if share >= 0.6
        else "moderate"
        if share >= 0.4
        else "low"
        if share >= 0.2
        else "none"
    )


def _assessments(rng: random.Random, rows: list[tuple[Any, Journey, Family]]) -> None:
    from tirek.assessments.models import (
        Assessment,
        AssessmentStatus,
        DomainScore,
        InstrumentKind,
        InstrumentVersion,
    )

    def latest(code: str) -> InstrumentVersion | None:
        return (
            InstrumentVersion.objects.filter(instrument__code=code, instrument__is_active=True)
            .order_by("-number")
            .first()
        )

    initial, child_needs = latest("tirek-initial"), latest("tirek-child-needs")
    adult_needs, psc = latest("tirek-adult-needs"), latest("psc-17")
    assessments: list[Assessment] = []
    screenings: list[tuple[Assessment, list[tuple[str, int, int]]]] = []

    def add(case: Any, version: Any, kind: str, at: datetime, by: User) -> Assessment:
        assessment = Assessment(  # type: ignore[misc]  # answers_json is encrypted JSON
            case=case,
            instrument_version=version,
            kind=kind,
            status=AssessmentStatus.COMPLETED,
            assessed_on=at.date(),
            answers_json={},
            created_by=by,
            created_at=at,
            completed_by=by,
            completed_at=at,
        )
        assessments.append(assessment)
        return assessment

    for case, journey, family in rows:
        adult = case.person.birth_date.year < 2006
        if journey.initial_at and initial:
            at = journey.initial_at
            add(case, initial, InstrumentKind.INITIAL, at, family.manager_at(at))
        needs = adult_needs if adult else child_needs
        if journey.comprehensive_at and needs:
            add(
                case,
                needs,
                InstrumentKind.COMPREHENSIVE,
                journey.comprehensive_at,
                family.staff_at(journey.comprehensive_at).psychologist,
            )
        if adult or psc is None or not journey.initial_at:
            continue
        # Scores fall (better) over time for most children, as the programme intends.
        start = [rng.randrange(maximum // 3, maximum) for _code, maximum in SCREENING_DOMAINS]
        for step, day in enumerate(journey.screenings):
            scores = [
                (code, max(0, s - step * rng.choice([0, 1, 1, 2]) + rng.choice([-1, 0, 0, 1])), m)
                for (code, m), s in zip(SCREENING_DOMAINS, start, strict=True)
            ]
            scores = [(code, min(s, m), m) for code, s, m in scores]
            at = _at(day, 11)
            assessment = add(
                case, psc, InstrumentKind.SCREENING, at, family.staff_at(at).psychologist
            )
            assessment.overall_severity = max(
                (_severity(s, m) for _c, s, m in scores),
                key=["none", "low", "moderate", "high"].index,
            )
            screenings.append((assessment, scores))
    Assessment.objects.bulk_create(assessments)
    score_rows = [
        DomainScore(
            assessment=a,
            domain=code,
            score=score,
            max_score=maximum,
            answered=1,
            severity=_severity(score, maximum),
            red_flag=False,
        )
        for a, scores in screenings
        for code, score, maximum in scores
    ]
    for a, scores in screenings:  # the PSC-17 total, which the wellbeing indicator reads
        total, maximum = sum(s for _c, s, _m in scores), sum(m for _c, _s, m in scores)
        score_rows.append(
            DomainScore(
                assessment=a,
                domain="psc_total",
                score=total,
                max_score=maximum,
                answered=1,
                is_total=True,
                severity="high" if total >= 15 else "low",
                red_flag=False,
            )
        )
    DomainScore.objects.bulk_create(score_rows)


def _plans(rng: random.Random, rows: list[tuple[Any, Journey, Family]], today: date) -> None:
    from tirek.plans.models import (
        Closure,
        ClosureReason,
        ClosureStatus,
        FollowUp,
        FollowUpOutcome,
        Plan,
        PlanStatus,
        PlanVersion,
        Review,
    )

    planned = [(c, j, f) for c, j, f in rows if j.approved_at]
    plans = [
        Plan(  # type: ignore[misc]  # planned journeys have approved_at
            case=case,
            status=PlanStatus.APPROVED,
            approved_number=1,
            first_approved_at=j.approved_at,
            last_approved_at=j.approved_at,
            submitted_at=j.approved_at - timedelta(days=2),  # type: ignore[operator]
            submitted_by=f.manager_at(j.approved_at),  # type: ignore[arg-type]
            created_at=j.comprehensive_at,
        )
        for case, j, f in planned
    ]
    Plan.objects.bulk_create(plans)
    versions = [
        PlanVersion(  # type: ignore[misc]
            plan=plan,
            number=1,
            snapshot={"goals": []},
            submitted_by=f.manager_at(j.approved_at),  # type: ignore[arg-type]
            submitted_at=j.approved_at - timedelta(days=2),  # type: ignore[operator]
            approved_by=f.staff_at(j.approved_at).supervisor,  # type: ignore[arg-type]
            approved_at=j.approved_at,
        )
        for plan, (_c, j, f) in zip(plans, planned, strict=True)
    ]
    PlanVersion.objects.bulk_create(versions)
    reviews, closures = [], []
    next_due = []
    for plan, version, (case, j, f) in zip(plans, versions, planned, strict=True):
        interval = 30 if case.risk_level == "high" else 90
        for held in j.reviews:
            reviews.append(
                Review(
                    case=case,
                    plan_version=version,
                    held_on=held,
                    child_views="Хочет ходить в школу вместе с друзьями.",
                    decisions="План продолжается; цели пересмотрены.",
                    next_review_on=held + timedelta(days=interval),
                    created_by=f.manager_at(_at(held)),
                )
            )
        last = j.reviews[-1] if j.reviews else j.approved_at.date()  # type: ignore[union-attr]
        plan.next_review_due_at = _at(last + timedelta(days=interval))
        next_due.append(plan)
        if j.closed_at:
            closures.append(
                Closure(
                    case=case,
                    status=ClosureStatus.APPROVED,
                    reason=rng.choice(
                        [
                            ClosureReason.GOALS_ACHIEVED,
                            ClosureReason.GOALS_ACHIEVED,
                            ClosureReason.MOVED,
                            ClosureReason.ADULT_SERVICES,
                        ]
                    ),
                    checklist={
                        "safe": True,
                        "goals_reviewed": True,
                        "services_in_place": True,
                        "documents": True,
                        "views_heard": True,
                        "follow_up_agreed": True,
                    },
                    requested_by=f.manager,
                    requested_at=j.closed_at - timedelta(days=3),
                    decided_by=f.site.supervisor,
                    decided_at=j.closed_at,
                )
            )
    Plan.objects.bulk_update(next_due, ["next_review_due_at"])
    Review.objects.bulk_create(reviews)
    Closure.objects.bulk_create(closures)
    by_case = {closure.case_id: closure for closure in closures}
    outcomes = [
        FollowUpOutcome.STABLE,
        FollowUpOutcome.STABLE,
        FollowUpOutcome.CONCERNS,
        FollowUpOutcome.NOT_REACHED,
    ]
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                case=case,
                closure=by_case[case.pk],
                months=months,
                due_at=due,
                done_on=done,
                done_by=f.staff_at(due).social_worker if done else None,
                outcome=rng.choice(outcomes) if done else "",
            )
            for case, j, f in planned
            for months, due, done in j.follow_ups
        ]
    )


# --- consent ------------------------------------------------------------------------------


def _consents(rows: list[tuple[Any, Journey, Family]], today: date) -> None:
    """Consent in force today for case management, information sharing and referrals to the
    directory's agencies, given as the person's age requires (renewed when the person
    crossed an age boundary since the case opened)."""
    from tirek.privacy.models import Consent, ConsentKind, GivenBy, Purpose
    from tirek.privacy.selectors import AgeGroup, age_group, next_boundary
    from tirek.referrals.models import Provider

    agencies = list(
        Agency.objects.filter(
            pk__in=Provider.objects.filter(is_active=True).values("agency")
        ).exclude(kind=Agency.Kind.LAW_ENFORCEMENT)
    )
    purposes = [Purpose.CASE_MANAGEMENT, Purpose.INFORMATION_SHARING, Purpose.REFERRAL]
    consents: list[Consent] = []
    for case, j, f in rows:
        if not j.initial_at:
            continue  # registered only: consent not yet taken, as the case page will say
        birth = case.person.birth_date
        group = age_group(birth, today)
        start = j.opened.date()
        while age_group(birth, start) != group:
            start = next_boundary(birth, start) or today
        giver = {AgeGroup.OWN_CONSENT: GivenBy.CHILD, AgeGroup.ADULT: GivenBy.ADULT_SELF}.get(
            group, GivenBy.GUARDIAN
        )
        for purpose in purposes:
            consents.append(
                Consent(
                    person=case.person,
                    purpose=purpose,
                    kind=ConsentKind.CONSENT,
                    given_by=giver,
                    giver_name=f.mother.full_name if giver == GivenBy.GUARDIAN else "",
                    valid_from=start,
                    recorded_by=f.manager_at(_at(start)),
                    recorded_at=_at(start),
                )
            )
            if group == AgeGroup.CAREGIVER_AND_ASSENT:
                consents.append(
                    Consent(
                        person=case.person,
                        purpose=purpose,
                        kind=ConsentKind.ASSENT,
                        given_by=GivenBy.CHILD,
                        valid_from=start,
                        recorded_by=f.manager_at(_at(start)),
                        recorded_at=_at(start),
                    )
                )
    Consent.objects.bulk_create(consents)
    through = Consent.recipients.through
    through.objects.bulk_create(
        [
            through(consent=c, agency=a)
            for c in consents
            if c.kind == ConsentKind.CONSENT and c.purpose != Purpose.CASE_MANAGEMENT
            for a in agencies
        ]
    )


# --- referrals and case conferences ---------------------------------------------------------


def _referrals(rng: random.Random, rows: list[tuple[Any, Journey, Family]], today: date) -> None:
    from tirek.referrals.models import Referral, ReferralEvent, ReferralStatus, Service

    services = list(
        Service.objects.filter(is_active=True).select_related("provider").order_by("pk")
    )
    if not services:
        return
    referrals, events = [], []
    for case, j, f in rows:
        if not j.approved_at:
            continue
        for _n in range(rng.choice([0, 1, 1, 2, 3])):
            service = rng.choice(services)
            sent = j.approved_at + timedelta(days=rng.randrange(1, 120))
            if sent.date() >= today:
                continue
            age = (today - sent.date()).days
            outcome = rng.random()
            status = (
                ReferralStatus.SENT
                if age < 10
                else ReferralStatus.DECLINED
                if outcome < 0.08
                else ReferralStatus.IN_PROGRESS
                if age < 60
                else ReferralStatus.COMPLETED
            )
            responded = sent + timedelta(days=rng.randrange(1, 8)) if age >= 10 else None
            closed = (
                sent + timedelta(days=rng.randrange(20, 90))
                if status in (ReferralStatus.COMPLETED, ReferralStatus.DECLINED)
                else None
            )
            if closed and closed.date() > today:
                closed = _at(today)
            by = f.manager_at(sent)
            referral = Referral(
                case=case,
                provider=service.provider,
                service=service,
                role=service.default_role or Role.SOCIAL_WORKER,
                reason="Нужна поддержка по плану реабилитации.",
                status=status,
                consent_covered=True,
                respond_by=sent.date() + timedelta(days=7),
                complete_by=sent.date() + timedelta(days=60),
                created_by=by,
                created_at=sent,
                responded_at=responded,
                closed_at=closed,
                outcome="Услуга оказана." if status == ReferralStatus.COMPLETED else "",
                decline_reason="Нет мест." if status == ReferralStatus.DECLINED else "",
            )
            referrals.append(referral)
            events.append((referral, ReferralStatus.SENT, sent, by))
            if responded and status != ReferralStatus.DECLINED:
                events.append((referral, ReferralStatus.ACCEPTED, responded, by))
            if closed:
                events.append((referral, status, closed, by))
    Referral.objects.bulk_create(referrals)
    ReferralEvent.objects.bulk_create(
        [ReferralEvent(referral=r, status=s, at=at, by=by) for r, s, at, by in events]
    )


def _conferences(rng: random.Random, rows: list[tuple[Any, Journey, Family]], today: date) -> None:
    """A case conference per site and quarter for the cases whose plan was approved then."""
    from tirek.conferences.models import Conference, ConferenceStatus

    by_quarter: dict[tuple[int, int, int], list[Any]] = {}
    sites: dict[int, Staff] = {}
    for case, j, f in rows:
        if j.approved_at and rng.random() < 0.5:
            day = j.approved_at.date()
            site = f.staff_at(j.approved_at)
            key = (site.unit.pk, day.year, (day.month - 1) // 3)
            by_quarter.setdefault(key, []).append(case)
            sites[site.unit.pk] = site
    conferences, members = [], []
    for (unit_id, year, quarter), cases in sorted(by_quarter.items()):
        site = sites[unit_id]
        held = date(year, quarter * 3 + 3, 20)
        past = held < today
        conference = Conference(
            scheduled_at=_at(held, 14),
            location="Зал совещаний центра",
            unit=site.unit,
            chair=site.supervisor,
            created_by=site.supervisor,
            created_at=_at(held - timedelta(days=14)),
            status=ConferenceStatus.HELD if past else ConferenceStatus.SCHEDULED,
            held_at=_at(held, 16) if past else None,
            decisions="Планы обсуждены со всеми ведомствами." if past else "",
        )
        conferences.append(conference)
        members.append((conference, cases))
    Conference.objects.bulk_create(conferences)
    through = Conference.cases.through
    through.objects.bulk_create(
        [through(conference=c, case=case) for c, cases in members for case in cases]
    )


# --- competencies and child-sensitive interviews -------------------------------------------

# What each generated colleague was certified in, by role (``tirek.training``'s ROLE_NEEDS,
# and child-sensitive interviewing for the psychologists, who hold social interviews).
CERTIFIED = {
    "supervisor": ["reintegration-planning"],
    "managers": ["case-management", "needs-assessment"],
    "psychologist": ["trauma-informed", "child-interviewing"],
    "social_worker": ["working-with-parents"],
    "interviewer": ["child-interviewing"],
}
INTERVIEWED_SHARE = 0.3  # of the children assessed: questioned once (or more) on a matter
REPEAT_SHARE = 0.15  # of the forensic interviews held: a repeat the court asked for


def _competencies(
    rng: random.Random, sites: list[tuple[Staff, list[Region], int]], today: date
) -> dict[tuple[int, str], datetime]:
    """Each colleague's certificates: most from the 2024 courses, some later, a few not
    yet (the training report's gaps); valid three years, renewed before they expire. The
    interviewers were certified before the programme began, as the interviews app
    requires of whoever interviews. Returns when each was first granted."""
    from tirek.accounts.models import StaffCompetency

    trainer = User.objects.filter(username="demo-trainer").first()
    rows, granted = [], {}
    for staff, _regions, _weight in sites:
        for attribute, competencies in CERTIFIED.items():
            value = getattr(staff, attribute)
            for user in value if isinstance(value, list) else [value]:
                for competency in competencies:
                    if attribute == "interviewer":
                        day = FIRST_DAY - timedelta(days=rng.randrange(30, 90))
                    else:
                        draw = rng.random()
                        if draw < 0.12:
                            continue  # not yet trained: a gap the training report shows
                        start, end = (
                            (date(2024, 2, 1), date(2024, 12, 1))
                            if draw < 0.75
                            else (date(2025, 1, 15), date(2026, 10, 1))
                        )
                        day = _day(rng, start, end)
                    if day >= today:
                        continue
                    granted[(user.pk, competency)] = _at(day, 17)
                    # Renewed by a refresher course before it expires.
                    while day < today:
                        at = _at(day, 17)
                        rows.append(
                            StaffCompetency(
                                user=user,
                                competency=competency,
                                granted_at=at,
                                granted_by=trainer,
                                expires_at=at + timedelta(days=3 * 365),
                                source="Сертификат курса программы (вымышленный)",
                            )
                        )
                        day += timedelta(days=3 * 365 - rng.randrange(30, 90))
    StaffCompetency.objects.bulk_create(rows)
    return granted


def _interviews(
    rng: random.Random,
    rows: list[tuple[Any, Journey, Family]],
    today: date,
    granted: dict[tuple[int, str], datetime],
) -> int:
    """Child-sensitive interviews with their safeguards (``tirek.interviews``): a matter
    per child; the request recorded by the unit's supervisor; the psychologist on the team
    judges the child ready first (a child judged not ready is not questioned); a certified
    interviewer — the police officer, who joins the team for it on the legal basis, or for
    a social interview the psychologist — in a child-friendly room with a support person;
    a follow-up by the psychologist; a repeat on the same matter only with a written
    justification and the supervisor's approval. The newest requests are still open."""
    from tirek.access.services import load_membership_history
    from tirek.accounts.models import Competency
    from tirek.interviews.models import (
        Interview,
        InterviewKind,
        InterviewStatus,
        Matter,
        Readiness,
        TimeOfDay,
    )

    now = _at(today, 9)
    matters: list[Matter] = []
    interviews: list[tuple[Interview, Any]] = []
    memberships: list[dict[str, Any]] = []
    serial = 0
    for case, j, f in rows:
        born = case.person.birth_date
        if not j.initial_at or born.year < 2008 or rng.random() >= INTERVIEWED_SHARE:
            continue
        requested = j.initial_at + timedelta(days=rng.randrange(10, 90), hours=2)
        ends = j.closed_at or now
        if requested >= ends or (requested.date() - born).days < 6 * 365:
            continue  # closed first, or too young to be questioned
        site = f.staff_at(requested)
        forensic = rng.random() < 0.75
        serial += 1
        reference = f"№ {requested.year}-{serial:04d}"
        matter = Matter(
            person=case.person,
            title=(
                "Уголовное дело (ребёнок — свидетель)" if forensic else "Опека и место жительства"
            ),
            reference=reference,
            created_by=site.supervisor,
            created_at=requested,
        )
        matters.append(matter)
        held_before: datetime | None = None
        member: dict[str, Any] | None = None
        for repeat in (False, True):
            if repeat:
                if not (forensic and held_before and rng.random() < REPEAT_SHARE):
                    break
                requested = held_before + timedelta(days=rng.randrange(60, 200))
                if requested >= ends:
                    break
            interviewer = site.interviewer
            if not forensic:
                certified = granted.get((site.psychologist.pk, Competency.CHILD_INTERVIEWING))
                if certified and certified < requested:
                    interviewer = site.psychologist
            ready_at = requested + timedelta(days=rng.randrange(3, 9))
            ready = rng.random() < 0.9
            planned_at = ready_at + timedelta(days=1)
            scheduled = _at((ready_at + timedelta(days=rng.randrange(3, 12))).date(), 10)
            interview = Interview(
                case=case,
                matter=matter,
                kind=InterviewKind.FORENSIC if forensic else InterviewKind.SOCIAL,
                requesting_authority=(
                    POLICE.get(str(site.unit.region.code), "Следственное управление")
                    if forensic
                    else "Орган опеки и попечительства"
                ),
                purpose=(
                    "Допрос несовершеннолетнего свидетеля о событиях до возвращения."
                    if forensic
                    else "Узнать мнение ребёнка о месте жительства и общении с родными."
                ),
                legal_basis=(
                    "УПК РК, ст. 215 (допрос несовершеннолетнего свидетеля)"
                    if forensic
                    else "Кодекс РК о браке (супружестве) и семье, ст. 62"
                ),
                requested_by=site.supervisor,
                requested_at=requested,
                is_repeat=repeat,
                repeat_justification=(
                    "Суд запросил уточнение эпизодов, которых нет в записи." if repeat else ""
                ),
                repeat_approved_by=site.supervisor if repeat else None,
                repeat_approved_at=requested + timedelta(days=1) if repeat else None,
            )
            if ready_at < now:  # the psychologist's judgement
                interview.readiness = Readiness.READY if ready else Readiness.NOT_READY
                interview.readiness_by = site.psychologist
                interview.readiness_at = ready_at
                interview.readiness_note = (
                    "Стабилен; лучше утром; знакомый психолог рядом."
                    if ready
                    else "Тревожен после переезда; опрос сейчас навредит."
                )
            row: dict[str, Any] | None = None
            closed_first = "Дело закрыто до опроса."
            if ready_at >= now:
                pass  # requested: the psychologist has not judged yet
            elif not ready:
                interview.status = InterviewStatus.CANCELLED
                interview.cancel_reason = "Психолог: ребёнок не готов; следствие согласилось."
            elif planned_at >= ends:
                interview.status = InterviewStatus.CANCELLED
                interview.cancel_reason = closed_first
            else:
                interview.status = InterviewStatus.PLANNED
                interview.interviewer = interviewer
                interview.scheduled_at = scheduled
                interview.time_of_day = TimeOfDay.MORNING
                interview.language = "ru"
                interview.support_person = "Психолог центра (знаком ребёнку)"
                interview.room = "Комната для бесед с детьми"
                interview.child_friendly_room = True
                if interviewer == site.interviewer and member is None:
                    # Planning puts the officer on the team, on the interview's legal basis.
                    row = member = {
                        "case": case,
                        "user": interviewer,
                        "role": Role.INTERVIEWER,
                        "added_at": planned_at,
                        "added_by": site.supervisor,
                        "legal_basis": interview.legal_basis,
                        "removed_at": j.closed_at,
                        "removed_by": site.supervisor if j.closed_at else None,
                    }
                    memberships.append(row)
                if scheduled >= ends:
                    interview.status = InterviewStatus.CANCELLED
                    interview.cancel_reason = closed_first
                elif scheduled < now:
                    interview.status = InterviewStatus.HELD
                    interview.started_at = scheduled
                    interview.ended_at = scheduled + timedelta(minutes=rng.randrange(30, 55))
                    interview.breaks = rng.choice([0, 1, 1, 2])
                    interview.observers = (
                        "Психолог центра; следователь (за зеркалом Гезелла)"
                        if forensic
                        else "Специалист органа опеки"
                    )
                    interview.recorded = forensic
                    interview.recording_reference = (
                        f"Хранилище ДП, видеозапись {reference}" if forensic else ""
                    )
                    interview.notes = "Ребёнок рассказал о жизни семьи; подробности — в записи."
                    interview.summary = "Сведения получены за одну беседу."
                    held_before = scheduled
                    supported = scheduled + timedelta(days=rng.randrange(3, 10))
                    if supported < min(now, ends):
                        interview.follow_up = "Встречи после опроса: сон и настроение в норме."
                        interview.follow_up_by = site.psychologist
                        interview.follow_up_at = supported
            interviews.append((interview, row))
    Matter.objects.bulk_create(matters)
    created = load_membership_history(memberships)
    by_row = {id(row): m for row, m in zip(memberships, created, strict=True)}
    for interview, row in interviews:
        interview.matter_id = interview.matter.pk
        if row is not None:
            interview.membership = by_row[id(row)]
    Interview.objects.bulk_create([interview for interview, _row in interviews])
    return sum(1 for i, _r in interviews if i.status == InterviewStatus.HELD)


# --- training -------------------------------------------------------------------------------

EVENTS_PER_YEAR = 10
POSITIONS = [
    ("case-managers", "Ведущий случая"),
    ("psychologists", "Педагог-психолог"),
    ("teachers", "Учитель"),
    ("social-workers", "Социальный работник"),
    ("law-enforcement", "Инспектор по делам несовершеннолетних"),
    ("religious-counsellors", "Теолог"),
]


def _training(rng: random.Random, sites: list[tuple[Staff, list[Region], int]], today: date) -> int:
    from tirek.training.models import Attendance, Certificate, Course, Event, Participant

    courses = list(Course.objects.order_by("pk"))
    trainer = User.objects.filter(username="demo-trainer").first()
    if not courses:
        return 0
    events, participants = [], []
    for year in (2024, 2025, 2026):
        for n in range(EVENTS_PER_YEAR):
            start = date(year, 1 + n, 10 + rng.randrange(10)) if n < 11 else date(year, 12, 1)
            if start >= today:
                continue
            staff, regions, _w = rng.choice(sites)
            kind = rng.choice(
                [Event.Kind.WORKSHOP, Event.Kind.WORKSHOP, Event.Kind.WEBINAR, Event.Kind.TOT]
            )
            days = 1 if kind == Event.Kind.WEBINAR else rng.choice([2, 3])
            event = Event(
                title=f"{Event.Kind(kind).label}: {rng.choice(courses).code} ({year})"[:200],
                kind=kind,
                mode=Event.Mode.ONLINE if kind == Event.Kind.WEBINAR else Event.Mode.IN_PERSON,
                start_date=start,
                end_date=start + timedelta(days=days - 1),
                place=str(staff.unit.agency.name)[:200],
                region=staff.unit.region,
                organisers="Министерство труда и социальной защиты населения",
                funders="Программа поддержки (вымышленная)",
                language="ru",
                created_by=trainer,
            )
            event._course = rng.choice(courses)  # type: ignore[attr-defined]
            events.append(event)
            for _p in range(rng.randrange(12, 30)):
                audience, position = rng.choice(POSITIONS)
                female = rng.random() < 0.7
                family = rng.choice(FAMILY_NAMES)[1 if female else 0]
                given = rng.choice(MOTHERS if female else FATHERS)
                pre = rng.randrange(30, 70)
                participants.append(
                    (
                        event,
                        days,
                        Participant(
                            event=event,
                            full_name=f"{family} {given}",
                            agency_name=str(staff.unit.agency.name)[:200],
                            position=position,
                            region=staff.unit.region,
                            sex="female" if female else "male",
                            audience=audience,
                            language="ru",
                            pre_score=pre,
                            post_score=min(100, pre + rng.randrange(5, 35)),
                        ),
                    )
                )
    Event.objects.bulk_create(events)
    Event.courses.through.objects.bulk_create(
        [
            Event.courses.through(event=e, course=e._course)  # type: ignore[attr-defined]
            for e in events
        ]
    )
    Participant.objects.bulk_create([p for _e, _d, p in participants])
    attendance, certificates = [], []
    for event, days, participant in participants:
        present = [d for d in range(days) if rng.random() < 0.92]
        attendance += [
            Attendance(participant=participant, day=event.start_date + timedelta(days=d))
            for d in present
        ]
        if len(present) == days and (participant.post_score or 0) >= 60:
            issued = _at(event.end_date, 17)
            certificates.append(
                Certificate(
                    code=f"P{event.start_date:%y}{rng.randrange(16**8):08X}",
                    kind=Certificate.Kind.PARTICIPANT,
                    course=event._course,  # type: ignore[attr-defined]
                    event=event,
                    participant=participant,
                    holder_name=participant.full_name,
                    language="ru",
                    issued_at=issued,
                    expires_at=issued + timedelta(days=3 * 365),
                    issued_by=trainer,
                )
            )
    Attendance.objects.bulk_create(attendance)
    Certificate.objects.bulk_create(certificates)
    return len(events)


# --- the loader -----------------------------------------------------------------------------


def loaded() -> bool:
    from tirek.cases.models import Case

    return Case.objects.filter(case_manager__username__startswith=STAFF_PREFIX).exists()


def load(stdout: Any) -> None:
    if loaded():
        stdout.write("Demo programme already loaded.")
        return
    if not Region.objects.filter(code="kz-karaganda").exists():
        stdout.write("Demo programme skipped: the demo organisations are missing.")
        return
    with transaction.atomic():
        rng = random.Random(SEED)
        # New steps draw from a second generator, so the history drawn from the first
        # stays as it was before they were added.
        more = random.Random(SEED + 1)
        # The programme's "today": fixed, so every run generates the same history.
        today = min(timezone.localdate(), AS_OF)
        sites = _sites(rng)
        families = _people(rng, sites)
        _moves(more, families, sites, today)
        rows = _cases(rng, families, today)
        _team_rows(rows)
        _assessments(rng, rows)
        _plans(rng, rows, today)
        _consents(rows, today)
        _referrals(rng, rows, today)
        _conferences(rng, rows, today)
        events = _training(rng, sites, today)
        granted = _competencies(more, sites, today)
        interviews = _interviews(more, rows, today, granted)
    children = sum(len(f.children) for f in families)
    stdout.write(
        f"Demo programme: {children} children and {len(families)} mothers in "
        f"{len(rows)} cases over 2024–2026, {interviews} child-sensitive interviews held, "
        f"{events} training events."
    )
