"""Demo (issue 16): a mother with three children in two schools registered as one
family, a mahalla / community unit under a Karaganda district, a community worker
(``demo-community-worker``) on the family's team, and a family plan with goals linked to
the children's individual plans and a task for the community worker. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.accounts import services as account_services
from tirek.accounts.demo_org import DEMO_PASSWORD
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases import services as case_services
from tirek.cases.models import Case, NoteKind
from tirek.organisations.models import Agency, Region
from tirek.organisations.services import region_add

from . import services
from .models import Family, FamilyMember, MemberRole

LABEL = "Семья Жаксылыковых (вернулись в 2025 году)"
WORKER = "demo-community-worker"
MOTHER = ("Жаксылыкова", "Гульнар", "Ерлановна", "female", date(1991, 3, 14))
CHILDREN = [
    ("Жаксылыкова", "Аяулым", "female", date(2012, 10, 2), "Общеобразовательная школа № 17"),
    ("Жаксылыков", "Нурсултан", "male", date(2015, 1, 20), "Общеобразовательная школа № 17"),
    ("Жаксылыков", "Алихан", "male", date(2017, 6, 8), "Школа-гимназия № 42"),
]


def _mahalla() -> Region:
    oblast = Region.objects.get(code="kz-karaganda")
    district = region_add(
        code="kz-karaganda-kazybek-bi",
        kind=Region.Kind.DISTRICT,
        parent=oblast,
        names={
            "ru": "район им. Казыбек би",
            "kk": "Қазыбек би ауданы",
            "en": "Kazybek Bi district",
        },
    )
    return region_add(
        code="kz-karaganda-kazybek-bi-dostyk",
        kind=Region.Kind.COMMUNITY,
        parent=district,
        names={"ru": "Махалля «Достык»", "kk": "«Достық» маһалласы", "en": "Dostyk community"},
    )


def _worker(mahalla: Region) -> User:
    found = User.objects.filter(username=WORKER).first()
    if found is not None:  # made by the demo organisation; she works in the mahalla
        if found.region_id != mahalla.pk:
            found.region = mahalla
            found.save(update_fields=["region"])
        return found
    akimat = Agency.objects.filter(kind=Agency.Kind.AKIMAT, region__code="kz-karaganda").first()
    return account_services.user_create(
        username=WORKER,
        password=DEMO_PASSWORD,
        roles=[Role.COMMUNITY_WORKER],
        agency=akimat,
        region=mahalla,
        first_name="Сауле",
        last_name="Абенова",
        is_demo=True,
        check_password=False,
    )


@transaction.atomic
def load(stdout: Any) -> None:
    manager = User.objects.filter(username="demo-case-manager").first()
    supervisor = User.objects.filter(username="demo-supervisor").first()
    if manager is None or not Region.objects.filter(code="kz-karaganda").exists():
        stdout.write("Demo family skipped: demo accounts are missing.")
        return
    mahalla = _mahalla()
    worker = _worker(mahalla)
    if Family.objects.filter(label=LABEL).exists():
        stdout.write("Demo family already loaded.")
        return
    family_name, given, patronymic, sex, born = MOTHER
    members = [
        services.NewMember(
            role=MemberRole.MOTHER,
            family_name=family_name,
            given_name=given,
            patronymic=patronymic,
            sex=sex,
            birth_date=born,
        )
    ]
    for family_name, given, sex, born, _school in CHILDREN:
        members.append(
            services.NewMember(
                role=MemberRole.CHILD,
                family_name=family_name,
                given_name=given,
                sex=sex,
                birth_date=born,
                not_duplicate_reason=services.TOGETHER_REASON,
            )
        )
    family = services.family_register(
        by=manager,
        label=LABEL,
        members=members,
        guardianship="Дети живут с матерью; бабушка по матери — временный опекун на время "
        "судебного разбирательства (решение органа опеки № 14-02/311).",
    )
    household = family.household
    family = services.family_update(
        by=manager,
        family=family,
        version=family.version,
        label=family.label,
        guardianship=family.guardianship,
        shared_goals="Жить вместе в постоянном жилье; мать работает, дети посещают школу; "
        "семья поддерживает связь с бабушкой и соседями по махалле.",
        household_label=household.label if household else "",
        household_locality=household.locality if household else "",
    )
    cases = {
        m.position: Case.objects.get(person=m.person)
        for m in FamilyMember.objects.filter(family=family)
    }
    today = timezone.localdate()
    for position, case in cases.items():
        case_services.case_update(
            by=manager, case=case, version=case.version, changes={"status": "active"}
        )
        if position == 0:
            continue
        school = CHILDREN[position - 1][4]
        case_services.note_create(
            by=manager,
            case=case,
            kind=NoteKind.SCHOOL_VISIT,
            section="education",
            occurred_on=today - timedelta(days=10 + position),
            narrative=f"{school}: ребёнок зачислен, классный руководитель в курсе.",
        )
    services.community_worker_add(by=manager, family=family, user=worker)
    from tirek.plans import services as plan_services

    linked = [
        plan_services.goal_create(
            user=manager,
            case_id=cases[position].pk,
            domain="education",
            title=f"Посещает занятия: {CHILDREN[position - 1][4]}",
            target_date=today + timedelta(days=120),
        ).pk
        for position in (1, 3)
    ]
    housing = services.goal_add(
        by=manager,
        family=family,
        area="housing",
        title="Семья живёт в своём жилье рядом с обеими школами",
        target_date=today + timedelta(days=180),
    )
    services.goal_add(
        by=manager,
        family=family,
        area="contact",
        title="Дети регулярно видятся с матерью",
        target_date=today + timedelta(days=90),
    )
    schooling = services.goal_add(
        by=manager,
        family=family,
        area="education",
        title="Все трое детей учатся без пропусков",
        linked_goal_ids=linked,
    )
    services.task_add(
        by=manager,
        goal=schooling,
        title="Навестить семью дома и поговорить с учителями обеих школ",
        owner=worker,
        due_date=today + timedelta(days=7),
    )
    services.task_add(
        by=manager,
        goal=housing,
        title="Подать заявление на социальное жильё в акимат",
        owner=manager,
        due_date=today + timedelta(days=14),
    )
    case_services.note_create(
        by=worker,
        case=cases[1],
        kind=NoteKind.HOME_VISIT,
        section="family",
        occurred_on=today - timedelta(days=2),
        narrative="Визит на дом: семья обустраивается, соседи относятся доброжелательно.",
    )
    if supervisor is not None:
        services.plan_submit(by=manager, family=family)
        services.plan_decide(by=supervisor, family=family, approve=True, comment="Согласовано.")
    stdout.write(f"Demo family ready: {LABEL}, community worker {WORKER}.")
