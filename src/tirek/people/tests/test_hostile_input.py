"""What an outside attack tried on people: IIN probing, invisible characters in names,
duplicate registration (issue 10)."""

from __future__ import annotations

from datetime import date

from tirek.accounts.roles import Role
from tirek.testing import World, api_client

from .helpers import open_case, register

IIN = "140214501002"


def _child_with_iin(world: World, *team_roles: str) -> tuple[object, dict[str, object]]:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(
        manager, "Мухаммад", "Каримов", birth_date=date(2014, 2, 14), sex="male", iin=IIN
    )
    members = {role: world.staff(role) for role in team_roles}
    open_case(manager, person, team=[(user, role) for role, user in members.items()])
    return person, {"manager": manager, **members}


def test_school_and_health_roles_cannot_confirm_an_iin_by_searching_for_it(world: World) -> None:
    person, users = _child_with_iin(world, Role.SCHOOL_LIAISON, Role.HEALTH_WORKER, Role.LAWYER)
    for role in (Role.SCHOOL_LIAISON, Role.HEALTH_WORKER):
        client = api_client(users[role])
        by_name = client.get("/api/v1/persons", {"q": "Каримов"}).json()
        assert [p["id"] for p in by_name["items"]] == [person.pk]  # they may see the child
        by_iin = client.get("/api/v1/persons", {"q": IIN}).json()
        assert by_iin["items"] == [] and by_iin["count"] == 0
        nobody = client.get("/api/v1/persons", {"q": "990101300123"}).json()
        assert by_iin == nobody  # the same answer as no match
    for role in ("manager", Role.LAWYER):
        found = api_client(users[role]).get("/api/v1/persons", {"q": IIN}).json()
        assert [p["id"] for p in found["items"]] == [person.pk]


# --- duplicate registration ---------------------------------------------------------------

import threading  # noqa: E402

import pytest  # noqa: E402
from django.db import IntegrityError, connection, transaction  # noqa: E402

from tirek.people.models import DuplicateDismissal, Person  # noqa: E402

from .helpers import CHILD_PAYLOAD, send  # noqa: E402

CHILD = CHILD_PAYLOAD


def test_a_probable_duplicate_is_refused_with_its_candidates(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    client = api_client(manager)
    first = send(client, "post", "/api/v1/persons", CHILD)
    assert first.status_code == 201
    again = send(client, "post", "/api/v1/persons", CHILD)
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    candidates = again.json()["candidates"]
    assert candidates[0]["person_id"] == first.json()["id"] and candidates[0]["score"] >= 0.8
    assert candidates[0]["visible"] is True and candidates[0]["initials"]
    assert Person.objects.count() == 1
    # Naming the candidate without a reason is not enough either.
    bare = send(
        client, "post", "/api/v1/persons", {**CHILD, "not_duplicate_of": [first.json()["id"]]}
    )
    assert bare.status_code == 422 and Person.objects.count() == 1
    decided = send(
        client,
        "post",
        "/api/v1/persons",
        {**CHILD, "not_duplicate_of": [first.json()["id"]],
         "not_duplicate_reason": "Двоюродный брат, родился в тот же день"},
    )  # fmt: skip
    assert decided.status_code == 201
    dismissal = DuplicateDismissal.objects.get()
    assert dismissal.person_id == decided.json()["id"]
    assert dismissal.candidate_id == first.json()["id"] and dismissal.decided_by == manager


def test_a_candidate_the_caller_may_not_open_is_shown_by_score_and_unit_only(
    world: World,
) -> None:
    send(api_client(world.staff(Role.CASE_MANAGER)), "post", "/api/v1/persons", CHILD)
    other = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    refused = send(api_client(other), "post", "/api/v1/persons", CHILD)
    assert refused.status_code == 409
    (candidate,) = refused.json()["candidates"]
    assert candidate["visible"] is False and candidate["unit"]
    assert candidate["initials"] is None and candidate["birth_year"] is None
    assert Person.objects.count() == 1


def test_the_same_iin_is_never_registered_twice(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    first = send(client, "post", "/api/v1/persons", {**CHILD, "iin": IIN})
    assert first.status_code == 201
    other_name = {**CHILD, "iin": IIN, "given_name": "Аскар", "family_name": "Нуров",
                  "not_duplicate_of": [first.json()["id"]], "not_duplicate_reason": "другой"}  # fmt: skip
    again = send(client, "post", "/api/v1/persons", other_name)
    assert again.status_code in (409, 422)
    if again.status_code == 422:
        assert "iin" in [e["field"] for e in again.json()["errors"]]
    assert Person.objects.filter(iin=IIN).count() == 1
    # And the database itself refuses it, whatever path a write takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(given_name="Б", family_name="В", iin=IIN)
    Person.objects.create(given_name="Без", family_name="ИИН", iin="")
    Person.objects.create(given_name="Тоже", family_name="Без", iin="")  # empty IINs repeat


def test_a_registration_takes_the_registration_lock_before_it_checks(world: World) -> None:
    """The realistic check on SQLite: the first statement of a registration takes the
    write lock, so a second registration's check waits for the first one's record."""
    from django.test.utils import CaptureQueriesContext

    client = api_client(world.staff(Role.CASE_MANAGER))
    with CaptureQueriesContext(connection) as queries:
        assert send(client, "post", "/api/v1/persons", CHILD).status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements)
                if "pg_advisory_xact_lock" in sql or sql.startswith('UPDATE "people_person"'))  # fmt: skip
    first_key_read = next(i for i, sql in enumerate(statements) if "people_personnamekey" in sql)
    assert lock < first_key_read


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_registrations_of_one_new_child_make_one_record(world: World) -> None:
    from tirek.people import matching, services

    manager = world.staff(Role.CASE_MANAGER)
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def register_once() -> None:
        identity = matching.Identity(
            given=("Мухаммад",), family=("Каримов",), patronymic=("Рустамович",),
            birth=matching.Birth(date(2014, 2, 14), "day", False), sex="male",
        )  # fmt: skip
        try:
            barrier.wait()
            services.person_register(
                by=manager, identity=identity, given_name="Мухаммад", family_name="Каримов",
                patronymic="Рустамович", birth_date=date(2014, 2, 14), sex="male",
            )  # fmt: skip
            outcomes.append("registered")
        except services.ProbableDuplicate:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register_once) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "refused", "registered"]
    assert Person.objects.filter(family_name="Каримов").count() == 1


