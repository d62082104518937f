"""People benchmark: name search and the duplicate check on 100,000 people whose names
are spelled across Cyrillic (Russian, Kazakh, Tajik), Latin (Uzbek, Kazakh, English
style) and Arabic script.

    .venv/bin/python bench/bench_people.py [--people 100000] [--runs 300]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tirek_bench_people \\
        .venv/bin/python bench/bench_people.py

Uses its own database: by default a fresh SQLite file var/bench/bench_people.sqlite3;
with DATABASE_URL, a PostgreSQL database whose name starts with ``tirek_bench`` is
dropped and created afresh (any other name is refused, so nothing real is touched).

People are inserted with ``bulk_create`` in batches together with their other spellings
and blocking keys (the same ``tirek.people.keys`` code the services run). Every person
is registered by the benchmark's case manager and has no case yet, so all 100,000 are
visible to that user: the worst case for name search, whose result is filtered by the
access policy in SQL.

Measured (server-side, in process, no network; median and p95 over ``--runs``):
- through the API with Django's test client and a bearer token, i.e. the whole
  middleware stack, token check, access policy, rate limit and the audit entry:
  ``GET /api/v1/persons?q=…`` and ``POST /api/v1/persons/duplicates``;
- the selectors alone (``search_people``: first page, and the count capped at 200 when
  the page is full; ``find_duplicates``), to show what the HTTP layer and audit add.
Queries are spellings of people on file in another script, with typos, swapped names
and estimated dates; a share asks about people not on file at all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BATCH = 5000


def _prepare_database() -> str:
    """Point Django at the bench database (fresh each run) before settings load."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = ROOT / "var" / "bench" / "bench_people.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return f"SQLite {path.relative_to(ROOT)}"
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if not name.startswith("tirek_bench"):
        raise SystemExit(
            f"Refusing to use database {name!r}: its name must start with tirek_bench."
        )
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"PostgreSQL {name}"


DATABASE = _prepare_database()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tirek.settings")
os.environ.setdefault("TIREK_DEMO", "1")  # development secrets only

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from tirek.people.given_names import GROUPS  # noqa: E402

# --- invented names -------------------------------------------------------------------------

# Family name roots; the endings vary by family and by country.
ROOTS = [
    "Ахмет",
    "Карим",
    "Рахим",
    "Юсуп",
    "Исмаил",
    "Нурлан",
    "Серик",
    "Жумабай",
    "Токтар",
    "Оспан",
    "Касым",
    "Абдулла",
    "Мирзо",
    "Назар",
    "Сафар",
    "Шариф",
    "Гафур",
    "Турсун",
    "Эргаш",
    "Юлдаш",
    "Тухта",
    "Кадыр",
    "Саид",
    "Мухамед",
    "Хасан",
    "Омар",
    "Алим",
    "Бекмурат",
    "Жаксылык",
    "Сейткали",
    "Тлеу",
    "Абен",
    "Кенжебай",
    "Сапар",
    "Мусаев",
    "Ибрагим",
    "Давлат",
    "Холмат",
    "Собир",
    "Уринбай",
    "Рашид",
    "Газиз",
    "Омаров",
    "Бекмухамбет",
    "Жакуп",
    "Искак",
    "Мукаш",
    "Байжан",
    "Ержан",
    "Кали",
    "Нурбек",
    "Таке",
    "Сарсен",
    "Габдулла",
    "Конур",
    "Камал",
    "Латиф",
    "Махмуд",
    "Насыр",
    "Раим",
    "Салим",
    "Талгат",
    "Усман",
    "Файзулла",
    "Хамид",
    "Шамиль",
    "Ядгар",
    "Алтынбек",
    "Болат",
    "Даурен",
    "Есим",
    "Жанибек",
    "Зейнулла",
    "Ильяс",
    "Керим",
    "Марат",
    "Нуриддин",
    "Рустам",
    "Султан",
    "Тимур",
    "Умар",
    "Халил",
    "Шокан",
]
ENDINGS_M = ["ов", "ов", "ов", "ев", "", "ұлы", "зода", "и"]
ENDINGS_F = ["ова", "ова", "ова", "ева", "", "қызы", "зода", "и"]
LATIN_STYLE = [("kh", "kh"), ("kh", "h"), ("kh", "x")]  # English, Arabic-style, Uzbek Latin

given_lines = [line.split() for line in GROUPS.strip().splitlines()]
FEMALE_HINTS = ("а", "я", "a", "ya", "ة")


def zipf_choice(rng: random.Random, items: list[Any], s: float = 0.9) -> Any:
    """Popular names are very popular: rank r has weight 1/r^s (the blocking keys of
    "Мухаммад" must cope with thousands of people)."""
    weights = zipf_choice.cache.get((id(items), s))  # type: ignore[attr-defined]
    if weights is None:
        weights = [1 / (r + 1) ** s for r in range(len(items))]
        zipf_choice.cache[(id(items), s)] = weights  # type: ignore[attr-defined]
    return rng.choices(items, weights=weights)[0]


