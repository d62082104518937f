"""Demo of the justice pathway (issue 16): Gulnar Zhaksylykova, the mother of the demo
family (``tirek.families.demo``: three children in two schools, a family plan, a community
worker), is on probation with conditions and a review date; her probation officer
``demo-probation-officer`` is on her case; one of her children had a contact visit with her
(the school incident is ``tirek.incidents.demo``). Idempotent; skipped when the demo family
or accounts are missing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases import services as case_services
from tirek.cases.models import Case

from . import services
from .models import ContactKind, ContactStatus, LegalStatus, Status, SupportKind

PROBATION_USERNAME = "demo-probation-officer"  # created by tirek.accounts.demo_org
PROBATION_SERVICE = "Служба пробации г. Караганды"


@transaction.atomic
def load(stdout: Any) -> None:
    officer = User.objects.filter(username=PROBATION_USERNAME).first()  # core.demo_org
    mother_case = (
        Case.objects.filter(person__family_name="Жаксылыкова", person__given_name="Гульнар")
        .select_related("person", "case_manager", "region")
        .first()
    )
    if officer is None or mother_case is None or mother_case.case_manager is None:
        stdout.write("Demo justice pathway skipped: the demo mother or accounts are missing.")
        return
    if LegalStatus.objects.filter(case=mother_case).exists():
        stdout.write("Demo justice pathway already loaded.")
        return
    manager = mother_case.case_manager
    today = timezone.localdate()
    case_services.team_member_add(
        by=manager, case=mother_case, user=officer, role=Role.PROBATION_OFFICER
    )
    services.status_record(
        by=officer,
        case=mother_case,
        status=Status.PRE_TRIAL,
        institution="СИЗО г. Караганды",
        start_date=today - timedelta(days=700),
    )
    services.status_record(
        by=officer,
        case=mother_case,
        status=Status.PROBATION,
        institution=PROBATION_SERVICE,
        start_date=today - timedelta(days=400),
        end_date=today + timedelta(days=330),
        next_review=today + timedelta(days=20),
        note="Пробационный контроль; явка раз в месяц.",
    )
    for text, days in (
        ("Ежемесячная явка в службу пробации", 20),
        ("Не покидать Карагандинскую область без уведомления", 110),
    ):
        services.condition_add(
            by=officer, case=mother_case, text=text, review_date=today + timedelta(days=days)
        )
    services.support_record(  # livelihood: social work, recorded by her case manager
        by=manager,
        case=mother_case,
        kind=SupportKind.TRAINING,
        provider="Колледж сервиса, курсы швеи",
        start_date=today - timedelta(days=200),
        end_date=today - timedelta(days=20),
        outcome="Курс окончен, сертификат получен.",
    )
    services.support_record(  # disengagement: counselling, seen by the probation officer
        by=officer,
        case=mother_case,
        kind=SupportKind.COUNSELLING,
        provider="Духовное управление, теолог-консультант",
        start_date=today - timedelta(days=150),
        outcome="Шесть бесед проведено; продолжает встречи раз в месяц.",
    )
    children = list(
        Case.objects.filter(
            person__relationships__relative=mother_case.person,
            person__relationships__kind="mother",
        )
        .select_related("person", "case_manager")
        .order_by("number")
    )
    if children:
        child = children[0]
        services.contact_record(
            by=child.case_manager or manager,
            case=child,
            kind=ContactKind.VISIT,
            status=ContactStatus.HELD,
            on_date=today - timedelta(days=14),
            with_whom="Мать",
            accompanied_by="Бабушка и социальный работник",
            child_reaction="Радовался встрече, после визита был спокоен.",
        )
    stdout.write("Demo justice pathway ready: probation, conditions, a contact visit.")
