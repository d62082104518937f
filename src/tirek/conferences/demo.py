"""A demo case conference (order 41) on two demo cases of order 20, held yesterday, with
minutes and action items in the owners' "my work" (one overdue). Invented data; does
nothing without the demo cases; safe to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.accounts.models import User

from . import services
from .forms import team_users
from .models import Conference


@transaction.atomic
def load(stdout: Any) -> None:
    from tirek.cases.models import Case

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    chair = users.get("demo-supervisor")
    manager = users.get("demo-case-manager")
    if chair is None or manager is None:
        stdout.write("Demo conference skipped: demo accounts are missing.")
        return
    cases = list(Case.objects.filter(opened_by=manager).order_by("id")[:2])
    if len(cases) < 2:
        stdout.write("Demo conference skipped: no demo cases.")
        return
    if Conference.objects.filter(created_by=chair).exists():
        stdout.write("Demo conference already loaded.")
        return
    held = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    conference = services.conference_schedule(
        by=chair,
        cases=cases,
        scheduled_at=held,
        location="Центр «Тірек», переговорная",
        agenda="1. Итоги первичной оценки.\n2. Школа и язык.\n3. Пособие семье.",
        invite=list(team_users(cases)),
    )
    services.participant_add(
        by=chair,
        conference=conference,
        name="Законный представитель (мать)",
        capacity="законный представитель",
    )
    for participant in conference.participants.all():
        services.attendance_record(by=chair, participant=participant, attendance="present")
    conference = services.conference_update(
        by=chair,
        conference=conference,
        version=conference.version,
        changes={
            "status": "held",
            "child_views": "Хочет учиться вместе с братом, любит рисовать. Боится, что в классе "
            "будут спрашивать, откуда она приехала.",
            "family_views": "Мать просит помочь с пособием и с казахским языком для детей.",
            "decisions": "1. Дополнительные занятия по казахскому языку.\n"
            "2. Оформить адресную социальную помощь.\n3. Продолжить встречи с психологом.",
        },
    )
    today = timezone.localdate()
    actions = [
        ("demo-school-liaison", 0, "Организовать дополнительные занятия по казахскому языку", 14),
        ("demo-social-worker", 1, "Помочь семье оформить адресную социальную помощь", -2),
        ("demo-psychologist", 0, "Провести две встречи по стабилизации сна", 21),
    ]
    for username, index, text, days in actions:
        owner = users.get(username)
        if owner is None:
            continue
        services.action_add(
            by=chair,
            conference=conference,
            case=cases[index],
            description=text,
            owner=owner,
            due_date=today + timedelta(days=max(days, 1)),
        )
        if days < 0:  # an overdue one, so the supervisor's list shows it
            conference.actions.filter(description=text).update(
                due_date=today + timedelta(days=days)
            )
    stdout.write("Demo case conference ready.")
