"""Demo of stigma incidents (issue 16): the demo school liaison records a bullying incident
at school on a child of the demo family's mother (the one on probation,
``tirek.justice.demo``), with an action on "my work". Idempotent; skipped when the demo
family or accounts are missing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases import services as case_services
from tirek.cases.models import Case

from . import services as incidents
from .models import Incident, IncidentType, Place

MOTHER = ("Жаксылыкова", "Гульнар")


@transaction.atomic
def load(stdout: Any) -> None:
    liaison = User.objects.filter(username="demo-school-liaison").first()
    children = list(
        Case.objects.filter(
            person__relationships__relative__family_name=MOTHER[0],
            person__relationships__relative__given_name=MOTHER[1],
            person__relationships__kind="mother",
        )
        .select_related("person", "case_manager")
        .order_by("number")
    )
    if liaison is None or not children or children[0].case_manager is None:
        stdout.write("Demo incidents skipped: the demo family or accounts are missing.")
        return
    if Incident.objects.filter(cases__in=children).exists():
        stdout.write("Demo incidents already loaded.")
        return
    manager = children[0].case_manager
    _school_incident(children, liaison, manager, stdout)
    stdout.write("Demo incidents ready: a school incident with an action.")


def _school_incident(children: list[Case], liaison: User, manager: User, stdout: Any) -> None:
    child = next(
        (c for c in children if policy.can_write(liaison, c, policy.Section.INCIDENTS)), None
    )
    if child is None:
        child = children[0]
        case_services.team_member_add(
            by=child.case_manager or manager, case=child, user=liaison, role=Role.SCHOOL_LIAISON
        )
    today = timezone.localdate()
    incident = incidents.incident_record(
        by=liaison,
        cases=[child.pk],
        kind=IncidentType.BULLYING,
        place=Place.SCHOOL,
        occurred_on=today - timedelta(days=9),
        reported_by="Классный руководитель",
        description="Одноклассники обзывали ребёнка на перемене из-за происхождения семьи.",
    )
    incidents.action_add(
        by=liaison,
        incident=incident,
        description="Беседа с классом и родителями одноклассников",
        owner=liaison,
        due_date=today + timedelta(days=5),
    )
