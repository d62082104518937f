"""Demo organisations and one demo account per role (DESIGN.md section 7).

All names are invented. ``DEMO_PASSWORD`` is printed by ``tirek demo`` and written in
the README; it only works while the installation runs in demo mode (TIREK_DEMO=1) —
outside demo mode demo accounts must enrol in two-factor authentication like anyone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tirek.accounts import services as account_services
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.organisations.models import Agency, Region, Unit
from tirek.organisations.services import regions_load

DEMO_PASSWORD = "Tirek-demo-2026"  # noqa: S105  (documented demo credential)

# (key, name, kind, region code, parent key)
AGENCIES = [
    (
        "ministry-social",
        "Министерство труда и социальной защиты населения",
        Agency.Kind.MINISTRY,
        "kz-astana",
        None,
    ),
    ("ministry-education", "Министерство просвещения", Agency.Kind.MINISTRY, "kz-astana", None),
    (
        "akimat-karaganda",
        "Управление координации занятости и социальных программ Карагандинской области",
        Agency.Kind.AKIMAT,
        "kz-karaganda",
        "ministry-social",
    ),
    (
        "centre-karaganda",
        "Центр адаптации «Тірек», Караганда",
        Agency.Kind.REHAB_CENTRE,
        "kz-karaganda",
        "akimat-karaganda",
    ),
    (
        "school-karaganda",
        "Общеобразовательная школа № 17, Караганда",
        Agency.Kind.SCHOOL,
        "kz-karaganda",
        "ministry-education",
    ),
    (
        "clinic-karaganda",
        "Городская поликлиника № 3, Караганда",
        Agency.Kind.CLINIC,
        "kz-karaganda",
        None,
    ),
    ("ngo-legal", "ОФ «Правовая помощь детям»", Agency.Kind.NGO, "kz-karaganda", None),
    # Issue 16, the justice pathway (tirek.justice).
    (
        "probation-karaganda",
        "Служба пробации г. Караганды",
        Agency.Kind.LAW_ENFORCEMENT,
        "kz-karaganda",
        None,
    ),
    (
        "women-centre-karaganda",
        "Женский центр адаптации, Караганда",
        Agency.Kind.REHAB_CENTRE,
        "kz-karaganda",
        None,
    ),
    (
        "ngo-counselling",
        "Центр духовного консультирования «Ақниет»",
        Agency.Kind.NGO,
        "kz-karaganda",
        None,
    ),
    (
        "police-karaganda",
        "Департамент полиции Карагандинской области",
        Agency.Kind.LAW_ENFORCEMENT,
        "kz-karaganda",
        None,
    ),
    (
        "centre-almaty",
        "Центр социальной адаптации, Алматы",
        Agency.Kind.REHAB_CENTRE,
        "kz-almaty",
        "ministry-social",
    ),
]

# (key, agency key, name, region code)
UNITS = [
    ("team-karaganda", "centre-karaganda", "Команда сопровождения случаев", "kz-karaganda"),
    ("team-almaty", "centre-almaty", "Команда сопровождения случаев", "kz-almaty"),
    ("me-unit", "ministry-social", "Отдел мониторинга и оценки", "kz-astana"),
]

# (username, roles, agency key, unit key, first name, last name)
USERS: list[tuple[str, list[str], str, str | None, str, str]] = [
    (
        "demo-case-manager",
        [Role.CASE_MANAGER],
        "centre-karaganda",
        "team-karaganda",
        "Айгерим",
        "Сапарова",
    ),
    (
        "demo-case-manager-2",
        [Role.CASE_MANAGER],
        "centre-almaty",
        "team-almaty",
        "Дина",
        "Ахметова",
    ),
    (
        "demo-psychologist",
        [Role.PSYCHOLOGIST],
        "centre-karaganda",
        "team-karaganda",
        "Марат",
        "Ибраев",
    ),
    (
        "demo-social-worker",
        [Role.SOCIAL_WORKER],
        "akimat-karaganda",
        "team-karaganda",
        "Гульнара",
        "Бекова",
    ),
    ("demo-lawyer", [Role.LAWYER], "ngo-legal", None, "Ерлан", "Жумабаев"),
    ("demo-school-liaison", [Role.SCHOOL_LIAISON], "school-karaganda", None, "Светлана", "Ким"),
    ("demo-health-worker", [Role.HEALTH_WORKER], "clinic-karaganda", None, "Асель", "Нурланова"),
    ("demo-interviewer", [Role.INTERVIEWER], "police-karaganda", None, "Данияр", "Оспанов"),
    (
        "demo-probation-officer",
        [Role.PROBATION_OFFICER],
        "probation-karaganda",
        None,
        "Жанар",
        "Сейткали",
    ),
    # Issue 16: the community (mahalla) worker; the families demo places her in the mahalla.
    (
        "demo-community-worker",
        [Role.COMMUNITY_WORKER],
        "akimat-karaganda",
        None,
        "Сауле",
        "Абенова",
    ),
    (
        "demo-prison-social-worker",
        [Role.PRISON_SOCIAL_WORKER],
        "women-centre-karaganda",
        None,
        "Динара",
        "Омарова",
    ),
    (
        "demo-religious-counsellor",
        [Role.RELIGIOUS_COUNSELLOR],
        "ngo-counselling",
        None,
        "Нурлан",
        "Абдиев",
    ),
    (
        "demo-supervisor",
        [Role.SUPERVISOR],
        "centre-karaganda",
        "team-karaganda",
        "Жанар",
        "Тлеуова",
    ),
    (
        "demo-supervisor-2",
        [Role.SUPERVISOR],
        "centre-almaty",
        "team-almaty",
        "Бауыржан",
        "Сейткали",
    ),
    ("demo-dpo", [Role.DPO], "ministry-social", None, "Ольга", "Петрова"),
    ("demo-me-analyst", [Role.ME_ANALYST], "ministry-social", "me-unit", "Тимур", "Касымов"),
    (
        "demo-training-coordinator",
        [Role.TRAINING_COORDINATOR],
        "ministry-social",
        None,
        "Алия",
        "Муканова",
    ),
    ("demo-trainer", [Role.TRAINER], "centre-karaganda", None, "Роза", "Есенова"),
    ("demo-admin", [Role.ADMIN], "ministry-social", None, "Админ", "Системный"),
]


@transaction.atomic
def load(stdout: Any) -> None:
    regions_load()
    regions = {r.code: r for r in Region.objects.all()}
    agencies: dict[str, Agency] = {}
    for key, name, kind, region_code, parent_key in AGENCIES:
        agencies[key], _ = Agency.objects.get_or_create(
            name=name,
            region=regions[region_code],
            defaults={"kind": kind, "parent": agencies.get(parent_key) if parent_key else None},
        )
    units: dict[str, Unit] = {}
    for key, agency_key, name, region_code in UNITS:
        units[key], _ = Unit.objects.get_or_create(
            agency=agencies[agency_key], name=name, defaults={"region": regions[region_code]}
        )
    for username, roles, agency_key, unit_key, first, last in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = account_services.user_create(
            username=username,
            password=DEMO_PASSWORD,
            roles=[str(r) for r in roles],
            agency=agencies[agency_key],
            unit=units[unit_key] if unit_key else None,
            first_name=first,
            last_name=last,
            is_demo=True,
            check_password=False,
        )
        if Role.ADMIN in roles:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    stdout.write(f"Demo organisations and {len(USERS)} demo accounts ready.")
