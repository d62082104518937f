"""Demo cases (order 20): invented, spread over the Karaganda and Almaty teams, every
phase, with a team for every demo casework role, consents and a few notes, so each demo
account sees something meaningful. Runs after the people loader (order 10) and uses its
demo people; if there are none, it registers a few invented people of its own."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.organisations.models import Agency

from . import services
from .models import Case, CaseStatus, NoteKind, Phase

# Used only when the people app has no demo people: (family, given, patronymic, sex, birth).
FALLBACK_PEOPLE = [
    ("Сейтова", "Амина", "Руслановна", "female", date(2016, 4, 12)),
    ("Сейтов", "Ибрагим", "Русланович", "male", date(2013, 9, 3)),
    ("Сейтова", "Мадина", "Ержановна", "female", date(1992, 1, 20)),
    ("Жаксылыков", "Алихан", "Маратович", "male", date(2010, 6, 30)),
    ("Жаксылыкова", "Зарина", "Маратовна", "female", date(2021, 2, 14)),
    ("Омарова", "Хадиша", "", "female", date(2008, 11, 5)),
    ("Нуриев", "Юсуф", "Ахмедович", "male", date(2012, 3, 18)),
    ("Бекенова", "Сафия", "", "female", date(2018, 7, 1)),
    ("Касымов", "Умар", "Ильясович", "male", date(2009, 12, 9)),
    ("Абдуллаева", "Марьям", "", "female", date(2015, 5, 25)),
    ("Тулегенов", "Айдар", "Серикович", "male", date(2011, 8, 8)),
    ("Тулегенова", "Асель", "Сериковна", "female", date(2019, 10, 17)),
]
KARAGANDA_CASES = 8
ALMATY_CASES = 4

NOTES = {
    Role.PSYCHOLOGIST: (
        NoteKind.SESSION,
        "Третья встреча. Ребёнок охотнее рассказывает о школе, рисует семью. "
        "Сон улучшился, кошмары реже. Продолжаем упражнения на стабилизацию.",
    ),
    Role.SOCIAL_WORKER: (
        NoteKind.HOME_VISIT,
        "Посещение на дому. Семья живёт у бабушки, условия удовлетворительные. "
        "Нужна помощь с оформлением пособия и зимней одеждой.",
    ),
    Role.SCHOOL_LIAISON: (
        NoteKind.SCHOOL_VISIT,
        "Посещаемость хорошая. Трудности с казахским языком, назначены "
        "дополнительные занятия. С одноклассниками конфликтов нет.",
    ),
    Role.HEALTH_WORKER: (
        NoteKind.OFFICE_VISIT,
        "Плановый осмотр. Прививки по календарю догоняющей иммунизации, "
        "следующий приём через месяц.",
    ),
    Role.LAWYER: (
        NoteKind.PHONE_CALL,
        "Подано заявление о восстановлении свидетельства о рождении. "
        "Ответ ЗАГС ожидается в течение месяца.",
    ),
    Role.RELIGIOUS_COUNSELLOR: (
        NoteKind.SESSION,
        "Беседа с матерью о традиционных ценностях и жизни общины. "
        "Открыта к диалогу, просит помочь с поиском работы.",
    ),
    Role.INTERVIEWER: (
        NoteKind.OFFICE_VISIT,
        "Опрос проведён в щадящем режиме в присутствии психолога. Повторный опрос не требуется.",
    ),
}

RETURN_HISTORY = (
    "Вернулись в рамках гуманитарной операции. До возвращения семья несколько лет жила "
    "в лагере для перемещённых лиц. Документы ребёнка отсутствовали."
)


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def _people(count: int) -> list[Any]:
    from tirek.people.models import Person

    without_case = list(Person.objects.filter(cases__isnull=True).order_by("id")[: count + 10])
    if len(without_case) >= count:
        return without_case[:count]
    made = []
    for family, given, patronymic, sex, birth in FALLBACK_PEOPLE:
        person, _ = Person.objects.get_or_create(
            family_name=family,
            given_name=given,
            birth_date=birth,
            defaults={"patronymic": patronymic, "sex": sex},
        )
        made.append(person)
    chosen = without_case + [p for p in made if p not in without_case and not p.cases.exists()]
    return chosen[:count]


def _consent(case: Case, by: User, *, expiring: bool, agencies: list[Agency]) -> None:
    from tirek.privacy import services as privacy
    from tirek.privacy.models import ConsentKind, GivenBy, Purpose
    from tirek.privacy.selectors import AgeGroup, age_group

    today = timezone.localdate()
    group = age_group(case.person.birth_date, today)
    until = today + timedelta(days=20 if expiring else 365)
    start = today - timedelta(days=30)
    if age_group(case.person.birth_date, start) != group:  # a birthday crossed a boundary
        start = today
    purposes = [Purpose.CASE_MANAGEMENT, Purpose.INFORMATION_SHARING, Purpose.REFERRAL]
    giver = {
        AgeGroup.OWN_CONSENT: GivenBy.CHILD,
        AgeGroup.ADULT: GivenBy.ADULT_SELF,
    }.get(group, GivenBy.GUARDIAN)
    privacy.consent_record(
        by=by,
        person=case.person,
        purposes=purposes,
        given_by=giver,
        giver_name="" if giver != GivenBy.GUARDIAN else "Законный представитель",
        recipients=agencies,
        valid_from=start,
        valid_until=until,
    )
    if group == AgeGroup.CAREGIVER_AND_ASSENT:
        privacy.consent_record(
            by=by,
            person=case.person,
            purposes=purposes,
            given_by=GivenBy.CHILD,
            kind=ConsentKind.ASSENT,
            valid_from=start,
            valid_until=until,
        )


@transaction.atomic
def load(stdout: Any) -> None:
    users = _users()
    manager, manager2 = users.get("demo-case-manager"), users.get("demo-case-manager-2")
    if manager is None or manager2 is None:
        stdout.write("Demo cases skipped: demo accounts are missing.")
        return
    if Case.objects.filter(opened_by__in=[manager, manager2]).exists():
        stdout.write("Demo cases already loaded.")
        return
    people = _people(KARAGANDA_CASES + ALMATY_CASES)
    agencies = list(
        Agency.objects.filter(pk__in=[u.agency_id for u in users.values() if u.agency_id]).exclude(
            kind=Agency.Kind.LAW_ENFORCEMENT
        )
    )
    phases = [Phase.REHABILITATION, Phase.REINTEGRATION, Phase.MONITORING]
    risks = ["medium", "high", "low", "medium"]
    karaganda_team = [
        # (username, role, which Karaganda cases by index)
        ("demo-psychologist", Role.PSYCHOLOGIST, {0, 1, 2, 3, 5}),
        ("demo-social-worker", Role.SOCIAL_WORKER, {0, 1, 2, 3, 4, 5, 6, 7}),
        ("demo-lawyer", Role.LAWYER, {0, 2, 4}),
        ("demo-school-liaison", Role.SCHOOL_LIAISON, {0, 1, 3}),
        ("demo-health-worker", Role.HEALTH_WORKER, {1, 2, 6}),
        ("demo-interviewer", Role.INTERVIEWER, {2}),
        ("demo-religious-counsellor", Role.RELIGIOUS_COUNSELLOR, {2, 4}),
    ]
    opened = 0
    for index, person in enumerate(people):
        in_almaty = index >= KARAGANDA_CASES
        lead = manager2 if in_almaty else manager
        k = index - KARAGANDA_CASES if in_almaty else index
        case = services.case_open(
            by=lead, person=person, risk_level=risks[index % len(risks)], protected_identity=k != 7
        )
        changes: dict[str, Any] = {"phase": phases[k % 3], "return_history": RETURN_HISTORY}
        changes["country_returned_from"] = "Сирия" if k % 2 == 0 else "Ирак"
        changes["return_date"] = date(2019 + k % 4, 5, 10 + k)
        if k != 5:
            changes["status"] = CaseStatus.ACTIVE
        services.case_update(by=lead, case=case, version=case.version, changes=changes)
        case.refresh_from_db()
        members = [(lead, Role.CASE_MANAGER)]
        if not in_almaty:
            for username, role, which in karaganda_team:
                user = users.get(username)
                if user is not None and k in which:
                    services.team_member_add(by=lead, case=case, user=user, role=role)
                    members.append((user, role))
        if k != 6:  # one case lacks consent, so the warning shows
            _consent(case, lead, expiring=k == 1, agencies=agencies)
        for author, role in members:
            kind, text = NOTES.get(
                role, (NoteKind.OFFICE_VISIT, "Встреча с семьёй, план обсуждён.")
            )
            section = services.default_note_section(author, case)
            if section is not None:
                services.note_create(
                    by=author,
                    case=case,
                    kind=kind,
                    section=section,
                    occurred_on=timezone.localdate() - timedelta(days=3 + k),
                    narrative=text,
                )
        opened += 1
    _emergency_access(users)
    stdout.write(f"Demo cases ready: {opened} opened with teams, consents and notes.")


def _emergency_access(users: dict[str, User]) -> None:
    """One break-the-glass by the demo social worker (a role that acts in emergencies, in
    the case's region), for the DPO's review list."""
    from tirek.access import selectors as access
    from tirek.privacy.services import emergency_access_open

    worker = users.get("demo-social-worker")
    if worker is None:
        return
    case = (
        Case.objects.filter(region__code="kz-karaganda")
        .exclude(pk__in=access.memberships_of(worker).values("case_id"))
        .order_by("number")
        .first()
    )
    if case is None:
        return
    emergency_access_open(
        by=worker,
        case_id=case.pk,
        justification="Ребёнок доставлен в поликлинику с высокой температурой без сопровождения; "
        "нужны сведения о прививках и аллергиях.",
    )
