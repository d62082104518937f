"""Demo service directory and referrals (order 40), on the demo cases of order 20.

Invented data. Does nothing without the demo cases; safe to run again. The referrals:
- one *pending* to demo-school-liaison for a protected-identity child, sharing education
  only — the liaison sees it in "my work" and the inbox, but not the case until accepting;
- one accepted and in progress at the clinic;
- one completed with the legal-aid NGO;
- one overdue, unanswered by the counselling centre.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.core.exceptions import Refused
from tirek.organisations.models import Agency, Region

from . import services
from .models import Provider, Referral, Service, ServiceCategory
from .selectors import age_on

# (agency name starts with, provider name, regions, languages, contact, services)
# services: (category, name, capacity, waiting days, default role)
DIRECTORY: list[tuple[str, str, list[str], list[str], dict[str, str], list[tuple[Any, ...]]]] = [
    (
        "Общеобразовательная школа № 17",
        "Школа № 17: психолого-педагогическое сопровождение",
        ["kz-karaganda"],
        ["ru", "kk"],
        {"contact_name": "Завуч по воспитательной работе", "phone": "+7 7212 00-17-17"},
        [
            (ServiceCategory.EDUCATION, "Адаптация в классе и тьютор", 6, 7, Role.SCHOOL_LIAISON),
            (
                ServiceCategory.EDUCATION,
                "Дополнительные занятия по казахскому языку",
                10,
                3,
                Role.SCHOOL_LIAISON,
            ),
        ],
    ),
    (
        "Городская поликлиника № 3",
        "Поликлиника № 3: педиатрия",
        ["kz-karaganda"],
        ["ru", "kk"],
        {"contact_name": "Регистратура", "phone": "+7 7212 00-03-03", "hours": "пн–пт 8:00–20:00"},
        [
            (
                ServiceCategory.MEDICAL,
                "Осмотр педиатра и догоняющая иммунизация",
                None,
                5,
                Role.HEALTH_WORKER,
            ),
        ],
    ),
    (
        "ОФ «Правовая помощь детям»",
        "Правовая помощь детям",
        ["kz"],
        ["ru", "kk", "uz"],
        {"contact_name": "Координатор", "email": "help@legal-aid.example"},
        [
            (
                ServiceCategory.LEGAL_AID,
                "Восстановление документов и гражданство",
                15,
                14,
                Role.LAWYER,
            ),
        ],
    ),
    (
        "Центр духовного консультирования",
        "Центр «Ақниет»: консультирование",
        ["kz-karaganda"],
        ["ru", "kk", "ar"],
        {"contact_name": "Администратор", "phone": "+7 7212 00-44-44"},
        [
            (
                ServiceCategory.RELIGIOUS,
                "Беседы с теологом (для взрослых и подростков)",
                8,
                10,
                Role.RELIGIOUS_COUNSELLOR,
            ),
        ],
    ),
    (
        "Центр адаптации «Тірек», Караганда",
        "Центр «Тірек»: психологическая помощь",
        ["kz-karaganda"],
        ["ru", "kk"],
        {"contact_name": "Дежурный психолог", "phone": "+7 7212 00-11-11"},
        [
            (
                ServiceCategory.PSYCHOLOGICAL,
                "Индивидуальная психологическая помощь",
                12,
                7,
                Role.PSYCHOLOGIST,
            ),
            (ServiceCategory.FAMILY_MEDIATION, "Семейная медиация", 5, 21, Role.PSYCHOLOGIST),
        ],
    ),
    (
        "Управление координации занятости",
        "Отдел социальных программ",
        ["kz-karaganda"],
        ["ru", "kk"],
        {"contact_name": "Приёмная", "phone": "+7 7212 00-22-22"},
        [
            (
                ServiceCategory.BENEFITS,
                "Оформление пособий и адресной помощи",
                None,
                10,
                Role.SOCIAL_WORKER,
            ),
            (
                ServiceCategory.VOCATIONAL,
                "Профессиональное обучение для матерей",
                20,
                30,
                Role.SOCIAL_WORKER,
            ),
            (ServiceCategory.HOUSING, "Содействие в жилье", None, 60, Role.SOCIAL_WORKER),
        ],
    ),
    (
        "Центр социальной адаптации, Алматы",
        "Центр социальной адаптации (Алматы): психологи",
        ["kz-almaty"],
        ["ru", "kk", "uz", "tg"],
        {"contact_name": "Приёмная", "phone": "+7 727 000-00-00"},
        [
            (
                ServiceCategory.PSYCHOLOGICAL,
                "Групповая арт-терапия для детей",
                8,
                14,
                Role.PSYCHOLOGIST,
            ),
        ],
    ),
]


def _directory(admin: User) -> dict[str, Service]:
    regions = {r.code: r for r in Region.objects.all()}
    by_name: dict[str, Service] = {}
    for agency_prefix, name, region_codes, languages, contact, offered in DIRECTORY:
        agency = Agency.objects.filter(name__startswith=agency_prefix).first()
        if agency is None:
            continue
        provider = Provider.objects.filter(agency=agency, name=name).first()
        if provider is None:
            provider = services.provider_create(
                by=admin,
                agency=agency,
                name=name,
                regions=[regions[c] for c in region_codes if c in regions] or None,
                languages=languages,
                **cast(dict[str, Any], contact),
            )
        for category, title, capacity, waiting, role in offered:
            service = provider.services.filter(name=title).first()
            if service is None:
                service = services.service_create(
                    by=admin,
                    provider=provider,
                    category=category,
                    name=title,
                    capacity=capacity,
                    waiting_days=waiting,
                    default_role=role,
                )
            by_name[title] = service
    return by_name


def _send(users: dict[str, User], **kwargs: Any) -> Referral:
    """Send as the case manager; where consent does not cover it, as the supervisor with
    the legal basis (as a real team would)."""
    try:
        return services.referral_send(by=users["demo-case-manager"], **kwargs)
    except Refused:
        return services.referral_send(
            by=users["demo-supervisor"],
            legal_basis="Правила социальной реабилитации детей (2020), п. 12",
            **kwargs,
        )


@transaction.atomic
def load(stdout: Any) -> None:
    from tirek.cases.models import Case

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    needed = {
        "demo-admin",
        "demo-case-manager",
        "demo-supervisor",
        "demo-school-liaison",
        "demo-health-worker",
        "demo-lawyer",
    }
    if not needed <= set(users):
        stdout.write("Demo referrals skipped: demo accounts are missing.")
        return
    catalogue = _directory(users["demo-admin"])
    manager = users["demo-case-manager"]
    cases = list(Case.objects.filter(opened_by=manager).select_related("person").order_by("id"))
    if len(cases) < 6:
        stdout.write(f"Demo directory ready ({len(catalogue)} services); no demo cases to refer.")
        return
    if Referral.objects.filter(case__in=cases).exists():
        stdout.write("Demo referrals already loaded.")
        return
    liaison = users["demo-school-liaison"]
    # A protected-identity child of school age the school does not yet work with.
    pending_case = next(
        (
            c
            for c in cases
            if c.protected_identity
            and 6 <= (age_on(c.person.birth_date) or 0) <= 17
            and not c.team.filter(user=liaison, removed_at=None).exists()
        ),
        None,
    )
    if pending_case is None:
        stdout.write("Demo referrals skipped: no school-age protected child without a school.")
        return
    _send(
        users,
        case=pending_case,
        provider=catalogue["Адаптация в классе и тьютор"].provider,
        service=catalogue["Адаптация в классе и тьютор"],
        role=Role.SCHOOL_LIAISON,
        to_user=liaison,
        reason=(
            "Ребёнок поступает в школу по месту жительства. Нужна помощь в адаптации: "
            "читает по-русски с трудом, стесняется отвечать у доски. Просим закрепить "
            "ответственное лицо."
        ),
        sections=["education"],
        urgency="priority",
    )
    clinic = catalogue.get("Осмотр педиатра и догоняющая иммунизация")
    health = users["demo-health-worker"]
    target = next(
        (c for c in cases if not c.team.filter(user=health, removed_at=None).exists()), cases[0]
    )
    if clinic is not None:
        referral = _send(
            users,
            case=target,
            provider=clinic.provider,
            service=clinic,
            role=Role.HEALTH_WORKER,
            to_user=health,
            reason="Нет сведений о прививках; жалобы на частые простуды.",
            sections=["health"],
        )
        referral = services.referral_accept(by=health, referral=referral, version=referral.version)
        services.referral_start(by=health, referral=referral, version=referral.version)
    legal = catalogue.get("Восстановление документов и гражданство")
    lawyer = users["demo-lawyer"]
    if legal is not None:
        referral = _send(
            users,
            case=cases[4],
            provider=legal.provider,
            service=legal,
            role=Role.LAWYER,
            to_user=lawyer,
            reason="Нет свидетельства о рождении, выданного в Казахстане.",
            sections=["legal", "family"],
        )
        referral = services.referral_accept(by=lawyer, referral=referral, version=referral.version)
        services.referral_complete(
            by=lawyer,
            referral=referral,
            version=referral.version,
            outcome="Свидетельство о рождении получено, подано заявление о гражданстве.",
        )
    counselling = catalogue.get("Беседы с теологом (для взрослых и подростков)")
    if counselling is not None:
        referral = _send(
            users,
            case=cases[5],
            provider=counselling.provider,
            service=counselling,
            role=Role.RELIGIOUS_COUNSELLOR,
            reason="Мать просит беседы с теологом; подросток — по желанию.",
            sections=["return_history"],
            urgency="routine",
        )
        # Sent two weeks ago and never answered: overdue on both sides' task lists.
        past = timezone.now() - timedelta(days=14)
        Referral.objects.filter(pk=referral.pk).update(
            created_at=past, respond_by=(past + timedelta(days=10)).date()
        )
        referral.events.update(at=past)
    stdout.write(f"Demo directory ({len(catalogue)} services) and referrals ready.")
