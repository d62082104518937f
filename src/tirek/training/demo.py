"""Demo training data (invented): the seed curriculum and a three-generation cascade.

1. A training of trainers on child-sensitive interviewing, delivered by an invented
   external master trainer; demo-trainer is certified there as a trainer.
2. A regional training of trainers delivered by demo-trainer; demo-interviewer is
   certified there (trainer certificate → child-interviewing competency).
3. A webinar delivered by demo-interviewer for casework staff.
Idempotent: an event that exists (by title) is left alone.
"""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from tirek.accounts.models import User
from tirek.core.exceptions import Refused

from . import seed, services
from .models import Audience, Course, Event, Lesson, LessonProgress, Sex

MASTER_TRAINER = "Лейла Каримова"

# (name, agency, position, sex, audience, pre, post, days attended (None: all))
External = tuple[str, str, str, str, str, int, int, int | None]

EVENTS: list[dict[str, Any]] = [
    {
        "title": "ТОТ: опрос ребёнка с учётом его интересов и подход, учитывающий травму",
        "kind": Event.Kind.TOT,
        "mode": Event.Mode.IN_PERSON,
        "start_date": date(2025, 3, 10),
        "end_date": date(2025, 3, 13),
        "place": "Астана, учебный центр",
        "organisers": "Министерство труда и социальной защиты населения",
        "funders": "Фонд «Открытое будущее» (условный донор)",
        "master": MASTER_TRAINER,
        "trainer": None,
        "staff": [("demo-trainer", 42, 88), ("demo-psychologist", 50, 84)],
        "external": [
            (
                "Гаухар Сейтова",
                "Академия правоохранительных органов",
                "преподаватель",
                Sex.FEMALE,
                Audience.LAW_ENFORCEMENT,
                45,
                80,
                None,
            ),
            (
                "Олжас Нургалиев",
                "Прокуратура Карагандинской области",
                "прокурор",
                Sex.MALE,
                Audience.PROSECUTORS,
                38,
                76,
                None,
            ),
            (
                "Малика Юсупова",
                "ОФ «Правовая помощь детям»",
                "юрист",
                Sex.FEMALE,
                Audience.LAWYERS,
                55,
                62,
                2,
            ),
        ],
    },
    {
        "title": "Региональный ТОТ: опрос ребёнка для преподавателей правоохранительных органов",
        "kind": Event.Kind.TOT,
        "mode": Event.Mode.IN_PERSON,
        "start_date": date(2025, 5, 12),
        "end_date": date(2025, 5, 14),
        "place": "Караганда, Департамент полиции",
        "organisers": "Центр адаптации «Тірек», Караганда",
        "funders": "Фонд «Открытое будущее» (условный донор)",
        "master": None,
        "trainer": "demo-trainer",
        "staff": [("demo-interviewer", 40, 86)],
        "external": [
            (
                "Арман Бекетов",
                "Департамент полиции Карагандинской области",
                "инспектор",
                Sex.MALE,
                Audience.LAW_ENFORCEMENT,
                35,
                72,
                None,
            ),
            (
                "Айжан Мусина",
                "Департамент полиции Карагандинской области",
                "следователь",
                Sex.FEMALE,
                Audience.LAW_ENFORCEMENT,
                48,
                79,
                None,
            ),
            (
                "Ержан Калиев",
                "Прокуратура Карагандинской области",
                "прокурор",
                Sex.MALE,
                Audience.PROSECUTORS,
                52,
                68,
                None,
            ),
        ],
    },
    {
        "title": "Вебинар: как говорить с ребёнком и не навредить",
        "kind": Event.Kind.WEBINAR,
        "mode": Event.Mode.ONLINE,
        "start_date": date(2025, 9, 18),
        "end_date": date(2025, 9, 18),
        "place": "онлайн",
        "organisers": "Департамент полиции Карагандинской области",
        "funders": "",
        "master": None,
        "trainer": "demo-interviewer",
        "staff": [
            ("demo-case-manager", 44, 78),
            ("demo-social-worker", 50, 81),
            ("demo-lawyer", 58, 71),
        ],
        "external": [
            (
                "Динара Омарова",
                "Общеобразовательная школа № 17, Караганда",
                "педагог-психолог",
                Sex.FEMALE,
                Audience.TEACHERS,
                41,
                77,
                None,
            ),
            (
                "Нурсултан Ахметов",
                "Управление образования",
                "социальный педагог",
                Sex.MALE,
                Audience.SOCIAL_WORKERS,
                39,
                70,
                None,
            ),
            (
                "Камила Абенова",
                "Центр духовного консультирования «Ақниет»",
                "теолог",
                Sex.FEMALE,
                Audience.RELIGIOUS_COUNSELLORS,
                47,
                65,
                None,
            ),
        ],
    },
]


def _load_event(spec: dict[str, Any], course: Course, coordinator: User) -> bool:
    if Event.objects.filter(title=spec["title"]).exists():
        return False
    fields = {k: v for k, v in spec.items() if k in services.EVENT_FIELDS}
    event = services.event_create(by=coordinator, courses=[course], **fields)
    if spec["master"]:
        services.trainer_assign(
            by=coordinator, event=event, external_name=spec["master"], is_master=True
        )
    else:
        trainer = User.objects.get(username=spec["trainer"])
        services.trainer_assign(by=coordinator, event=event, user=trainer)
    scores: dict[int, tuple[Any, Any]] = {}
    present = {}
    for username, pre, post in spec["staff"]:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        p = services.participant_add(by=coordinator, event=event, user=user)
        scores[p.pk] = (Decimal(pre), Decimal(post))
        present[p.pk] = set(event.days)
    for name, agency, position, sex, audience, pre, post, days in spec["external"]:
        p = services.participant_add(
            by=coordinator,
            event=event,
            full_name=name,
            agency_name=agency,
            position=position,
            sex=sex,
            audience=audience,
            region=None,
            language="ru",
        )
        scores[p.pk] = (Decimal(pre), Decimal(post))
        present[p.pk] = set(event.days[: days if days is not None else None])
    services.attendance_set(by=coordinator, event=event, present=present)
    services.scores_set(by=coordinator, event=event, scores=scores)
    for participant in event.participants.all():
        # Below the attendance or pass mark: stays without a certificate, as in life.
        with contextlib.suppress(Refused):
            services.certificate_issue_for_participant(by=coordinator, participant=participant)
    return True


@transaction.atomic
def load(stdout: Any) -> None:
    seed.load()
    coordinator = User.objects.filter(username="demo-training-coordinator").first()
    if coordinator is None:
        stdout.write("Training: seed curriculum loaded (no demo coordinator, no demo events).")
        return
    course = Course.objects.get(code="child-interviewing")
    created = sum(_load_event(spec, course, coordinator) for spec in EVENTS)
    # Some self-paced progress, so "my courses" is not empty for the case manager.
    learner = User.objects.filter(username="demo-case-manager").first()
    if learner is not None:
        first_lessons = Lesson.objects.filter(
            module__course__code="psychosocial-support", module__order__lte=2, quiz__isnull=True
        )
        for lesson in first_lessons:
            LessonProgress.objects.get_or_create(user=learner, lesson=lesson)
            services.enrolment_start(user=learner, course=lesson.module.course)
    stdout.write(
        f"Training: seed curriculum and {created} new demo events (cascade of 3 generations)."
    )
