"""POST /api/v1/persons/duplicates: who may ask, what they learn, and the traces left."""

from __future__ import annotations

from datetime import date

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.testing import World, api_client

from .helpers import open_case, register, send

URL = "/api/v1/persons/duplicates"


def test_it_finds_the_same_child_under_another_script_best_first(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    child = register(manager, "Мұхаммед", "Каримов", birth_date=date(2014, 2, 14))
    brother = register(manager, "Юсуф", "Каримов", birth_date=date(2016, 5, 20))
    namesake = register(manager, "Мухаммад", "Каримов", birth_date=date(1958, 3, 3))
    response = send(
        api_client(manager),
        "post",
        URL,
        {"given_name": "Muhammad", "family_name": "Karimov", "birth_date": "2014-02-14"},
    )
    assert response.status_code == 200, response.content
    candidates = response.json()["candidates"]
    assert candidates[0]["person_id"] == child.pk
    assert candidates[0]["score"] >= 0.8 and candidates[0]["probable"] is True
    codes = {r["code"] for r in candidates[0]["reasons"]}
    assert {"name_transliteration", "birth_date_exact"} <= codes
    assert all(r["text"] for r in candidates[0]["reasons"])
    returned = {c["person_id"] for c in candidates}
    assert brother.pk not in returned and namesake.pk not in returned
    assert all(0.5 <= c["score"] <= 1 for c in candidates)
    assert [c["score"] for c in candidates] == sorted(
        (c["score"] for c in candidates), reverse=True
    )


def test_it_reports_a_record_of_another_unit_with_score_and_unit_only(world: World) -> None:
    almaty = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    held = register(
        almaty, "Ўткир", "Ғуломов", birth_date=date(2012, 2, 12), iin="", birth_place="Андижан"
    )
    open_case(almaty, held)
    manager = world.staff(Role.CASE_MANAGER)
    response = send(
        api_client(manager),
        "post",
        URL,
        {"given_name": "Oʻtkir", "family_name": "Gʻulomov", "birth_date": "2012-02-12"},
    )
    [candidate] = response.json()["candidates"]
    assert candidate["person_id"] == held.pk and candidate["probable"] is True
    assert candidate["visible"] is False
    assert candidate["unit"] == "Centre Almaty — Team A"
    assert [r["code"] for r in candidate["reasons"]] == ["held_by_other_unit"]
    body = response.content.decode()
    for secret in ("Ўткир", "Ғуломов", "2012", "Андижан", "initials"):
        assert secret not in body.replace('"initials": null', "")
    assert candidate["initials"] is None and candidate["birth_year"] is None
    # The id does not open the record.
    assert api_client(manager).get(f"/api/v1/persons/{held.pk}").status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        Role.PSYCHOLOGIST,
        Role.SCHOOL_LIAISON,
        Role.HEALTH_WORKER,
        Role.INTERVIEWER,
        Role.DPO,
        Role.ME_ANALYST,
        Role.ADMIN,
    ],
)
def test_it_lets_only_registering_roles_ask(world: World, role: str) -> None:
    register(world.staff(Role.CASE_MANAGER), "Айша", "Каримова")
    response = send(
        api_client(world.staff(role)),
        "post",
        URL,
        {"given_name": "Aisha", "family_name": "Karimova"},
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=Action.SEARCH).exists()


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SOCIAL_WORKER, Role.SUPERVISOR])
def test_it_answers_every_registering_role(world: World, role: str) -> None:
    response = send(
        api_client(world.staff(role)),
        "post",
        URL,
        {"given_name": "Aisha", "family_name": "Karimova"},
    )
    assert response.status_code == 200
    assert response.json() == {"candidates": []}


def test_it_audits_every_lookup_with_counts_and_never_the_names(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    register(manager, "Айша", "Каримова", birth_date=date(1992, 4, 12))
    send(
        api_client(manager),
        "post",
        URL,
        {
            "given_name": "Oysha",
            "family_name": "Karimova",
            "patronymic": "Rustamovna",
            "birth_date": "1992-04-12",
        },
    )
    entry = AuditEntry.objects.get(action=Action.SEARCH)
    assert entry.actor == manager
    assert entry.detail == {"kind": "duplicate_check", "candidates": 1, "probable": 1, "hidden": 0}
    text = str(entry.detail) + entry.object_id + entry.object_type
    for secret in ("Oysha", "Karimova", "Rustamovna", "1992", "Айша"):
        assert secret not in text


def test_it_rate_limits_each_user(world: World, settings) -> None:
    settings.PEOPLE_DUPLICATE_CHECKS_PER_MINUTE = 3
    manager, colleague = world.staff(Role.CASE_MANAGER), world.staff(Role.CASE_MANAGER)
    body = {"given_name": "Aisha", "family_name": "Karimova"}
    client = api_client(manager)
    assert [send(client, "post", URL, body).status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = send(client, "post", URL, body)
    assert limited["Retry-After"] and limited["Content-Type"] == "application/problem+json"
    assert send(api_client(colleague), "post", URL, body).status_code == 200
    assert AuditEntry.objects.filter(action=Action.SEARCH).count() == 4


@pytest.mark.parametrize(
    "body",
    [
        {"family_name": "Karimova"},
        {"given_name": "", "family_name": "Karimova"},
        {"given_name": "A\x00isha", "family_name": "Karimova"},
        {"given_name": "A" * 101, "family_name": "Karimova"},
        {"given_name": "Aisha", "family_name": "Karimova", "birth_date": "2015-13-01"},
        {"given_name": "Aisha", "family_name": "Karimova", "birth_date": 2015},
        {"given_name": ["Aisha"], "family_name": "Karimova"},
        {"given_name": "Aisha", "family_name": "Karimova", "patronymic": "x" * 101},
    ],
)
def test_it_refuses_bad_queries_with_422(world: World, body: dict[str, object]) -> None:
    response = send(api_client(world.staff(Role.CASE_MANAGER)), "post", URL, body)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_it_handles_names_with_nothing_to_match(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    for given in ("???", "1234", "ـــ", "🙂"):
        response = send(client, "post", URL, {"given_name": given, "family_name": "-"})
        assert response.status_code == 200 and response.json() == {"candidates": []}


def test_it_finds_a_match_by_iin_whatever_the_spelling(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    mother = register(
        manager, "Айша", "Каримова", birth_date=date(1992, 4, 12), iin="920412401006", sex="female"
    )
    body = {"given_name": "Zaynab", "family_name": "Umm Yusuf", "iin": "920412401006"}
    [candidate] = send(api_client(manager), "post", URL, body).json()["candidates"]
    assert candidate["person_id"] == mother.pk
    assert candidate["reasons"][0]["code"] == "iin_match"


def test_it_never_offers_a_merged_record(world: World) -> None:
    from tirek.people import services

    manager, supervisor = world.staff(Role.CASE_MANAGER), world.staff(Role.SUPERVISOR)
    kept = register(manager, "Хадиджа", "Исмаилова", birth_date=date(2015, 4, 4))
    duplicate = register(manager, "Khadija", "Ismailova", birth_date=date(2015, 4, 4))
    merge = services.merge_request_create(
        by=manager, kept=kept, duplicate=duplicate, reason="одна девочка"
    )
    services.merge_request_decide(by=supervisor, merge=merge, approve=True)
    body = {"given_name": "Khadija", "family_name": "Ismailova", "birth_date": "2015-04-04"}
    ids = [
        c["person_id"] for c in send(api_client(manager), "post", URL, body).json()["candidates"]
    ]
    assert ids == [kept.pk]