zipf_choice.cache = {}  # type: ignore[attr-defined]


def latin_spelling(text: str, rng: random.Random) -> str:
    from tirek.people.matching import latin

    out = latin(text)
    style = rng.choice(LATIN_STYLE)
    out = out.replace("kh", style[1])
    return " ".join(w.capitalize() for w in out.split())


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.choice(["drop", "swap", "double"])
    if op == "drop":
        return text[:i] + text[i + 1 :]
    if op == "swap":
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def person_spec(rng: random.Random) -> dict[str, Any]:
    line = zipf_choice(rng, given_lines)
    cyrillic = [v for v in line if any("а" <= c.lower() <= "я" or c in "әғқңөұүһіӣӯҳҷў" for c in v)]
    given = rng.choice(cyrillic or line)
    female = given.endswith(FEMALE_HINTS)
    root = zipf_choice(rng, ROOTS, 0.7)
    ending = rng.choice(ENDINGS_F if female else ENDINGS_M)
    family = root + ending
    year = rng.choice([rng.randint(2004, 2022)] * 3 + [rng.randint(1955, 2000)])
    born: date | None = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    precision, estimated = "day", False
    roll = rng.random()
    if roll < 0.05:
        born = None
    elif roll < 0.15:
        precision, estimated = "year", True
        born = date(year, 1, 1)
    elif roll < 0.20:
        estimated = True
    other = []
    if rng.random() < 0.3:
        other.append(("full", f"{latin_spelling(given, rng)} {latin_spelling(family, rng)}"))
    if rng.random() < 0.1:
        arabic = [v for v in line if any("\u0600" <= c <= "\u06ff" for c in v)]
        if arabic:
            other.append(("given", arabic[0]))
    return {
        "given_name": given,
        "family_name": family,
        "patronymic": "" if rng.random() < 0.5 else rng.choice(cyrillic or line) + "ович",
        "sex": "female" if female else "male",
        "birth_date": born,
        "birth_date_precision": precision,
        "birth_date_estimated": estimated,
        "other": other,
        "line": line,
    }


def generate(n: int, by: Any, rng: random.Random) -> list[dict[str, Any]]:
    from tirek.people.keys import identity_of, key_rows, search_key
    from tirek.people.models import Person, PersonName, PersonNameKey

    specs: list[dict[str, Any]] = []
    started = time.perf_counter()
    for offset in range(0, n, BATCH):
        batch = [person_spec(rng) for _ in range(min(BATCH, n - offset))]
        people = [
            Person(
                **{k: v for k, v in s.items() if k not in ("other", "line")},
                created_by=by,
                registered_by_unit=by.unit,
            )
            for s in batch
        ]
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=BATCH)
            names = [
                PersonName(person=p, kind=k, value=v, script="")
                for p, s in zip(people, batch, strict=True)
                for k, v in s["other"]
            ]
            PersonName.objects.bulk_create(names, batch_size=BATCH)
            by_person: dict[int, list[PersonName]] = {}
            for name in names:
                by_person.setdefault(name.person.pk, []).append(name)
            keys = []
            for person in people:
                identity = identity_of(person, by_person.get(person.pk, []))
                keys.extend(key_rows(person, identity))
                person.search_key = search_key(identity)
            PersonNameKey.objects.bulk_create(keys, batch_size=BATCH)
            Person.objects.bulk_update(people, ["search_key"], batch_size=BATCH)
        for person, spec in zip(people, batch, strict=True):
            spec["id"] = person.pk
        specs.extend(batch)
        print(
            f"  {offset + len(batch):>7} people ({time.perf_counter() - started:.0f} s)", flush=True
        )
    return specs


def duplicate_queries(
    specs: list[dict[str, Any]], rng: random.Random, count: int
) -> list[dict[str, Any]]:
    """Another spelling of someone on file (script, typo, swap, estimate), or a name
    nobody has."""
    queries = []
    for _ in range(count):
        s = rng.choice(specs)
        given = rng.choice(s["line"])
        family = s["family_name"]
        kind = rng.random()
        if kind < 0.35:
            family = latin_spelling(family, rng)
        elif kind < 0.5:
            family = typo(family, rng)
        elif kind < 0.6:
            given, family = family, given
        body: dict[str, Any] = {"given_name": given, "family_name": family}
        if s["birth_date"] and rng.random() < 0.8:
            shift = rng.choice([0, 0, 0, 200, -300]) if rng.random() < 0.3 else 0
            body["birth_date"] = (s["birth_date"] + timedelta(days=shift)).isoformat()
            body["birth_date_estimated"] = shift != 0
        if rng.random() < 0.15:  # someone not on file
            body["family_name"] = "Zzyzxova" + str(rng.randrange(1000))
        else:
            body["_asked_about"] = s["id"]
        queries.append(body)
    return queries


