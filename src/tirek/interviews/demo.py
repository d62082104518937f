"""Demo interviews (order 50) with their safeguards, on a demo case of order 20 that has
the demo interviewer and psychologist on its team: one forensic interview held two
months ago (with follow-up support), and a repeat request on the same matter waiting for
the supervisor's approval and the psychologist's judgement. Invented data; does nothing
without the demo cases; safe to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tirek.accounts import services as account_services
from tirek.accounts.models import Competency, User
from tirek.accounts.roles import Role
from tirek.accounts.selectors import has_competency

from . import services
from .models import Interview, Readiness


@transaction.atomic
def load(stdout: Any) -> None:
    from tirek.access import selectors as access
    from tirek.cases.models import Case

    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    officer, sup, psych = (
        users.get("demo-interviewer"),
        users.get("demo-supervisor"),
        users.get("demo-psychologist"),
    )
    if officer is None or sup is None or psych is None:
        stdout.write("Demo interviews skipped: demo accounts are missing.")
        return
    case = (
        Case.objects.filter(access.on_team(officer, "pk", [Role.INTERVIEWER]))
        .filter(access.on_team(psych, "pk", [Role.PSYCHOLOGIST]))
        .filter(access.supervised_q(sup, ""))
        .order_by("id")
        .first()
    )
    if case is None:
        stdout.write("Demo interviews skipped: no demo case with an interviewer.")
        return
    if Interview.objects.filter(case=case).exists():
        stdout.write("Demo interviews already loaded.")
        return
    if not has_competency(officer, Competency.CHILD_INTERVIEWING):
        account_services.competency_grant(
            user=officer,
            competency=Competency.CHILD_INTERVIEWING,
            expires_at=timezone.now() + timedelta(days=730),
            source="demo: certificate of the child-sensitive interviewing course",
        )
    matter = services.matter_create(
        by=officer, case=case, title="Уголовное дело (ребёнок — свидетель)", reference="№ 0001"
    )
    first = services.interview_request(
        by=officer,
        case=case,
        matter=matter,
        kind="forensic",
        requesting_authority="Следственное управление ДП Карагандинской области",
        purpose="Допрос несовершеннолетнего свидетеля о событиях в лагере.",
        legal_basis="УПК РК, ст. 215 (допрос несовершеннолетнего свидетеля)",
    )
    first = services.interview_readiness(
        by=psych,
        interview=first,
        version=first.version,
        readiness=Readiness.READY,
        note="Стабильна; лучше утром; присутствие знакомого психолога обязательно.",
    )
    first = services.interview_plan(
        by=officer,
        interview=first,
        version=first.version,
        interviewer=officer,
        scheduled_at=timezone.now() + timedelta(days=1),
        time_of_day="morning",
        language="ru",
        support_person="Психолог центра (знаком ребёнку)",
        room="Комната для бесед с детьми, ДП",
        child_friendly_room=True,
    )
    start = (timezone.now() - timedelta(days=60)).replace(hour=10, minute=0, second=0)
    first = services.interview_record(
        by=officer,
        interview=first,
        version=first.version,
        started_at=start,
        ended_at=start + timedelta(minutes=45),
        breaks=1,
        breaks_note="Перерыв 10 минут по просьбе ребёнка",
        observers="Психолог центра; следователь (за зеркалом Гезелла)",
        recorded=True,
        recording_reference="Хранилище ДП, видеозапись № 0001/2026",
        notes="Ребёнок рассказал о переезде семьи и жизни в лагере; подробности — в записи.",
        summary="Показания получены в одном опросе; повторный опрос не рекомендуется.",
    )
    Interview.objects.filter(pk=first.pk).update(
        scheduled_at=start, requested_at=start - timedelta(days=7)
    )
    first.refresh_from_db()
    services.interview_follow_up(
        by=psych,
        interview=first,
        version=first.version,
        follow_up="Две встречи после опроса: сон в норме, тревога снизилась.",
    )
    services.interview_request(
        by=officer,
        case=case,
        matter=matter,
        kind="forensic",
        requesting_authority="Следственное управление ДП Карагандинской области",
        purpose="Уточнение показаний для суда.",
        legal_basis="УПК РК, ст. 215",
        repeat_justification="Суд запросил уточнение двух эпизодов, которых нет в записи.",
    )
    stdout.write("Demo interviews ready (one held, one repeat awaiting approval).")
