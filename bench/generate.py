"""Generated data at the DESIGN.md size: people, cases with teams, encrypted notes,
consents, referrals to schools, child-sensitive interviews, stigma incidents with their
actions, case conferences with action items, families with a family plan and its tasks,
timeline events and a valid audit log — for every benchmark.

    .venv/bin/python bench/generate.py --cases 100000            # var/bench/cases-100000.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_cases \\
        .venv/bin/python bench/generate.py --cases 100000

From another benchmark::

    from generate import prepare_database, setup_django, generate
    prepare_database("my_bench")      # fresh SQLite file, or the tirek_bench* PostgreSQL db
    setup_django()
    data = generate(100_000)          # migrates, then fills; returns a Generated summary

Nothing security-relevant is switched off: notes and return histories go through the
real encrypted field (each value Fernet-encrypted), and the audit rows form valid HMAC
chains, so ``tirek audit verify`` passes on the result. Speed comes from bulk inserts in
batches instead of one service call per row. Everything is invented and deterministic
for a given ``--seed``, but for the dates of open referrals and interviews, and of recent
incidents, conferences and family tasks, which are counted from the day of generation (so
that some are due and some overdue when the bench runs).

The database is chosen as in the other benchmarks: by default a fresh SQLite file under
var/bench/; with DATABASE_URL, a PostgreSQL database whose name starts with
``tirek_bench`` is dropped and created afresh (any other name is refused).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

T = TypeVar("T")
BATCH = 5000
CASES_PER_MANAGER = 40  # a realistic caseload
MANAGERS_PER_UNIT = 10

GIVEN_F = [
    "Амина",
    "Мадина",
    "Зарина",
    "Айгерим",
    "Асель",
    "Марьям",
    "Хадиша",
    "Сафия",
    "Аиша",
    "Дина",
    "Камила",
    "Малика",
    "Жасмин",
    "Томирис",
    "Аружан",
    "Фатима",
    "Медина",
    "Сабина",
    "Алия",
    "Назира",
]
GIVEN_M = [
    "Алихан",
    "Ибрагим",
    "Юсуф",
    "Умар",
    "Айдар",
    "Нурислам",
    "Али",
    "Мухаммед",
    "Арман",
    "Данияр",
    "Амир",
    "Рамазан",
    "Тимур",
    "Ерасыл",
    "Санжар",
    "Бекзат",
    "Абдулла",
    "Ислам",
    "Марат",
    "Руслан",
]
FAMILY = [
    "Сейтов",
    "Жаксылыков",
    "Нуриев",
    "Касымов",
    "Тулегенов",
    "Омаров",
    "Бекенов",
    "Абдуллаев",
    "Ахметов",
    "Садыков",
    "Исаев",
    "Каримов",
    "Мусин",
    "Жумабаев",
    "Искаков",
    "Рахимов",
    "Султанов",
    "Байжанов",
    "Ергалиев",
    "Кенжебаев",
    "Усенов",
    "Ибраев",
    "Тлеубаев",
    "Маликов",
    "Сарсенов",
]
NARRATIVES = [
    "Посещение на дому: семья живёт у родственников, условия удовлетворительные, нужна помощь с пособием.",
    "Сессия: ребёнок спокойнее, рисует семью, сон улучшился; продолжаем упражнения на стабилизацию.",
    "Звонок в школу: посещаемость хорошая, трудности с языком обучения, назначены дополнительные занятия.",
    "Встреча в офисе с матерью: обсудили план, документы на восстановление свидетельства поданы.",
]


def prepare_database(name: str = "cases") -> str:
    """Point Django at a fresh bench database before settings load; returns a label."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path.relative_to(ROOT)}"
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    db = config["NAME"]
    if not db.startswith("tirek_bench"):
        raise SystemExit(f"Refusing to use database {db!r}: its name must start with tirek_bench.")
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db}"')
    return f"PostgreSQL {db}"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
    os.environ.setdefault("TIREK_DEMO", "1")  # development secrets only; no demo accounts
    import django

    django.setup()


def load_application() -> None:
    """Load Tirek as the workers of ``tirek serve`` do (``tirek.wsgi``, whose garbage
    collector freeze shapes the slowest requests), for benches that time requests."""
    import tirek.wsgi  # noqa: F401


def batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Generated:
    """What was made, for the benchmarks to pick their subjects."""

    cases: int
    case_manager_ids: list[int]  # in order; manager i leads cases [i*40, (i+1)*40)
    supervisor_ids: list[int]
    unit_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _bulk(model: Any, rows: Iterable[Any], log: Callable[[str], None], label: str) -> int:
    from django.db import transaction

    total = 0
    for chunk in batches(rows):
        with transaction.atomic():
            model.objects.bulk_create(chunk, batch_size=BATCH)
        total += len(chunk)
    log(f"  {label}: {total}")
    return total


