"""Relatives, guardianship and the household: the family section of a person."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tirek.accounts.roles import Role
from tirek.people import selectors, services
from tirek.people.models import HouseholdMember, Relationship
from tirek.testing import World, api_client, logged_in_client

from .helpers import open_case, register, send


@pytest.fixture
def family(world: World) -> dict:
    """A child on a Karaganda case, her mother on an Almaty case, her grandmother
    registered by the child's case manager."""
    manager = world.staff(Role.CASE_MANAGER)
    almaty = world.staff(Role.CASE_MANAGER, agency=world.centre_almaty)
    school = world.staff(Role.SCHOOL_LIAISON)
    child = register(manager, "Фатима", "Каримова", birth_date=date(2016, 1, 1))
    child_case = open_case(manager, child, team=[(school, Role.SCHOOL_LIAISON)])
    mother = register(almaty, "Айша", "Каримова", birth_date=date(1992, 4, 12))
    mother_case = open_case(almaty, mother)
    grandmother = register(manager, "Гульнара", "Абенова", birth_date=date(1961, 7, 14))
    Relationship.objects.create(person=child, relative=mother, kind="mother")
    services.relationship_create(
        by=manager,
        person=child,
        relative=grandmother,
        kind="legal_guardian",
        legal_basis="court_decision",
        basis_reference="№ 2-1187/2023",
        start_date=date(2023, 3, 14),
    )
    return {
        "manager": manager,
        "almaty": almaty,
        "school": school,
        "child": child,
        "child_case": child_case,
        "mother": mother,
        "mother_case": mother_case,
        "grandmother": grandmother,
    }


def test_it_lists_relatives_with_a_case_link_only_where_the_viewer_may_open_it(
    family: dict,
) -> None:
    rows = {
        r["kind"]: r
        for r in api_client(family["manager"])
        .get(f"/api/v1/persons/{family['child'].pk}/relationships")
        .json()
    }
    mother = rows["mother"]
    assert mother["relative_name"] == "Каримова Айша"
    assert mother["has_case"] is True and mother["case_held_by_other_team"] is True
    assert mother["case_ids"] == [] and mother["relative_id"] is None
    guardian = rows["legal_guardian"]
    assert guardian["relative_id"] == family["grandmother"].pk
    assert guardian["legal_basis"] == "court_decision" and guardian["start_date"] == "2023-03-14"
    assert guardian["has_case"] is False


def test_it_links_the_relative_s_case_for_a_viewer_on_both_teams(family: dict) -> None:
    from tirek.cases import services as case_services

    case_services.team_member_add(
        by=family["almaty"],
        case=family["mother_case"],
        user=family["manager"],
        role=Role.CASE_MANAGER,
    )
    rows = (
        api_client(family["manager"])
        .get(f"/api/v1/persons/{family['child'].pk}/relationships")
        .json()
    )
    mother = next(r for r in rows if r["kind"] == "mother")
    assert mother["case_ids"] == [family["mother_case"].pk]
    assert mother["case_held_by_other_team"] is False
    page = (
        logged_in_client(family["manager"])
        .get(f"/people/{family['child'].pk}/family/")
        .content.decode()
    )
    assert f'href="/cases/{family["mother_case"].pk}/"' in page


def test_it_names_no_details_of_a_case_held_by_another_team(family: dict) -> None:
    page = (
        logged_in_client(family["manager"])
        .get(f"/people/{family['child'].pk}/family/")
        .content.decode()
    )
    assert "случай ведёт другая команда" in page
    assert family["mother_case"].number not in page
    assert f"/cases/{family['mother_case'].pk}/" not in page
    assert f"/people/{family['mother'].pk}/" not in page


def test_it_shows_the_mother_her_child_from_the_other_side(family: dict) -> None:
    rows = (
        api_client(family["almaty"])
        .get(f"/api/v1/persons/{family['mother'].pk}/relationships")
        .json()
    )
    assert [(r["label"], r["inverse"], r["relative_name"]) for r in rows] == [
        ("Ребёнок", True, "Каримова Фатима")
    ]


def test_it_hides_relatives_from_roles_without_the_family_section(family: dict) -> None:
    school = family["school"]
    child = family["child"]
    client = api_client(school)
    assert client.get(f"/api/v1/persons/{child.pk}").status_code == 200
    assert client.get(f"/api/v1/persons/{child.pk}/relationships").status_code == 404
    browser = logged_in_client(school)
    assert browser.get(f"/people/{child.pk}/family/").status_code == 404
    page = browser.get(f"/people/{child.pk}/").content.decode()
    assert "Абенова" not in page and "Каримова Айша" not in page
    assert selectors.family_of(school, child) == []
    case_page = browser.get(f"/cases/{family['child_case'].pk}/").content.decode()
    assert "Абенова" not in case_page


def test_it_links_only_people_the_worker_may_open(family: dict) -> None:
    manager, child, mother = family["manager"], family["child"], family["mother"]
    response = send(
        api_client(manager),
        "post",
        f"/api/v1/persons/{child.pk}/relationships",
        {"relative_id": mother.pk, "kind": "other_relative"},
    )
    assert response.status_code == 422
    assert not Relationship.objects.filter(person=child, kind="other_relative").exists()


def test_it_records_guardianship_with_its_legal_basis(family: dict, world: World) -> None:
    manager, child = family["manager"], family["child"]
    uncle = register(manager, "Серик", "Абенов", birth_date=date(1980, 1, 1))
    client = api_client(manager)
    url = f"/api/v1/persons/{child.pk}/relationships"
    missing_basis = send(client, "post", url, {"relative_id": uncle.pk, "kind": "legal_guardian"})
    assert missing_basis.status_code == 422
    backwards = send(
        client,
        "post",
        url,
        {
            "relative_id": uncle.pk,
            "kind": "foster_carer",
            "legal_basis": "foster_agreement",
            "start_date": "2024-01-01",
            "end_date": "2023-01-01",
        },
    )
    assert backwards.status_code == 422
    ok = send(
        client,
        "post",
        url,
        {
            "relative_id": uncle.pk,
            "kind": "foster_carer",
            "legal_basis": "foster_agreement",
            "start_date": "2024-01-01",
        },
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["label"] == "Приёмный родитель (патронатный воспитатель)" or ok.json()["label"]
    again = send(
        client,
        "post",
        url,
        {"relative_id": uncle.pk, "kind": "foster_carer", "legal_basis": "foster_agreement"},
    )
    assert again.status_code == 422
    self_link = send(client, "post", url, {"relative_id": child.pk, "kind": "sibling"})
    assert self_link.status_code == 422


def test_it_keeps_one_current_household_per_person(family: dict, world: World) -> None:
    manager, child, grandmother = family["manager"], family["child"], family["grandmother"]
    first = services.household_set(
        by=manager,
        person=child,
        label="Дом бабушки",
        region=world.karaganda,
        members=[grandmother],
        head=grandmother,
    )
    second = services.household_set(
        by=manager, person=child, label="Центр адаптации", region=world.karaganda
    )
    current = HouseholdMember.objects.get(person=child, until__isnull=True)
    assert current.household == second
    assert HouseholdMember.objects.filter(
        person=child, household=first, until__isnull=False
    ).exists()
    with pytest.raises(ValidationError):
        services.household_set(by=manager, person=child, label="x", members=[family["mother"]])


def test_it_lets_only_writers_of_the_family_section_change_it(family: dict) -> None:
    with pytest.raises(PermissionDenied):
        services.relationship_create(
            by=family["school"],
            person=family["child"],
            relative=family["grandmother"],
            kind="grandparent",
        )
