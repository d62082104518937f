from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from tirek.accounts.roles import Role
from tirek.organisations.models import Region
from tirek.referrals import selectors, services
from tirek.referrals.models import Provider, ServiceCategory
from tirek.testing import World, api_client, logged_in_client


def _district(world: World) -> Region:
    return Region.objects.create(
        code="kz-karaganda-temirtau",
        kind=Region.Kind.DISTRICT,
        parent=world.karaganda,
        names={"ru": "Темиртау"},
    )


def test_it_lets_a_supervisor_manage_their_own_agency_only(world: World) -> None:
    sup = world.staff(Role.SUPERVISOR)
    provider = services.provider_create(
        by=sup, agency=world.centre, name="Психологи центра", languages=["ru", "kk"]
    )
    assert provider.languages == ["ru", "kk"]
    assert list(provider.regions.all()) == [world.karaganda]
    with pytest.raises(PermissionDenied):
        services.provider_create(by=sup, agency=world.school, name="Школа")


def test_it_lets_the_system_administrator_manage_any_agency(world: World) -> None:
    admin = world.staff(Role.ADMIN)
    provider = services.provider_create(by=admin, agency=world.clinic, name="Педиатрия")
    service = services.service_create(
        by=admin, provider=provider, category=ServiceCategory.MEDICAL, name="Осмотр педиатра"
    )
    assert service.provider == provider


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SCHOOL_LIAISON, Role.DPO])
def test_it_refuses_other_roles_on_the_api(world: World, role: str) -> None:
    client = api_client(world.staff(role))
    response = client.post(
        "/api/v1/services/providers",
        data={"agency_id": world.centre.pk, "name": "Новый поставщик"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Provider.objects.exists()


def test_it_finds_services_by_text_category_region_and_language(world: World) -> None:
    admin = world.staff(Role.ADMIN)
    district = _district(world)
    kz_wide = services.provider_create(
        by=admin, agency=world.ngo, name="Юридическая помощь", regions=[world.kz], languages=["ru"]
    )
    almaty = services.provider_create(
        by=admin,
        agency=world.centre_almaty,
        name="Алматинский центр",
        regions=[world.almaty],
        languages=["kk", "uz"],
    )
    services.service_create(
        by=admin, provider=kz_wide, category=ServiceCategory.LEGAL_AID, name="Документы"
    )
    services.service_create(
        by=admin, provider=almaty, category=ServiceCategory.PSYCHOLOGICAL, name="Арт-терапия"
    )
    names = lambda **kw: sorted(s.name for s in selectors.directory_services(**kw))  # noqa: E731
    assert names(q="арт") == ["Арт-терапия"]
    assert names(category=ServiceCategory.LEGAL_AID) == ["Документы"]
    # A country-wide provider serves every district; Almaty's does not serve Karaganda.
    assert names(region=district) == ["Документы"]
    assert names(region=world.almaty) == ["Арт-терапия", "Документы"]
    assert names(language="uz") == ["Арт-терапия"]


def test_the_directory_page_searches(world: World) -> None:
    admin = world.staff(Role.ADMIN)
    provider = services.provider_create(by=admin, agency=world.school, name="Школа № 17")
    services.service_create(
        by=admin, provider=provider, category=ServiceCategory.EDUCATION, name="Кружок чтения"
    )
    client = logged_in_client(world.staff(Role.SCHOOL_LIAISON))
    response = client.get("/services/", {"q": "чтения"})
    assert response.status_code == 200
    assert "Кружок чтения" in response.content.decode()
    response = client.get("/services/", {"q": "нет такого"})
    assert "Кружок чтения" not in response.content.decode()


def test_a_stale_version_is_a_conflict(world: World) -> None:
    sup = world.staff(Role.SUPERVISOR)
    provider = services.provider_create(by=sup, agency=world.centre, name="Психологи")
    client = api_client(sup)
    url = f"/api/v1/services/providers/{provider.pk}"
    ok = client.patch(
        url, data={"version": 1, "phone": "+7 700 000 00 00"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(url, data={"version": 1, "phone": "+7 1"}, content_type="application/json")
    assert stale.status_code == 409
    provider.refresh_from_db()
    assert provider.phone == "+7 700 000 00 00"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "a\x00b"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "languages": ["xx"]}, "languages"),
        ({"name": "ok", "region_ids": [987654]}, "region_ids"),
        ({"name": "ok", "email": "not an e-mail"}, "email"),
    ],
)
def test_it_answers_bad_input_with_problem_details(world: World, payload: dict, field: str) -> None:
    client = api_client(world.staff(Role.ADMIN))
    response = client.post(
        "/api/v1/services/providers",
        data=json.dumps({"agency_id": world.school.pk, **payload}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert any(e["field"].startswith(field) for e in body["errors"]), body
    assert not Provider.objects.exists()


def test_the_service_list_clamps_paging(world: World) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    assert client.get("/api/v1/services", {"limit": 10**12}).status_code == 422
    assert client.get("/api/v1/services", {"offset": -1}).status_code == 422
    response = client.get("/api/v1/services", {"limit": 5})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}
