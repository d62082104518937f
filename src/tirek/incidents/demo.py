"""Demo of stigma incidents (issue 16): the demo school liaison records a bullying incident
at school on a child of the demo family's mother (the one on probation,
``tirek.justice.demo``), with an action on "my work". Idempotent; skipped when the demo
family or accounts are missing.

Then the incidents met over three years by the people of the demo programme
(``tirek.reports.demo_programme``, issue #15), so the ministry's incident figures have
something to count: generated history, written directly, without audit entries."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases import services as case_services
from tirek.cases.models import Case

from . import services as incidents
from .models import Incident, IncidentAction, IncidentType, Place

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
    elif Incident.objects.filter(cases__in=children).exists():
        stdout.write("Demo incidents already loaded.")
    else:
        _school_incident(children, liaison, children[0].case_manager, stdout)
        stdout.write("Demo incidents ready: a school incident with an action.")
    _programme(stdout)


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


# --- the demo programme's incidents ---------------------------------------------------------

SEED = 2016
# Incidents per person and year in the programme: children meet more (at school).
RATE_CHILD, RATE_ADULT = 0.12, 0.06
CHILD_KINDS = [
    (IncidentType.BULLYING, Place.SCHOOL, 45),
    (IncidentType.EXPOSURE, Place.SCHOOL, 10),
    (IncidentType.EXPOSURE, Place.COMMUNITY, 5),
    (IncidentType.HATE_SPEECH, Place.ONLINE, 15),
    (IncidentType.VIOLENCE, Place.SCHOOL, 5),
    (IncidentType.SERVICE_REFUSED, Place.SERVICE, 10),
    (IncidentType.OTHER, Place.COMMUNITY, 10),
]
ADULT_KINDS = [
    (IncidentType.SERVICE_REFUSED, Place.SERVICE, 40),
    (IncidentType.HATE_SPEECH, Place.COMMUNITY, 30),
    (IncidentType.EXPOSURE, Place.COMMUNITY, 15),
    (IncidentType.OTHER, Place.OTHER, 15),
]
TEXTS = {
    IncidentType.BULLYING: "Одноклассники дразнили из-за того, откуда вернулась семья.",
    IncidentType.EXPOSURE: "Посторонние узнали и обсуждали, где семья жила до возвращения.",
    IncidentType.HATE_SPEECH: "Оскорбительные сообщения о семье в чате района.",
    IncidentType.VIOLENCE: "Старшие ученики толкали и ударили ребёнка после уроков.",
    IncidentType.SERVICE_REFUSED: "В приёме документов отказали без объяснения причин.",
    IncidentType.OTHER: "Соседи требовали, чтобы семья переехала.",
}
ACTIONS = {
    Place.SCHOOL: "Беседа с классом и классным руководителем",
    Place.SERVICE: "Обращение к руководителю службы, повторная подача документов",
    Place.ONLINE: "Жалоба модератору, сохранение сообщений",
    Place.COMMUNITY: "Встреча с аксакалами махалли и участковым",
    Place.OTHER: "Консультация юриста",
}


def _programme(stdout: Any) -> None:
    from tirek.people.models import Relationship, RelationshipKind
    from tirek.reports.demo_programme import AS_OF, STAFF_PREFIX

    cases = list(
        Case.objects.filter(case_manager__username__startswith=STAFF_PREFIX)
        .exclude(status="registered")
        .select_related("person")
        .order_by("number")
    )
    if not cases or Incident.objects.filter(cases__in=cases).exists():
        return
    rng = random.Random(SEED)
    today = min(timezone.localdate(), AS_OF)
    mother_of = dict(
        Relationship.objects.filter(
            kind=RelationshipKind.MOTHER, person__in=[c.person_id for c in cases]
        ).values_list("person_id", "relative_id")
    )
    children_of: dict[int, list[Case]] = defaultdict(list)
    for case in cases:
        if case.person_id in mother_of:
            children_of[mother_of[case.person_id]].append(case)
    # Recorded by the social worker of the case's unit (they record anywhere).
    social_worker = dict(
        User.objects.filter(
            username__startswith=STAFF_PREFIX, roles__role=Role.SOCIAL_WORKER
        ).values_list("unit_id", "pk")
    )
    incidents: list[tuple[Incident, list[Case]]] = []
    for case in cases:
        child = case.person_id in mother_of
        opened = case.opened_at.date() + timedelta(days=14)
        ends = case.closed_at.date() if case.closed_at else today
        months = max((ends - opened).days, 0) // 30
        rate = (RATE_CHILD if child else RATE_ADULT) / 12
        for _n in range(sum(1 for _m in range(months) if rng.random() < rate)):
            day = opened + timedelta(days=rng.randrange(max((ends - opened).days, 1)))
            kinds = CHILD_KINDS if child else ADULT_KINDS
            kind, place, _w = rng.choices(kinds, weights=[w for *_k, w in kinds])[0]
            at = timezone.make_aware(datetime.combine(day, time(15)))
            recorder = social_worker.get(case.supervising_unit_id, case.case_manager_id)
            linked = [case]
            if child and place == Place.SCHOOL and rng.random() < 0.3:
                linked += [
                    c
                    for c in children_of[mother_of[case.person_id]]
                    if c is not case
                    and c.opened_at < at
                    and (c.closed_at is None or c.closed_at > at)
                ][:1]
            heard = child and rng.random() < 0.3
            closed = day + timedelta(days=rng.randrange(10, 60))
            incident = Incident(
                kind=kind,
                place=place,
                occurred_on=day,
                reported_by=rng.choice(
                    ["Мать", "Классный руководитель", "Социальный работник", "Психолог центра"]
                    if child
                    else ["Сама", "Социальный работник", "Соседка"]
                ),
                description=TEXTS[kind],
                # The child's own account only as the safeguards require: a trusted adult
                # present and the consent for the conversation recorded.
                child_account="Рассказал(а) психологу в присутствии матери." if heard else "",
                account_trusted_adult="Мать" if heard else "",
                account_consent=heard,
                outcome="Ситуация разрешена, семья под наблюдением." if closed < today else "",
                closed_on=closed if closed < today else None,
                region_id=case.region_id,
                unit_id=case.supervising_unit_id,
                recorded_by_id=recorder,
                recorded_at=at + timedelta(days=1),
            )
            incident._action = (  # type: ignore[attr-defined]
                ACTIONS[place],
                recorder,
                day + timedelta(days=rng.randrange(5, 15)),
                rng.random() < 0.85,
            )
            incidents.append((incident, linked))
    Incident.objects.bulk_create([i for i, _c in incidents])
    through = Incident.cases.through
    through.objects.bulk_create(
        [through(incident=i, case=c) for i, linked in incidents for c in linked]
    )
    actions = []
    for incident, _linked in incidents:
        text, owner, due, done = incident._action  # type: ignore[attr-defined]
        actions.append(
            IncidentAction(
                incident=incident,
                description=text,
                owner_id=owner,
                due_date=due,
                done_on=min(due, today) if done and due < today + timedelta(days=1) else None,
                created_by_id=owner,
                created_at=incident.recorded_at,
            )
        )
    IncidentAction.objects.bulk_create(actions)
    stdout.write(f"Demo programme incidents: {len(incidents)} over 2024–2026, with actions.")
