"""Training benchmark: the cascade, the event list and page, and training needs on a
large generated training history.

    DATABASE_URL=... .venv/bin/python bench/bench_training.py [--scale 1.0]

Builds a throw-away test database (Django's test database for the configured
DATABASE_URL), generates a four-generation cascade (at scale 1.0: ~2,000 events,
~50,000 participants, ~1,300 trainers) plus 5,000 active cases with teams, then
prints median and p95 server-side times. Writes nothing to the real database.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
os.environ.setdefault("TIREK_DEMO", "1")  # dev secret allowed; templates cached as in production

import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

import tirek.wsgi  # noqa: E402, F401  (loaded as tirek serve's workers load it)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def generate(scale: float) -> dict[str, Any]:
    from tirek.accounts.models import User
    from tirek.accounts.roles import Role
    from tirek.cases.models import Case, CaseTeamMember
    from tirek.people.models import Person
    from tirek.testing import build_world
    from tirek.training import seed
    from tirek.training.models import (
        Attendance,
        Certificate,
        Course,
        Event,
        Participant,
        TrainerAssignment,
    )

    rnd = random.Random(7)
    world = build_world()
    coordinator = world.staff(Role.TRAINING_COORDINATOR)
    seed.load()
    course = Course.objects.get(code="child-interviewing")
    now = timezone.now()
    # Staff pool: learners and would-be trainers (bulk, no password hashing).
    staff_count = int(20000 * scale)
    User.objects.bulk_create(
        [
            User(username=f"bench-{i}", agency=world.centre, region=world.karaganda, password="!")
            for i in range(staff_count)
        ],
        batch_size=2000,
    )
    staff_ids = list(
        User.objects.filter(username__startswith="bench-").values_list("id", flat=True)
    )
    day0 = date(2022, 1, 10)
    trainers_by_generation: dict[int, list[int | str]] = {1: [f"Master {i}" for i in range(5)]}
    counts = {"events": 0, "participants": 0}
    per_trainer_events = {1: 4, 2: 3, 3: 2, 4: 1}
    for generation in (1, 2, 3, 4):
        next_trainers: list[int | str] = []
        for trainer in trainers_by_generation.get(generation, []):
            for _n in range(per_trainer_events[generation]):
                if counts["events"] >= int(2000 * scale) and generation > 1:
                    break
                start = day0 + timedelta(days=rnd.randint(0, 1200))
                kind = (
                    Event.Kind.TOT if generation < 4 and rnd.random() < 0.5 else Event.Kind.WORKSHOP
                )
                event = Event.objects.create(
                    title=f"G{generation} event {counts['events']}",
                    kind=kind,
                    mode=Event.Mode.IN_PERSON,
                    start_date=start,
                    end_date=start + timedelta(days=2),
                    created_by=coordinator,
                )
                event.courses.add(course)
                counts["events"] += 1
                if isinstance(trainer, str):
                    TrainerAssignment.objects.create(
                        event=event, external_name=trainer, is_master=True
                    )
                else:
                    cert = Certificate.objects.filter(
                        user_id=trainer, kind=Certificate.Kind.TRAINER
                    ).first()
                    TrainerAssignment.objects.create(event=event, user_id=trainer, certificate=cert)
                people = rnd.sample(staff_ids, 25)
                rows = Participant.objects.bulk_create(
                    [
                        Participant(
                            event=event,
                            user_id=uid,
                            full_name=f"bench {uid}",
                            pre_score=Decimal(rnd.randint(20, 60)),
                            post_score=Decimal(rnd.randint(50, 100)),
                        )
                        for uid in people
                    ]
                )
                counts["participants"] += len(rows)
                Attendance.objects.bulk_create(
                    [Attendance(participant=p, day=d) for p in rows for d in event.days]
                )
                if kind == Event.Kind.TOT:
                    for p in rows[:4]:
                        Certificate.objects.create(
                            kind=Certificate.Kind.TRAINER,
                            course=course,
                            event=event,
                            participant=p,
                            user_id=p.user_id,
                            holder_name=p.full_name,
                            expires_at=now + timedelta(days=1000),
                        )
                        assert p.user_id is not None  # every participant here is a user
                        next_trainers.append(p.user_id)
        trainers_by_generation[generation + 1] = next_trainers
    # Caseload for training needs.
    persons = Person.objects.bulk_create(
        [Person(given_name="Б", family_name=f"Тест{i}") for i in range(int(5000 * scale))],
        batch_size=2000,
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                number=f"B-{i}",
                person=person,
                status="active",
                case_manager=coordinator,
                supervising_unit=world.unit,
                region=world.karaganda,
            )
            for i, person in enumerate(persons)
        ],
        batch_size=2000,
    )
    roles = [Role.PSYCHOLOGIST, Role.INTERVIEWER, Role.CASE_MANAGER, Role.SOCIAL_WORKER]
    CaseTeamMember.objects.bulk_create(
        [
            CaseTeamMember(case=c, user_id=rnd.choice(staff_ids[:2000]), role=rnd.choice(roles))
            for c in cases
            for _ in range(3)
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    counts["trainers"] = sum(len(v) for v in trainers_by_generation.values())
    counts["cases"] = len(cases)
    return {"coordinator": coordinator, "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from django.test import Client

        from tirek.testing import logged_in_client
        from tirek.training import cascade, selectors
        from tirek.training.models import Event

        started = time.perf_counter()
        data = generate(args.scale)
        print(
            f"# {connection.vendor}: generated {data['counts']} in {time.perf_counter() - started:.0f}s"
        )
        coordinator = data["coordinator"]
        client: Client = logged_in_client(coordinator)
        event = Event.objects.order_by("-id").first()
        assert event is not None  # generate() made the events
        tree = cascade.build()
        print(f"# cascade: {tree.generations} generations, {tree.trainers} trainers")
        for label, fn in (
            ("cascade.build()", lambda: cascade.build()),
            ("GET /training/cascade/", lambda: client.get("/training/cascade/")),
            ("GET /training/events/ (page 1)", lambda: client.get("/training/events/")),
            (
                f"GET /training/events/<id>/ ({event.participants.count()} people)",
                lambda: client.get(f"/training/events/{event.pk}/"),
            ),
            ("training_needs()", lambda: selectors.training_needs(coordinator)),
            ("GET /training/reports/", lambda: client.get("/training/reports/")),
        ):
            median, p95 = timed(fn, args.runs)
            with CaptureQueriesContext(connection) as queries:
                fn()
            print(
                f"{label:55s} median {median:8.1f} ms   p95 {p95:8.1f} ms   "
                f"{len(queries):3d} queries"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