def search_queries(specs: list[dict[str, Any]], rng: random.Random, count: int) -> list[str]:
    """What people type in the search box: a family name in any script, a given name
    and the start of a family name, a common given name alone."""
    queries = []
    for _ in range(count):
        s = rng.choice(specs)
        roll = rng.random()
        if roll < 0.4:
            queries.append(latin_spelling(s["family_name"], rng))
        elif roll < 0.8:
            queries.append(f"{rng.choice(s['line'])} {s['family_name'][:4]}")
        else:
            queries.append(rng.choice(s["line"]))
    return queries


# --- timing ---------------------------------------------------------------------------------


def timed(fn: Callable[[Any], object], inputs: list[Any]) -> tuple[float, float, list[float]]:
    for warm in inputs[:10]:
        fn(warm)
    samples = []
    for item in inputs:
        start = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - start) * 1000)
    ordered = sorted(samples)
    return (
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        samples,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from tirek.accounts.roles import Role
    from tirek.people import matching, selectors
    from tirek.people.models import PersonNameKey
    from tirek.testing import api_client, build_world

    print(f"Preparing {DATABASE} …", flush=True)
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS.append("testserver")
    settings.PEOPLE_DUPLICATE_CHECKS_PER_MINUTE = 10**9  # the bench is one very busy user
    world = build_world()
    manager = world.staff(Role.CASE_MANAGER, username="bench-case-manager")
    specs = generate(args.people, manager, rng)
    keys = PersonNameKey.objects.count()
    with connection.cursor() as cursor:
        # Fresh statistics (and on PostgreSQL the visibility map that index-only scans
        # need), as autovacuum keeps them on a database in use.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"{args.people} people, {keys} blocking keys ({keys / args.people:.1f} per person).")

    client: Client = api_client(manager)
    dup_inputs = duplicate_queries(specs, rng, args.runs)
    search_inputs = search_queries(specs, rng, args.runs)
    found_counts: list[int] = []

    found_asked: list[bool] = []

    def api_duplicates(body: dict[str, Any]) -> None:
        asked = body.get("_asked_about")
        payload = {k: v for k, v in body.items() if not k.startswith("_")}
        response = client.post(
            "/api/v1/persons/duplicates", json.dumps(payload), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        candidates = response.json()["candidates"]
        found_counts.append(len(candidates))
        if asked:
            found_asked.append(any(c["person_id"] == asked for c in candidates))

    def api_search(q: str) -> None:
        params: dict[str, str | int] = {"q": q, "limit": 20}
        response = client.get("/api/v1/persons", params)
        assert response.status_code == 200, response.content

    def identity(body: dict[str, Any]) -> matching.Identity:
        born = date.fromisoformat(body["birth_date"]) if body.get("birth_date") else None
        return matching.Identity(
            given=(body["given_name"],),
            family=(body["family_name"],),
            birth=matching.Birth(born, "day", bool(body.get("birth_date_estimated"))),
        )

    def selector_duplicates(body: dict[str, Any]) -> None:
        selectors.find_duplicates(identity(body))

    def selector_search(q: str) -> None:
        # As the API does: the first page, and the capped count when the page is full.
        people = selectors.search_people(manager, q)
        page = list(people.only("pk", "given_name", "family_name", "birth_date")[:20])
        if len(page) == 20:
            selectors.capped_count(people)

    pools: list[int] = []

    def pool_size(body: dict[str, Any]) -> None:
        ids = (
            PersonNameKey.objects.filter(key__in=sorted(matching.query_keys(identity(body))))
            .values("person_id")
            .distinct()
            .count()
        )
        pools.append(ids)

    for body in dup_inputs[:100]:
        pool_size(body)

    rows = [
        ("name search, API  GET /api/v1/persons?q=", timed(api_search, search_inputs)),
        ("name search, selector search_people", timed(selector_search, search_inputs)),
        ("duplicate check, API POST /persons/duplicates", timed(api_duplicates, dup_inputs)),
        ("duplicate check, selector find_duplicates", timed(selector_duplicates, dup_inputs)),
    ]
    print()
    print(f"{DATABASE}, {args.people} people, {args.runs} queries each (ms):")
    print(f"  {'':48} {'median':>8} {'p95':>8} {'max':>8}")
    for label, (median, p95, samples) in rows:
        print(f"  {label:48} {median:8.1f} {p95:8.1f} {max(samples):8.1f}")
    print(
        f"  people sharing a key with a query: median {statistics.median(pools):.0f}, "
        f"max {max(pools)} (at most {selectors.CANDIDATE_POOL} are scored)"
    )
    print(
        f"  candidates returned per check: median {statistics.median(found_counts):.0f}, max {max(found_counts)}"
    )
    print(
        f"  the person a query was made from was among the candidates in "
        f"{sum(found_asked)}/{len(found_asked)} checks ({100 * sum(found_asked) / len(found_asked):.1f} %)"
    )


if __name__ == "__main__":
    main()
