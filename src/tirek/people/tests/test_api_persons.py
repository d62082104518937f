"""GET|POST /api/v1/persons, GET|PATCH /api/v1/persons/{id}: the contract of DESIGN §7."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.people.models import Person, PersonName, PersonNameKey
from tirek.testing import InDays, World, api_client, resolved

from .helpers import CHILD_PAYLOAD, open_case, register, send

VALID = {**CHILD_PAYLOAD, "iin": "140214501002"}


def test_it_creates_a_person_from_the_contract_fields_and_reads_it_back(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    client = api_client(manager)
    response = send(client, "post", "/api/v1/persons", VALID)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id"]
    again = client.get(f"/api/v1/persons/{created['id']}").json()
    for field in ("given_name", "family_name", "patronymic", "birth_date", "sex", "iin"):
        assert again[field] == VALID[field]
    assert again["birth_date_estimated"] is False
    person = Person.objects.get(pk=created["id"])
    assert person.created_by == manager and person.registered_by_unit == world.unit
    assert PersonNameKey.objects.filter(person=person).exists()


def test_it_records_other_spellings_in_any_script(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    body = {
        **VALID,
        "iin": "",
        "other_names": [
            {"kind": "given", "value": "Muhammad"},
            {"kind": "full", "value": "محمد كريموف"},
        ],
    }
    created = send(client, "post", "/api/v1/persons", body).json()
    names = {(n["kind"], n["value"], n["script"]) for n in created["other_names"]}
    assert names == {("given", "Muhammad", "latin"), ("full", "محمد كريموف", "arabic")}


def test_it_accepts_an_estimated_year_only_date_of_birth(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    body = {
        "given_name": "Фатима",
        "family_name": "Каримова",
        "patronymic": "",
        "birth_date": "2016-01-01",
        "birth_date_precision": "year",
        "birth_date_estimated": True,
        "sex": "female",
        "iin": "",
        "no_documents": True,
        "languages": ["ar"],
    }
    created = send(client, "post", "/api/v1/persons", body).json()
    assert (created["birth_date_precision"], created["birth_date_estimated"]) == ("year", True)
    assert created["no_documents"] is True and created["languages"] == ["ar"]


future = InDays(1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": "Му\x00хаммад"}, "given_name"),
        ({"family_name": "К" * 101}, "family_name"),
        ({"patronymic": "x" * 101}, "patronymic"),
        ({"given_name": ""}, "given_name"),
        ({"given_name": "   "}, "given_name"),
        ({"birth_date": future}, "birth_date"),
        ({"birth_date": "2015-02-30"}, "birth_date"),
        ({"birth_date": "1850-01-01"}, "birth_date"),
        ({"birth_date": "yesterday"}, "birth_date"),
        ({"iin": "140214501003"}, "iin"),  # wrong check digit
        ({"iin": "14021450100"}, "iin"),
        ({"iin": "140214501002", "birth_date": "2014-02-15"}, "birth_date"),  # IIN says the 14th
        ({"iin": "140214501002", "sex": "female"}, "sex"),  # 7th digit 5: a boy
        ({"sex": "boy"}, "sex"),
        ({"sex": 1}, "sex"),
        ({"given_name": 42}, "given_name"),
        ({"birth_date_estimated": "perhaps"}, "birth_date_estimated"),
        ({"birth_country": "XX"}, "birth_country"),
        ({"languages": ["klingon"]}, "languages"),
        ({"languages": "ar"}, "languages"),
        ({"other_names": [{"kind": "nickname", "value": "x"}]}, "other_names.0.kind"),
        ({"other_names": [{"kind": "alias", "value": "a\x00b"}]}, "other_names.0.value"),
    ],
)
def test_it_refuses_bad_input_with_422_and_creates_nothing(
    world: World, change: dict[str, Any], field: str
) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    response = send(client, "post", "/api/v1/persons", {**VALID, **resolved(change)})
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    fields = [e["field"] for e in response.json()["errors"]]
    assert field in fields
    assert not Person.objects.exists() and not PersonName.objects.exists()


def test_it_refuses_a_body_that_is_not_an_object(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    for body in ([VALID], "x", None, 7):
        response = send(client, "post", "/api/v1/persons", body)
        assert response.status_code in (400, 422)
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.SCHOOL_LIAISON, Role.HEALTH_WORKER, Role.PSYCHOLOGIST, Role.DPO, Role.ADMIN]
)
def test_it_lets_only_registering_roles_create_people(world: World, role: str) -> None:
    response = send(api_client(world.staff(role)), "post", "/api/v1/persons", VALID)
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_it_answers_404_for_a_person_the_caller_may_not_open(world: World) -> None:
    author = world.staff(Role.CASE_MANAGER)
    colleague = world.staff(Role.CASE_MANAGER)
    other_region = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    person = register(author)
    assert api_client(author).get(f"/api/v1/persons/{person.pk}").status_code == 200
    for user in (colleague, other_region, world.staff(Role.ADMIN), world.staff(Role.DPO)):
        response = api_client(user).get(f"/api/v1/persons/{person.pk}")
        assert response.status_code == 404
    missing = api_client(author).get("/api/v1/persons/999999")
    assert missing.status_code == 404
    assert AuditEntry.objects.filter(action=Action.DENIED, object_type="people.person").count() == 5


@pytest.mark.parametrize("bad_id", ["0", "-1", "99999999999999999999999", "abc"])
def test_it_never_fails_on_strange_ids(world: World, bad_id: str) -> None:
    response = api_client(world.staff(Role.CASE_MANAGER)).get(f"/api/v1/persons/{bad_id}")
    assert response.status_code in (404, 422)


def test_it_opens_a_person_to_the_case_team_once_a_case_exists(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    psychologist = world.staff(Role.PSYCHOLOGIST)
    school = world.staff(Role.SCHOOL_LIAISON)
    stranger = world.staff(Role.PSYCHOLOGIST)
    person = register(manager, iin="", birth_place="Ракка", birth_country="SY")
    open_case(
        manager, person, team=[(psychologist, Role.PSYCHOLOGIST), (school, Role.SCHOOL_LIAISON)]
    )
    seen = api_client(psychologist).get(f"/api/v1/persons/{person.pk}").json()
    assert seen["full_name"] == person.full_name and seen["birth_place"] == "Ракка"
    school_view = api_client(school).get(f"/api/v1/persons/{person.pk}").json()
    # Protected identity: the school sees the core, not the origin.
    assert school_view["birth_place"] is None and school_view["birth_country"] is None
    assert "return_history" not in school_view["sections"]
    assert api_client(stranger).get(f"/api/v1/persons/{person.pk}").status_code == 404


def test_it_lists_only_visible_people_with_initials_and_birth_year(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    mine = register(manager, "Айгерим", "Серикова", birth_date=date(2012, 9, 3))
    register(world.staff(Role.CASE_MANAGER), "Айгуль", "Серикова")
    data = api_client(manager).get("/api/v1/persons").json()
    assert data["count"] == 1
    assert data["items"] == [{"id": mine.pk, "initials": "А. С.", "birth_year": 2012}]
    assert "Айгерим" not in str(data)


def test_it_searches_names_across_scripts_and_spellings(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    child = register(manager, "Мұхаммед", "Каримов", other_names=[("full", "محمد")])
    register(manager, "Айгерим", "Серикова")
    client = api_client(manager)
    for q in ["Muhammad Karimov", "Мухаммад", "karimov", "Каримов Мух", "محمد", "Mukhammed"]:
        ids = [i["id"] for i in client.get("/api/v1/persons", {"q": q}).json()["items"]]
        assert ids == [child.pk], q
    assert client.get("/api/v1/persons", {"q": "Юсуф"}).json()["count"] == 0
    assert AuditEntry.objects.filter(action=Action.SEARCH, detail__kind="name_search").exists()


def test_it_clamps_limit_and_offset(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    for i in range(3):
        register(manager, f"Имя{i}", "Каримова")
    client = api_client(manager)
    assert client.get("/api/v1/persons", {"limit": 100000}).json()["limit"] == 100
    assert client.get("/api/v1/persons", {"limit": -5}).json()["limit"] == 1
    assert client.get("/api/v1/persons", {"offset": -5}).json()["offset"] == 0
    far = client.get("/api/v1/persons", {"offset": 10**12}).json()
    assert far["items"] == [] and far["count"] == 3
    assert client.get("/api/v1/persons", {"limit": "many"}).status_code == 422
    assert client.get("/api/v1/persons", {"q": "a\x00b"}).status_code in (200, 422)


def test_it_patches_with_the_version_read_and_refuses_a_stale_one(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(manager)
    client = api_client(manager)
    first = send(
        client, "patch", f"/api/v1/persons/{person.pk}", {"version": 1, "given_name": "Aisha"}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = send(
        client, "patch", f"/api/v1/persons/{person.pk}", {"version": 1, "given_name": "Oysha"}
    )
    assert stale.status_code == 409
    person.refresh_from_db()
    assert (person.given_name, person.version) == ("Aisha", 2)
    # The keys follow the new spelling.
    hits = client.get("/api/v1/persons", {"q": "Aisha"}).json()["items"]
    assert [h["id"] for h in hits] == [person.pk]


def test_it_refuses_a_bad_patch_without_changing_anything(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(manager)
    client = api_client(manager)
    for body in (
        {"version": 1, "birth_date": future.isoformat()},
        {"version": 1, "iin": "123"},
        {"given_name": "X"},
    ):
        assert send(client, "patch", f"/api/v1/persons/{person.pk}", body).status_code == 422
    person.refresh_from_db()
    assert person.version == 1 and person.given_name == "Айша"


def test_it_adds_documents_and_leaves_the_no_documents_state(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(manager, no_documents=True)
    client = api_client(manager)
    response = send(
        client,
        "post",
        f"/api/v1/persons/{person.pk}/documents",
        {
            "doc_type": "birth_certificate",
            "number": "I-КР 045",
            "issued_on": "2020-03-02",
            "country": "KZ",
        },
    )
    assert response.status_code == 201, response.content
    data = client.get(f"/api/v1/persons/{person.pk}").json()
    assert data["no_documents"] is False
    assert [d["doc_type"] for d in data["documents"]] == ["birth_certificate"]
    bad = send(
        client,
        "post",
        f"/api/v1/persons/{person.pk}/documents",
        {"doc_type": "passport", "issued_on": "2020-03-02", "expires_on": "2019-01-01"},
    )
    assert bad.status_code == 422


def test_it_caps_the_count_of_a_broad_search(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from tirek.people import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    manager = world.staff(Role.CASE_MANAGER)
    for given in ("Айша", "Аиша", "Aisha"):
        register(manager, given, "Каримова")
    client = api_client(manager)
    full_page = client.get("/api/v1/persons", {"q": "Karimova", "limit": 2}).json()
    assert (full_page["count"], full_page["count_capped"], len(full_page["items"])) == (2, True, 2)
    # The last page knows the exact number without counting.
    last = client.get("/api/v1/persons", {"q": "Karimova", "limit": 2, "offset": 2}).json()
    assert (last["count"], last["count_capped"], len(last["items"])) == (3, False, 1)