def _staff(
    role: str, count: int, units: list[Any], agency_of: Callable[[Any], Any], prefix: str
) -> list[Any]:
    """``count`` accounts with ``role``, spread over ``units`` in order, unusable passwords
    (benchmarks sign in with force_login; nobody can log in to generated data)."""
    from tirek.accounts.models import User, UserRole

    users = []
    for i in range(count):
        unit = units[i * len(units) // count] if units else None
        agency = agency_of(unit)
        users.append(
            User(
                username=f"{prefix}-{i:05d}",
                password="!",  # noqa: S106 - unusable password marker
                first_name=random.choice(GIVEN_F),
                last_name=random.choice(FAMILY) + "а",
                agency=agency,
                unit=unit
                if role in ("case-manager", "supervisor", "psychologist", "social-worker")
                else None,
                region=agency.region if agency else None,
            )
        )
    for chunk in batches(users):
        User.objects.bulk_create(chunk)
    made = list(User.objects.filter(username__startswith=f"{prefix}-").order_by("username"))
    UserRole.objects.bulk_create([UserRole(user=u, role=role) for u in made], batch_size=BATCH)
    return made


def _audit_rows(rows: list[dict[str, Any]], log: Callable[[str], None]) -> int:
    """Append ``rows`` to the audit chains with real MACs, as ``audit.record`` would."""
    from tirek.audit.models import CHAIN_COUNT, AuditChain, AuditEntry
    from tirek.audit.sealing import chain_seal, entry_fields, entry_mac
    from tirek.audit.services import record

    record(actor="bench", action="read", object_type="bench.start")  # creates the heads
    heads = {c.id: c for c in AuditChain.objects.all()}
    entries = []
    for i, row in enumerate(rows):
        chain = heads[i % CHAIN_COUNT]
        seq = chain.seq + 1
        fields = entry_fields(
            chain=chain.id,
            seq=seq,
            at_iso=row["at"].astimezone(UTC).isoformat(),
            actor_id=row["actor_id"],
            actor_name=row["actor_name"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            ip="",
            detail=row["detail"],
            prev_mac=chain.head_mac,
        )
        mac = entry_mac(fields)
        entries.append(
            AuditEntry(
                chain=chain.id,
                seq=seq,
                at=row["at"],
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                action=row["action"],
                object_type=row["object_type"],
                object_id=row["object_id"],
                ip="",
                detail=row["detail"],
                prev_mac=chain.head_mac,
                mac=mac,
            )
        )
        chain.seq, chain.head_mac = seq, mac
    total = _bulk(AuditEntry, entries, log, "audit entries")
    for chain in heads.values():
        chain.seal = chain_seal(chain.id, chain.seq, chain.head_mac)
        chain.save(update_fields=["seq", "head_mac", "seal"])
    return total


def generate(
    n: int,
    *,
    seed: int = 1,
    notes_per_case: int = 3,
    audit_per_case: int = 3,
    name_keys: bool = True,
    migrate: bool = True,
    log: Callable[[str], None] = print,
) -> Generated:
    """Fill the (empty) database with ``n`` people and cases and everything around them."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from tirek.accounts.roles import Role
    from tirek.cases.models import (
        Case,
        CaseEvent,
        CaseNumberSequence,
        CaseStatus,
        CaseTeamMember,
        ContactNote,
        EventKind,
        NoteKind,
        Phase,
        RiskLevel,
    )
    from tirek.organisations.models import Agency, Region, Unit
    from tirek.organisations.services import regions_load
    from tirek.people.models import Person
    from tirek.privacy.models import Consent

    started = time.perf_counter()
    random.seed(seed)
    if migrate:
        call_command("migrate", verbosity=0)
    log(f"Generating {n} people and cases ({connection.vendor}) …")
    regions_load()
    regions = list(
        Region.objects.filter(
            path__startswith="kz/", kind__in=[Region.Kind.OBLAST, Region.Kind.CITY]
        )
    )
    managers_needed = max(1, -(-n // CASES_PER_MANAGER))
    unit_count = max(1, -(-managers_needed // MANAGERS_PER_UNIT))

    centres, schools, clinics = {}, {}, {}
    for region in regions:
        centres[region.pk] = Agency.objects.create(
            name=f"Центр адаптации ({region.code})", kind=Agency.Kind.REHAB_CENTRE, region=region
        )
        schools[region.pk] = Agency.objects.create(
            name=f"Школа № 1 ({region.code})", kind=Agency.Kind.SCHOOL, region=region
        )
        clinics[region.pk] = Agency.objects.create(
            name=f"Поликлиника № 1 ({region.code})", kind=Agency.Kind.CLINIC, region=region
        )
    units = []
    for i in range(unit_count):
        region = regions[i % len(regions)]
        units.append(
            Unit.objects.create(agency=centres[region.pk], name=f"Команда {i + 1}", region=region)
        )

    def centre_of(unit: Any) -> Any:
        return unit.agency if unit else None

    managers = _staff(Role.CASE_MANAGER, managers_needed, units, centre_of, "bench-cm")
    supervisors = _staff(Role.SUPERVISOR, unit_count, units, centre_of, "bench-sup")
    psychologists = _staff(Role.PSYCHOLOGIST, max(1, n // 100), units, centre_of, "bench-psy")
    social = _staff(Role.SOCIAL_WORKER, max(1, n // 100), units, centre_of, "bench-sw")

    def school_of(unit: Any) -> Any:
        return schools[unit.region_id]

    def clinic_of(unit: Any) -> Any:
        return clinics[unit.region_id]

    school_staff = _staff(Role.SCHOOL_LIAISON, max(1, n // 200), units, school_of, "bench-school")
    health_staff = _staff(Role.HEALTH_WORKER, max(1, n // 200), units, clinic_of, "bench-health")
    interviewers = _staff(Role.INTERVIEWER, max(1, n // 1000), units, centre_of, "bench-int")
    _staff(Role.DPO, 1, [], centre_of, "bench-dpo")  # reads the audit log
    log(
        f"  staff: {len(managers)} case managers, {len(supervisors)} supervisors, {unit_count} units"
    )

    # People
    today = date(2026, 6, 1)
    people = []
    for i in range(n):
        female = random.random() < 0.5
        family = random.choice(FAMILY) + ("а" if female else "")
        born = today - timedelta(days=random.randint(365, 18 * 365))
        people.append(
            Person(
                given_name=random.choice(GIVEN_F if female else GIVEN_M),
                family_name=family,
                sex="female" if female else "male",
                birth_date=born,
                created_by_id=managers[i // CASES_PER_MANAGER].pk,
                registered_by_unit_id=managers[i // CASES_PER_MANAGER].unit_id,
            )
        )
    _bulk(Person, people, log, "people")
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    if name_keys:
        _name_keys(log)

    # Cases
    statuses = (
        [CaseStatus.ACTIVE] * 12
        + [CaseStatus.REGISTERED] * 2
        + [CaseStatus.CLOSED] * 4
        + [
            CaseStatus.REOPENED,
            CaseStatus.TRANSFERRED,
        ]
    )
    prefix = f"{settings.COUNTRY_CODE.upper()}-2026"
    start, end = datetime(2021, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    span = int((end - start).total_seconds())
    histories = (
        "Вернулись в рамках гуманитарной операции; несколько лет в лагере для перемещённых лиц."
    )

    def case_rows() -> Iterator[Case]:
        for i, person_id in enumerate(person_ids):
            manager = managers[i // CASES_PER_MANAGER]
            status = random.choice(statuses)
            opened = start + timedelta(seconds=random.randint(0, span))
            yield Case(
                number=f"{prefix}-{i + 1:06d}",
                person_id=person_id,
                status=status,
                phase=random.choice(Phase.values),
                risk_level=random.choice(RiskLevel.values),
                case_manager_id=manager.pk,
                supervising_unit_id=manager.unit_id,
                region_id=manager.region_id,
                protected_identity=random.random() < 0.8,
                opened_at=opened,
                opened_by_id=manager.pk,
                # Closed within the programme's span, never after the data was made.
                closed_at=min(opened + timedelta(days=300), end)
                if status == CaseStatus.CLOSED
                else None,
                country_returned_from=random.choice(["Сирия", "Ирак"]),
                return_history=histories if i % 2 == 0 else "",
            )

    _bulk(Case, case_rows(), log, "cases")
    CaseNumberSequence.objects.update_or_create(prefix=prefix, defaults={"last": n})
    cases = list(
        Case.objects.order_by("pk").values_list("pk", "case_manager_id", "region_id", "opened_at")
    )

    # Teams: the case manager, a psychologist and a social worker of the region; some a
    # school liaison and a health worker.
    def by_region(users: list[Any]) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        for u in users:
            out.setdefault(u.region_id, []).append(u)
        return out

    psy_r, sw_r, school_r, health_r = map(
        by_region, (psychologists, social, school_staff, health_staff)
    )
    teams: dict[int, list[tuple[int, str]]] = {}

    def team_rows() -> Iterator[CaseTeamMember]:
        for case_id, manager_id, region_id, opened in cases:
            members: list[tuple[int, str]] = [(manager_id, Role.CASE_MANAGER)]
            for pool, role, share in (
                (psy_r, Role.PSYCHOLOGIST, 1.0),
                (sw_r, Role.SOCIAL_WORKER, 1.0),
                (school_r, Role.SCHOOL_LIAISON, 0.3),
                (health_r, Role.HEALTH_WORKER, 0.2),
            ):
                candidates = pool.get(region_id) or next(iter(pool.values()))
                if random.random() < share:
                    members.append((random.choice(candidates).pk, role))
            teams[case_id] = members
            for user_id, held in members:
                yield CaseTeamMember(case_id=case_id, user_id=user_id, role=held, added_at=opened)

    _bulk(CaseTeamMember, team_rows(), log, "team members")

    section_of: dict[str, str] = {
        Role.CASE_MANAGER: "social",
        Role.PSYCHOLOGIST: "psychological",
        Role.SOCIAL_WORKER: "social",
        Role.SCHOOL_LIAISON: "education",
        Role.HEALTH_WORKER: "health",
    }

    def note_rows() -> Iterator[ContactNote]:
        for case_id, _manager_id, _region_id, opened in cases:
            members = teams[case_id]
            for k in range(notes_per_case):
                author_id, role = members[k % len(members)]
                yield ContactNote(
                    case_id=case_id,
                    kind=random.choice(NoteKind.values),
                    section=section_of[role],
                    occurred_on=(opened + timedelta(days=7 * (k + 1))).date(),
                    narrative=random.choice(NARRATIVES),  # encrypted by the field, row by row
                    author_id=author_id,
                    created_at=opened + timedelta(days=7 * (k + 1)),
                )

    _bulk(ContactNote, note_rows(), log, "notes (encrypted)")
    _bulk(
        CaseEvent,
        (
            CaseEvent(case_id=c, kind=EventKind.OPENED, actor_id=m, at=o, detail={})
            for c, m, _r, o in cases
        ),
        log,
        "timeline events",
    )
    _bulk(
        Consent,
        (
            Consent(
                person_id=person_id,
                purpose="case_management",
                kind="consent",
                given_by="guardian",
                valid_from=o.date(),
                recorded_by_id=m,
                recorded_at=o,
            )
            for person_id, (_c, m, _r, o) in zip(person_ids, cases, strict=True)
        ),
        log,
        "consents",
    )
    referral_count = _referrals(cases, schools, school_r, log)
    interview_count = _interviews(cases, teams, interviewers, log)
    work = _Casework.read(cases, teams, supervisors)
    casework_counts = {**_incidents(work, log), **_conferences(work, log), **_families(work, log)}
    names = {u.pk: u.username for u in managers}
    audit = []
    for case_id, manager_id, _region_id, opened in cases:
        for k in range(audit_per_case):
            audit.append(
                {
                    "at": opened + timedelta(hours=k),
                    "actor_id": manager_id,
                    "actor_name": names[manager_id],
                    "action": "create" if k == 0 else "read",
                    "object_type": "cases.case",
                    "object_id": str(case_id),
                    "detail": {} if k == 0 else {"section": "core"},
                }
            )
    _audit_rows(audit, log)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    log(f"Done in {seconds:.0f} s.")
    return Generated(
        cases=n,
        case_manager_ids=[u.pk for u in managers],
        supervisor_ids=[u.pk for u in supervisors],
        unit_ids=[u.pk for u in units],
        counts={
            "notes": n * notes_per_case,
            "referrals": referral_count,
            "interviews": interview_count,
            **casework_counts,
            "audit": len(audit),
        },
        seconds=seconds,
    )


REFERRAL_SHARE = 3  # one case in three has been referred to its region's school
# Most referrals of a programme's past are closed; the open ones wait for an answer or
# for their completion, some of them overdue.
REFERRAL_STATUSES = (
    ["completed"] * 10 + ["in_progress"] * 3 + ["accepted"] * 2 + ["sent"] * 3
    + ["declined", "withdrawn"]
)  # fmt: skip


def _referrals(
    cases: list[tuple[int, int, int, datetime]],
    schools: dict[int, Any],
    school_staff: dict[int, list[Any]],
    log: Callable[[str], None],
) -> int:
    """Referrals of every third case to its region's school, by the case manager: closed
    ones dated after the case opened, open ones sent in the last 90 days before the day of
    generation (so that "my work" has some waiting, due and overdue), half of those sent
    named to a liaison and half left for any liaison of the school to take."""
    from tirek.accounts.roles import Role
    from tirek.referrals.models import Provider, Referral, ReferralStatus

    providers = {
        region_id: Provider.objects.create(agency=school, name=f"{school.name}: сопровождение")
        for region_id, school in schools.items()
    }
    now = datetime.now(UTC)
    open_statuses = {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}

    def rows() -> Iterator[Any]:
        for k, (case_id, manager_id, region_id, opened) in enumerate(cases):
            if k % REFERRAL_SHARE:
                continue
            status = random.choice(REFERRAL_STATUSES)
            if status in open_statuses:
                sent = now - timedelta(days=random.randint(0, 90))
            else:
                sent = opened + timedelta(days=random.randint(7, 200))
            liaisons = school_staff.get(region_id) or next(iter(school_staff.values()))
            named = status != ReferralStatus.SENT or random.random() < 0.5
            yield Referral(
                case_id=case_id,
                provider=providers.get(region_id) or next(iter(providers.values())),
                to_user_id=random.choice(liaisons).pk if named else None,
                role=Role.SCHOOL_LIAISON,
                reason=random.choice(REFERRAL_REASONS),  # encrypted by the field
                sections=["core", "education"],
                status=status,
                consent_covered=True,
                respond_by=(sent + timedelta(days=7)).date(),
                complete_by=(sent + timedelta(days=60)).date(),
                created_by_id=manager_id,
                created_at=sent,
                responded_at=None if status == ReferralStatus.SENT else sent + timedelta(days=3),
                closed_at=None if status in open_statuses else sent + timedelta(days=40),
            )

    return _bulk(Referral, rows(), log, "referrals (encrypted reasons)")


INTERVIEW_SHARE = 10  # one case in ten has a child-sensitive interview on record
INTERVIEW_STATUSES = ["held"] * 5 + ["cancelled"] + ["requested"] * 2 + ["planned"] * 2


def _interviews(
    cases: list[tuple[int, int, int, datetime]],
    teams: dict[int, list[tuple[int, str]]],
    interviewers: list[Any],
    log: Callable[[str], None],
) -> int:
    """Interviews of every tenth case, on one matter of the child, requested by the case
    manager: most held, the open ones requested in the 60 days before the day of
    generation, one in five a repeat (waiting for the supervisor's approval while open),
    the planned ones with an interviewer who joins the team. A psychologist of the team
    has yet to judge the child's readiness for the open ones ("my work" of each of them)."""
    from tirek.accounts.roles import Role
    from tirek.cases.models import Case, CaseTeamMember
    from tirek.interviews.models import Interview, Matter, Readiness

    chosen = cases[::INTERVIEW_SHARE]
    person_of = dict(
        Case.objects.filter(pk__in=[c[0] for c in chosen]).values_list("pk", "person_id")
    )
    _bulk(
        Matter,
        (
            Matter(person_id=person_of[c], title="Обстоятельства пребывания", created_by_id=m)
            for c, m, _r, _o in chosen
        ),
        log,
        "interview matters",
    )
    matter_of = dict(
        Matter.objects.filter(person_id__in=person_of.values()).values_list("person_id", "pk")
    )
    now = datetime.now(UTC)
    planned: list[tuple[int, int]] = []

    def rows() -> Iterator[Any]:
        for case_id, manager_id, _region_id, opened in chosen:
            status = random.choice(INTERVIEW_STATUSES)
            is_open = status in ("requested", "planned")
            requested = (
                now - timedelta(days=random.randint(0, 60))
                if is_open
                else opened + timedelta(days=random.randint(14, 120))
            )
            interviewer = random.choice(interviewers).pk if status in ("planned", "held") else None
            if status == "planned" and interviewer:
                planned.append((case_id, interviewer))
            is_repeat = random.random() < 0.2
            yield Interview(
                case_id=case_id,
                matter_id=matter_of[person_of[case_id]],
                kind=random.choice(["forensic", "social"]),
                status=status,
                requesting_authority="Следственное управление",
                purpose="Показания об обстоятельствах пребывания.",  # encrypted by the field
                legal_basis="Запрос следователя.",
                requested_by_id=manager_id,
                requested_at=requested,
                is_repeat=is_repeat,
                repeat_justification="Новые обстоятельства." if is_repeat else "",
                interviewer_id=interviewer,
                scheduled_at=requested + timedelta(days=14) if interviewer else None,
                readiness=Readiness.READY if status == "held" else Readiness.UNKNOWN,
            )

    count = _bulk(Interview, rows(), log, "interviews (encrypted purposes)")
    _bulk(
        CaseTeamMember,
        (
            CaseTeamMember(case_id=c, user_id=u, role=Role.INTERVIEWER, added_at=now)
            for c, u in planned
        ),
        log,
        "interviewers on teams",
    )
    for case_id, user_id in planned:
        teams[case_id].append((user_id, Role.INTERVIEWER))
    return count


# --- incidents, case conferences and families ("my work" of every team) -----------------

INCIDENT_SHARE = 50  # one stigma incident in fifty cases
CONFERENCE_SHARE = 20  # one case conference in twenty cases
FAMILY_SHARE = 100  # one family (two or three of a case manager's cases) in a hundred cases


@dataclass
class _Casework:
    """What the incidents, conferences and families are made from: the cases as
    ``generate`` reads them, their teams, and a few more facts of each case."""

    cases: list[tuple[int, int, int, datetime]]  # id, case manager, region, opened
    teams: dict[int, list[tuple[int, str]]]
    # id -> status, supervising unit, person, closed at, number
    facts: dict[int, tuple[str, int, int, datetime | None, str]]
    supervisor_of: dict[int, int]  # unit -> its supervisor
    now: datetime
    today: date  # the day of generation, in the programme's time zone
    first_open: int  # index of an open case of the first case manager (the bench subject)

    @classmethod
    def read(
        cls,
        cases: list[tuple[int, int, int, datetime]],
        teams: dict[int, list[tuple[int, str]]],
        supervisors: list[Any],
    ) -> _Casework:
        from django.utils import timezone

        from tirek.cases.models import Case, CaseStatus

        facts = {
            pk: (status, unit, person, closed, number)
            for pk, status, unit, person, closed, number in Case.objects.values_list(
                "pk", "status", "supervising_unit_id", "person_id", "closed_at", "number"
            ).order_by("pk")
        }
        first_manager = cases[0][1]
        first_open = [
            k
            for k, (case_id, manager_id, _r, _o) in enumerate(cases)
            if manager_id == first_manager and facts[case_id][0] != CaseStatus.CLOSED
        ]
        now = datetime.now(UTC)
        return cls(
            cases=cases,
            teams=teams,
            facts=facts,
            supervisor_of={u.unit_id: u.pk for u in supervisors},
            now=now,
            today=timezone.localdate(now),
            first_open=random.choice(first_open) if first_open else 0,
        )

    def is_open(self, case_id: int) -> bool:
        return self.facts[case_id][0] != "closed"

    def picks(self, every: int) -> Iterator[int]:
        """One case (its index) in each block of ``every`` cases, at a random place in the
        block; the first is an open case of the first case manager, so that the benchmarks'
        subject (bench-cm-00000) always has something open on "my work"."""
        n = len(self.cases)
        for start in range(0, n, every):
            pick = start + random.randrange(min(every, n - start))
            yield self.first_open if start == 0 else pick

    def past(self, case_id: int, opened: datetime) -> datetime:
        """A moment of the case's history: after it opened, before it closed, at least a
        month before the day of generation."""
        closed = self.facts[case_id][3]
        end = min(closed or self.now, self.now) - timedelta(days=30)
        begin = min(opened + timedelta(days=14), self.now - timedelta(days=60))
        if end <= begin:
            return begin
        return begin + timedelta(seconds=random.randint(0, int((end - begin).total_seconds())))

    def members(self, case_id: int, roles: Iterable[str]) -> list[int]:
        wanted = set(roles)
        return list(dict.fromkeys(u for u, role in self.teams[case_id] if role in wanted))


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# (kind, place, what happened, actions taken)
INCIDENT_KINDS = [
    ("bullying", "school", "Одноклассники дразнили из-за того, откуда вернулась семья.",
     ["Беседа с классом и классным руководителем", "Встреча с родителями одноклассников"]),
    ("bullying", "school", "Ребёнка не принимают в игры на перемене, называют обидными словами.",
     ["Занятие школьного психолога с классом", "Беседа с классным руководителем"]),
    ("exposure", "school", "Посторонние узнали и обсуждали, где семья жила до возвращения.",
     ["Разговор с администрацией школы о конфиденциальности", "Поддерживающая встреча с ребёнком"]),
    ("hate_speech", "online", "Оскорбительные сообщения о семье в чате района.",
     ["Жалоба модератору, сохранение сообщений", "Консультация юриста"]),
    ("service_refused", "service", "В приёме документов отказали без объяснения причин.",
     ["Обращение к руководителю службы, повторная подача документов"]),
    ("violence", "school", "Старшие ученики толкали и ударили ребёнка после уроков.",
     ["Сообщение инспектору по делам несовершеннолетних", "Осмотр врача, беседа с матерью"]),
    ("other", "community", "Соседи требовали, чтобы семья переехала.",
     ["Встреча с аксакалами махалли и участковым"]),
]  # fmt: skip
INCIDENT_REPORTERS = ["Мать", "Классный руководитель", "Социальный работник", "Психолог центра"]


def _incidents(work: _Casework, log: Callable[[str], None]) -> dict[str, int]:
    """One incident in fifty cases, recorded by the case manager, sometimes on a second
    case of the unit (siblings, classmates). Half of those on open cases happened in the
    last three months, with actions still open (due before or after the day of
    generation) owned by the case manager or a team member who acts on incidents; the
    others are history: actions done, the incident closed."""
    from tirek.accounts.roles import Role
    from tirek.incidents.models import Incident, IncidentAction

    acting = (Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SCHOOL_LIAISON)
    open_in_unit: dict[int, list[int]] = {}
    for case_id, (_status, unit_id, *_rest) in work.facts.items():
        if work.is_open(case_id):
            open_in_unit.setdefault(unit_id, []).append(case_id)
    incidents: list[Any] = []
    links: list[tuple[Any, int]] = []
    actions: list[Any] = []
    for j, k in enumerate(work.picks(INCIDENT_SHARE)):
        case_id, manager_id, region_id, opened = work.cases[k]
        unit_id = work.facts[case_id][1]
        kind, place, text, action_texts = random.choice(INCIDENT_KINDS)
        recent = work.is_open(case_id) and (j == 0 or random.random() < 0.5)
        if recent:
            occurred = work.today - timedelta(days=random.randint(3, 90))
        else:
            occurred = work.past(case_id, opened).date()
        incident = Incident(
            kind=kind,
            place=place,
            occurred_on=occurred,
            reported_by=random.choice(INCIDENT_REPORTERS),
            description=text,  # encrypted by the field
            region_id=region_id,
            unit_id=unit_id,
            recorded_by_id=manager_id,
            recorded_at=min(_at(occurred + timedelta(days=1), 10), work.now),
        )
        incidents.append(incident)
        links.append((incident, case_id))
        others = [c for c in open_in_unit.get(unit_id, []) if c != case_id]
        if others and random.random() < 0.3:
            links.append((incident, random.choice(others)))
        team = work.members(case_id, acting)
        done_days = []
        action_count = random.randint(1, 2)
        for a in range(action_count):
            first = j == 0 and a == 0
            owner = (
                manager_id if first or not team or random.random() < 0.5 else random.choice(team)
            )
            due = occurred + timedelta(days=random.randint(7, 45))
            still_open = recent and (first or random.random() < 0.6)
            done_on = None if still_open else min(due, work.today)
            if done_on:
                done_days.append(done_on)
            actions.append(
                IncidentAction(
                    incident=incident,
                    description=action_texts[a % len(action_texts)],
                    owner_id=owner,
                    due_date=due,
                    done_on=done_on,
                    created_by_id=manager_id,
                    created_at=incident.recorded_at,
                )
            )
        if len(done_days) == action_count and max(done_days) + timedelta(days=3) <= work.today:
            incident.closed_on = max(done_days) + timedelta(days=3)
            incident.outcome = "Ситуация разрешена, семья под наблюдением."  # encrypted
    count = _bulk(Incident, incidents, log, "incidents")
    through = Incident.cases.through
    _bulk(
        through,
        (through(incident_id=i.pk, case_id=c) for i, c in links),
        log,
        "incident cases",
    )
    done = _bulk(IncidentAction, actions, log, "incident actions")
    return {"incidents": count, "incident_actions": done}


CONFERENCE_PLACES = [
    "Центр адаптации, переговорная",
    "Акимат района, зал заседаний",
    "Школа, кабинет директора",
]
CONFERENCE_ACTIONS = {
    "case-manager": [
        "Оформить адресную социальную помощь",
        "Согласовать со школой дополнительные занятия по языку",
        "Восстановить свидетельство о рождении",
    ],
    "psychologist": [
        "Провести две встречи по стабилизации сна",
        "Повторная оценка эмоционального состояния ребёнка",
    ],
    "social-worker": [
        "Посетить семью на дому и оценить условия",
        "Помочь матери встать на учёт в центре занятости",
    ],
}


def _conferences(work: _Casework, log: Callable[[str], None]) -> dict[str, int]:
    """One case conference in twenty cases, convened by the case's unit and chaired by its
    supervisor, the case manager and the team's psychologist and social worker at the
    table. Those of open cases: a few scheduled in the coming month (no actions yet), most
    held in the last four months with one to three actions on the case — owned by the case
    manager, the psychologist or the social worker, open (some overdue) or done — and some
    held long ago, their actions closed; those of closed cases are history."""
    from tirek.accounts.roles import Role
    from tirek.conferences.models import (
        ActionItem,
        ActionStatus,
        Attendance,
        Conference,
        ConferenceStatus,
        Participant,
    )

    conferences: list[Any] = []
    links: list[tuple[Any, int]] = []
    participants: list[Any] = []
    actions: list[Any] = []
    for j, k in enumerate(work.picks(CONFERENCE_SHARE)):
        case_id, manager_id, _region_id, opened = work.cases[k]
        unit_id = work.facts[case_id][1]
        chair = work.supervisor_of[unit_id]
        state = "history"
        if work.is_open(case_id):
            roll = 0.5 if j == 0 else random.random()
            state = "upcoming" if roll < 0.15 else "recent" if roll < 0.7 else "history"
        if state == "upcoming":
            day = work.today + timedelta(days=random.randint(1, 30))
        elif state == "recent":
            day = work.today - timedelta(days=random.randint(3, 120))
        else:
            day = work.past(case_id, opened).date()
        at = _at(day, 5)  # 10:00 in Almaty
        held = state != "upcoming"
        conference = Conference(
            scheduled_at=at,
            location=random.choice(CONFERENCE_PLACES),
            unit_id=unit_id,
            chair_id=chair,
            status=ConferenceStatus.HELD if held else ConferenceStatus.SCHEDULED,
            agenda="1. Итоги периода.\n2. Школа и язык.\n3. Поддержка семьи.",  # encrypted
            decisions="1. Продолжить встречи с психологом.\n2. Оформить помощь семье."
            if held
            else "",
            held_at=at + timedelta(hours=2) if held else None,
            created_by_id=manager_id,
            created_at=min(at - timedelta(days=14), work.now),
            version=2 if held else 1,
        )
        conferences.append(conference)
        links.append((conference, case_id))
        psychologists = work.members(case_id, [Role.PSYCHOLOGIST])
        social_workers = work.members(case_id, [Role.SOCIAL_WORKER])
        table = [chair, manager_id, *psychologists[:1], *social_workers[:1]]
        for user_id in dict.fromkeys(table):
            attendance = Attendance.INVITED
            if held:
                attendance = Attendance.PRESENT if random.random() < 0.9 else Attendance.EXCUSED
            participants.append(
                Participant(conference=conference, user_id=user_id, attendance=attendance)
            )
        if not held:
            continue
        owners = [
            (user_id, role)
            for user_id, role in (
                (manager_id, Role.CASE_MANAGER),
                *((u, Role.PSYCHOLOGIST) for u in psychologists[:1]),
                *((u, Role.SOCIAL_WORKER) for u in social_workers[:1]),
            )
        ]
        for a in range(random.randint(1, 3)):
            first = j == 0 and a == 0
            owner, role = owners[0] if first else random.choice(owners)
            due = day + timedelta(days=random.randint(7, 60))
            if first:
                status = ActionStatus.OPEN
            elif state == "recent":
                status = random.choices(
                    [ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED], [12, 7, 1]
                )[0]
            else:
                status = random.choices([ActionStatus.DONE, ActionStatus.CANCELLED], [17, 3])[0]
            done_at = None
            if status != ActionStatus.OPEN:
                done_at = min(_at(due, 10), work.now - timedelta(hours=1))
            actions.append(
                ActionItem(
                    conference=conference,
                    case_id=case_id,
                    description=random.choice(CONFERENCE_ACTIONS[role]),
                    owner_id=owner,
                    due_date=due,
                    status=status,
                    done_at=done_at,
                    version=1 if status == ActionStatus.OPEN else 2,
                )
            )
    count = _bulk(Conference, conferences, log, "conferences")
    through = Conference.cases.through
    _bulk(
        through,
        (through(conference_id=c.pk, case_id=case_id) for c, case_id in links),
        log,
        "conference cases",
    )
    _bulk(Participant, participants, log, "conference participants")
    action_count = _bulk(ActionItem, actions, log, "conference actions")
    return {"conferences": count, "conference_actions": action_count}


FAMILY_GOALS = {
    "housing": "Семья живёт вместе в собственном или арендованном жилье",
    "income": "Мать трудоустроена или получает пособие",
    "education": "Все дети посещают школу без пропусков",
    "contact": "Регулярные встречи детей с матерью",
    "health": "Дети прошли медицинский осмотр и вакцинацию",
    "community": "Семья участвует в жизни махалли",
}
FAMILY_TASKS = [
    "Подать документы на адресную социальную помощь",
    "Записать детей на медицинский осмотр",
    "Встреча с директором школы о расписании детей",
    "Организовать встречу семьи с представителями махалли",
    "Помочь с договором аренды жилья",
]


def _families(work: _Casework, log: Callable[[str], None]) -> dict[str, int]:
    """One family in a hundred cases: the people of two or three cases of one case manager
    (children of one household), with a family plan — approved by the unit's supervisor
    (frozen as version 1, with its history) or still a draft — of one or two goals and one
    to three tasks owned by the case manager or the team's social worker. While a member's
    case is open some tasks are open, due in the coming weeks or overdue; otherwise all
    are done."""
    from tirek.accounts.roles import Role
    from tirek.families.models import (
        Family,
        FamilyGoal,
        FamilyMember,
        FamilyPlan,
        FamilyPlanDecision,
        FamilyPlanVersion,
        FamilyTask,
        MemberRole,
    )
    from tirek.families.services import snapshot
    from tirek.plans.models import Decision, GoalStatus, PlanStatus

    n = len(work.cases)
    families: list[Any] = []
    members: list[Any] = []
    plans: list[Any] = []
    goals: list[Any] = []
    tasks: list[Any] = []
    for j in range(max(1, n // FAMILY_SHARE) if n > 1 else 0):
        m = j * FAMILY_SHARE // CASES_PER_MANAGER  # a case manager's caseload
        block = list(range(m * CASES_PER_MANAGER, min((m + 1) * CASES_PER_MANAGER, n)))
        if len(block) < 2:
            continue
        chosen = sorted(random.sample(block, min(len(block), random.choice((2, 2, 3)))))
        if j == 0 and work.first_open not in chosen:
            chosen = sorted([work.first_open, *chosen[1:]])
        rows = [work.cases[k] for k in chosen]
        manager_id = rows[0][1]
        unit_id = work.facts[rows[0][0]][1]
        active = [case_id for case_id, *_rest in rows if work.is_open(case_id)]
        created = min(
            max(o for _c, _m, _r, o in rows) + timedelta(days=random.randint(7, 60)),
            work.now - timedelta(days=30),
        )
        family = Family(
            label=f"Семья по делу {work.facts[rows[0][0]][4]}",
            guardianship="Мать — законный представитель детей.",
            shared_goals="Жить вместе, дети учатся в одной школе.",
            created_by_id=manager_id,
            created_at=created,
        )
        families.append(family)
        for position, (case_id, *_rest) in enumerate(rows):
            members.append(
                FamilyMember(
                    family=family,
                    person_id=work.facts[case_id][2],
                    role=MemberRole.CHILD,
                    position=position,
                )
            )
        approved = random.random() < 0.6
        plan = FamilyPlan(family=family)
        plans.append(plan)
        plan_goals = []
        for area in random.sample(sorted(FAMILY_GOALS), random.randint(1, 2)):
            goal = FamilyGoal(
                plan=plan,
                area=area,
                title=FAMILY_GOALS[area],
                target_date=(work.today if active else created.date())
                + timedelta(days=random.randint(60, 270)),
                status=random.choice([GoalStatus.PLANNED, GoalStatus.IN_PROGRESS])
                if active
                else GoalStatus.ACHIEVED,
                created_at=created,
            )
            plan_goals.append(goal)
        goals.extend(plan_goals)
        social = [u for c in active for u in work.members(c, [Role.SOCIAL_WORKER])]
        plan_tasks = []
        for t in range(random.randint(1, 3)):
            first = j == 0 and t == 0
            owner = manager_id if first or not social or random.random() < 0.5 else social[0]
            still_open = bool(active) and (first or random.random() < 0.6)
            if still_open:
                due = work.today + timedelta(days=random.randint(-20, 45))
            elif active:
                due = work.today - timedelta(days=random.randint(1, 90))
            else:
                due = created.date() + timedelta(days=random.randint(14, 120))
            plan_tasks.append(
                FamilyTask(
                    goal=random.choice(plan_goals),
                    title=random.choice(FAMILY_TASKS),
                    owner_id=owner,
                    due_date=due,
                    done_at=None if still_open else min(_at(due, 9), work.now),
                    created_by_id=manager_id,
                    created_at=created + timedelta(days=1),
                )
            )
        tasks.extend(plan_tasks)
        plan.version = 1 + len(plan_goals) + len(plan_tasks)
        if approved:
            plan.status = PlanStatus.APPROVED
            plan.submitted_by_id = manager_id
            plan.submitted_at = created + timedelta(days=3)
            plan.approved_by_id = work.supervisor_of[unit_id]
            plan.approved_at = created + timedelta(days=7)
            plan.version += 2
    count = _bulk(Family, families, log, "families")
    _bulk(FamilyMember, members, log, "family members")
    _bulk(FamilyPlan, plans, log, "family plans")
    _bulk(FamilyGoal, goals, log, "family goals")
    task_count = _bulk(FamilyTask, tasks, log, "family tasks")
    # The approvals: the plan frozen as the families app freezes it (as it stands now,
    # which is what the version pages need to be timed), and the history.
    approved_plans = [p for p in plans if p.status == PlanStatus.APPROVED]
    versions, decisions = [], []
    for plan in approved_plans:
        versions.append(
            FamilyPlanVersion(
                plan=plan,
                number=1,
                snapshot=snapshot(plan.family),
                submitted_by_id=plan.submitted_by_id,
                submitted_at=plan.submitted_at,
                approved_by_id=plan.approved_by_id,
                approved_at=plan.approved_at,
            )
        )
        decisions.append(
            FamilyPlanDecision(
                plan=plan,
                decision=Decision.SUBMITTED,
                by_id=plan.submitted_by_id,
                at=plan.submitted_at,
            )
        )
        decisions.append(
            FamilyPlanDecision(
                plan=plan,
                decision=Decision.APPROVED,
                by_id=plan.approved_by_id,
                at=plan.approved_at,
                version_number=1,
            )
        )
    _bulk(FamilyPlanVersion, versions, log, "family plan versions")
    _bulk(FamilyPlanDecision, decisions, log, "family plan decisions")
    return {"families": count, "family_tasks": task_count}


REFERRAL_REASONS = [
    "Поддержка в учёбе: чтение на русском языке.",
    "Адаптация в классе после возвращения, помощь с расписанием.",
    "Подготовка к переводу в общеобразовательный класс.",
]


def _name_keys(log: Callable[[str], None]) -> None:
    """Blocking keys for name search and the duplicate check, when the people app has
    them (so the people benchmarks can run on the same data)."""
    try:
        from tirek.people.keys import identity_of, key_rows, search_key
        from tirek.people.models import Person, PersonNameKey
    except ImportError:
        log("  name keys: skipped (the people app has no keys module)")
        return
    from django.db import transaction

    total, last = 0, 0
    while True:
        chunk = list(Person.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not chunk:
            break
        keys, updates = [], []
        for person in chunk:
            identity = identity_of(person, [])
            keys.extend(key_rows(person, identity))
            person.search_key = search_key(identity)
            updates.append(person)
        with transaction.atomic():
            PersonNameKey.objects.bulk_create(keys, batch_size=BATCH)
            Person.objects.bulk_update(updates, ["search_key"], batch_size=BATCH)
        total += len(keys)
        last = chunk[-1].pk
    log(f"  name keys: {total}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--notes-per-case", type=int, default=3)
    parser.add_argument("--audit-per-case", type=int, default=3)
    parser.add_argument("--no-name-keys", action="store_true")
    parser.add_argument("--name", default="", help="SQLite file name under var/bench/")
    args = parser.parse_args()
    label = prepare_database(args.name or f"cases-{args.cases}")
    print(f"Database: {label}")
    setup_django()
    generate(
        args.cases,
        seed=args.seed,
        notes_per_case=args.notes_per_case,
        audit_per_case=args.audit_per_case,
        name_keys=not args.no_name_keys,
    )


if __name__ == "__main__":
    main()
