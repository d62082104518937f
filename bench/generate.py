"""Generated data at the DESIGN.md size: people, cases with teams, encrypted notes,
consents, referrals to schools, child-sensitive interviews, timeline events and a valid
audit log — for every benchmark.

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
for a given ``--seed``, but for the dates of open referrals and interviews, which are
counted back from the day of generation (so that some are due and some overdue when the
bench runs).

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
    start = datetime(2021, 1, 1, tzinfo=UTC)
    span = int((datetime(2026, 6, 1, tzinfo=UTC) - start).total_seconds())
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
                closed_at=opened + timedelta(days=300) if status == CaseStatus.CLOSED else None,
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
            members = [(manager_id, Role.CASE_MANAGER)]
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
            for user_id, role in members:
                yield CaseTeamMember(case_id=case_id, user_id=user_id, role=role, added_at=opened)

    _bulk(CaseTeamMember, team_rows(), log, "team members")

    section_of = {
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