# --- invisible characters -----------------------------------------------------------------


def test_invisible_characters_do_not_escape_the_duplicate_check(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    first = send(client, "post", "/api/v1/persons", CHILD)
    for trick in ("Му\u200bхаммад", "\u202eМухаммад", "Мухам\u00adмад", "\ufeffМухаммад\u2066"):
        again = send(client, "post", "/api/v1/persons", {**CHILD, "given_name": trick})
        assert again.status_code == 409, trick
        assert again.json()["candidates"][0]["person_id"] == first.json()["id"]
        found = client.post(
            "/api/v1/persons/duplicates",
            {"given_name": trick, "family_name": "Кари\u200dмов"},
            content_type="application/json",
        ).json()["candidates"]
        assert found and found[0]["person_id"] == first.json()["id"]
    assert Person.objects.count() == 1


def test_names_are_stored_without_invisible_characters_and_found_by_search(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    created = send(client, "post", "/api/v1/persons",
                   {**CHILD, "given_name": "\u202eАй\u200bша", "family_name": "Нуро\u200bва"})  # fmt: skip
    assert created.status_code == 201
    person = Person.objects.get(pk=created.json()["id"])
    assert (person.given_name, person.family_name) == ("Айша", "Нурова")
    for query in ("Нурова", "Ну\u200bрова", "\u202eНурова Айша"):
        items = client.get("/api/v1/persons", {"q": query}).json()["items"]
        assert [p["id"] for p in items] == [person.pk], query


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u202e", "\u200d\u200c", "123", "-- .."])
def test_a_name_without_a_letter_is_refused(world: World, name: str) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    response = send(client, "post", "/api/v1/persons", {**CHILD, "given_name": name})
    assert response.status_code == 422
    assert "given_name" in [e["field"] for e in response.json()["errors"]]
    assert Person.objects.count() == 0


def test_joiners_inside_a_persian_script_name_are_kept() -> None:
    from tirek.core.validation import clean_name

    assert clean_name("می\u200cخواهم") == "می\u200cخواهم"  # ZWNJ between letters
    assert clean_name("\u200cAisha\u200d") == "Aisha"  # at the ends it means nothing
