"""The registration screen: the duplicate check decides what happens next."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.cases.models import Case
from tirek.people.models import DuplicateDismissal, Person
from tirek.testing import World, logged_in_client

from .helpers import open_case, register

FORM = {
    "family_name": "Каримова",
    "given_name": "Айша",
    "patronymic": "",
    "sex": "female",
    "birth_date": "2015-08-01",
    "birth_date_precision": "day",
    "iin": "",
    "birth_place": "",
    "citizenship_status": "unknown",
}


def post(client: Any, url: str, **changes: Any) -> Any:
    return client.post(url, {**FORM, **changes})


@pytest.mark.parametrize("role", [Role.SCHOOL_LIAISON, Role.PSYCHOLOGIST, Role.DPO, Role.ADMIN])
def test_it_keeps_the_registration_screen_for_registering_roles(world: World, role: str) -> None:
    client = logged_in_client(world.staff(role))
    assert client.get("/people/new/").status_code == 403
    assert post(client, "/people/new/").status_code == 403
    assert post(client, "/people/new/check/").status_code == 403
    assert not Person.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    from django.test import Client

    assert Client().get("/people/new/").status_code == 302


def test_it_registers_a_person_without_matches_and_shows_the_full_name_on_the_record(
    world: World,
) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    client = logged_in_client(manager)
    response = post(client, "/people/new/", other_spellings="Aisha Karimova\nعائشة")
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.names.count() == 2
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Каримова Айша" in page and "عائشة" in page
    assert "Открыть случай" in page


def test_it_shows_candidates_while_typing_in_any_script(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    existing = register(manager, "Айша", "Каримова", birth_date=date(2015, 8, 1))
    client = logged_in_client(manager)
    fragment = post(
        client, "/people/new/check/", given_name="Oysha", family_name="Karimova"
    ).content.decode()
    assert f"№ {existing.pk}" in fragment
    assert "вероятно, тот же человек" in fragment
    assert "то же имя в другом алфавите или написании" in fragment
    assert "Каримова" not in fragment  # initials only in the candidate list
    empty = post(client, "/people/new/check/", given_name="", family_name="").content.decode()
    assert "Укажите имя и фамилию" in empty
    assert (
        AuditEntry.objects.filter(action=Action.SEARCH, detail__kind="duplicate_check").count() == 1
    )


def test_it_requires_a_choice_when_a_probable_match_exists(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    existing = register(manager, "Айша", "Каримова", birth_date=date(2015, 8, 1))
    client = logged_in_client(manager)
    response = post(client, "/people/new/", given_name="Aisha", family_name="Karimova")
    assert response.status_code == 200
    assert "Выберите: открыть эту запись" in response.content.decode()
    assert Person.objects.count() == 1
    # "Different person" needs a reason.
    no_reason = post(
        client, "/people/new/", given_name="Aisha", family_name="Karimova", decision="different"
    )
    assert "Укажите, почему это другой человек" in no_reason.content.decode()
    assert Person.objects.count() == 1
    # "The same person": the existing record opens, nothing is created.
    same = post(
        client,
        "/people/new/",
        given_name="Aisha",
        family_name="Karimova",
        decision=f"same:{existing.pk}",
    )
    assert same.status_code == 302 and same["Location"] == f"/people/{existing.pk}/"
    assert Person.objects.count() == 1


def test_it_registers_a_different_person_with_the_reason_kept_and_audited(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    twin = register(manager, "Айша", "Каримова", birth_date=date(2015, 8, 1))
    client = logged_in_client(manager)
    response = post(
        client,
        "/people/new/",
        given_name="Aisha",
        family_name="Karimova",
        decision="different",
        dismiss_reason="Двоюродная сестра, другая мать",
    )
    assert response.status_code == 302
    created = Person.objects.exclude(pk=twin.pk).get()
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.person, dismissal.candidate, dismissal.decided_by) == (created, twin, manager)
    assert dismissal.reason == "Двоюродная сестра, другая мать"
    assert AuditEntry.objects.filter(
        action=Action.CREATE, object_type="people.duplicatedismissal"
    ).exists()


def test_it_names_the_unit_to_contact_for_a_record_held_elsewhere(world: World) -> None:
    almaty = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    held = register(almaty, "Ўткир", "Ғуломов", birth_date=date(2012, 2, 12))
    open_case(almaty, held)
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    fragment = post(
        client,
        "/people/new/check/",
        given_name="Oʻtkir",
        family_name="Gʻulomov",
        birth_date="2012-02-12",
    ).content.decode()
    assert "Centre Almaty — Team A" in fragment
    assert (
        "Ғ" not in fragment
        and "2012" not in fragment
        and f'href="/people/{held.pk}/"' not in fragment
    )
    response = post(
        client,
        "/people/new/",
        given_name="Oʻtkir",
        family_name="Gʻulomov",
        birth_date="2012-02-12",
        decision=f"same:{held.pk}",
    )
    assert response.status_code == 200
    assert "Team A" in response.content.decode()
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": "Ай\x00ша"}, "given_name"),
        ({"family_name": "К" * 101}, "family_name"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "2015-02-30"}, "birth_date"),
        ({"iin": "920412401007"}, "iin"),
        ({"other_spellings": "a\x00b"}, "other_spellings"),
        ({"sex": "x"}, "sex"),
    ],
)
def test_it_shows_bad_input_on_the_form_and_creates_nothing(
    world: World, change: dict[str, str], field: str
) -> None:
    client = logged_in_client(world.staff(Role.CASE_MANAGER))
    response = post(client, "/people/new/", **change)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Person.objects.exists()


def test_it_opens_the_case_at_the_end_of_registration(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(manager)
    client = logged_in_client(manager)
    response = client.post(f"/people/{person.pk}/open-case/")
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    again = client.post(f"/people/{person.pk}/open-case/")
    assert again.status_code == 302 and Case.objects.filter(person=person).count() == 1


def test_it_opens_no_case_for_someone_else_s_registration(world: World) -> None:
    person = register(world.staff(Role.CASE_MANAGER))
    response = logged_in_client(world.staff(Role.CASE_MANAGER)).post(
        f"/people/{person.pk}/open-case/"
    )
    assert response.status_code == 404
    assert not Case.objects.exists()


def test_it_lists_people_by_initials_and_finds_them_in_any_script(world: World) -> None:
    manager = world.staff(Role.CASE_MANAGER)
    person = register(manager, "Мұхаммед", "Каримов", birth_date=date(2014, 2, 14))
    client = logged_in_client(manager)
    page = client.get("/people/").content.decode()
    assert "М. К." in page and "Каримов" not in page and "2014" in page
    found = client.get("/people/", {"q": "Mukhammad"}).content.decode()
    assert f"/people/{person.pk}/" in found
    assert f"/people/{person.pk}/" not in client.get("/people/", {"q": "Юсуф"}).content.decode()
    assert client.get("/people/", {"q": "a\x00"}).status_code == 200


def test_it_shows_the_people_nav_item_to_casework_roles_only(world: World) -> None:
    assert (
        'href="/people/"'
        in logged_in_client(world.staff(Role.SCHOOL_LIAISON)).get("/").content.decode()
    )
    assert (
        'href="/people/"'
        not in logged_in_client(world.staff(Role.ME_ANALYST)).get("/").content.decode()
    )
    assert logged_in_client(world.staff(Role.ME_ANALYST)).get("/people/").status_code == 403
