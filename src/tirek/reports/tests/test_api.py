"""/api/v1/indicators: the same protected figures as the pages."""

from __future__ import annotations

import pytest

from tirek.accounts.roles import Role
from tirek.audit.models import Action, AuditEntry
from tirek.reports import exchange
from tirek.testing import api_client

from .checks import assert_no_small_count
from .factories import fixture_b


def test_it_lists_the_indicator_definitions_for_the_callers_audiences(world) -> None:
    analyst = api_client(world.staff(Role.ME_ANALYST))
    codes = {i["code"] for i in analyst.get("/api/v1/indicators/").json()}
    assert {"registered", "active", "initial_assessment_on_time", "staff_competent"} <= codes
    coordinator = api_client(world.staff(Role.TRAINING_COORDINATOR))
    codes = {i["code"] for i in coordinator.get("/api/v1/indicators/").json()}
    assert "staff_trained" in codes and "registered" not in codes


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.DPO, Role.ADMIN, Role.PSYCHOLOGIST])
def test_it_refuses_roles_without_aggregates(world, role) -> None:
    client = api_client(world.staff(role))
    for url in (
        "/api/v1/indicators/",
        "/api/v1/indicators/values",
        "/api/v1/indicators/registered",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")


def test_it_needs_a_token(db, client) -> None:
    assert client.get("/api/v1/indicators/").status_code == 401


def test_it_answers_with_suppressed_values(world) -> None:
    fixture_b(world)
    client = api_client(world.staff(Role.ME_ANALYST))
    body = client.get("/api/v1/indicators/registered", {"year": 2024, "by": "age_band"}).json()
    assert body["total"]["value"] == 18 and not body["total"]["suppressed"]
    cells = {c["category"]: c for c in body["cells"]}
    assert cells["15-17"] == {
        "category": "15-17",
        "label": "15–17 лет",
        "value": None,
        "suppressed": True,
        "numerator": None,
        "denominator": None,
        "n": None,
        "maximum": None,
        "maximum_top_coded": False,
    }
    every = client.get("/api/v1/indicators/values", {"year": 2024, "by": "sex"}).json()
    counts = []
    for item in every:
        for cell in [item["total"], *item["cells"]]:
            counts += [cell["numerator"], cell["denominator"], cell["n"]]
            if item["kind"] == "count":
                counts.append(cell["value"])
    assert_no_small_count(counts)


def test_it_gives_a_supervisor_their_unit_and_nothing_else(world) -> None:
    fixture_b(world)
    supervisor = api_client(world.staff(Role.SUPERVISOR, agency=world.centre_almaty))
    body = supervisor.get(
        "/api/v1/indicators/registered", {"year": 2024, "audience": "supervisor"}
    ).json()
    assert body["total"]["value"] == 5
    assert supervisor.get("/api/v1/indicators/values", {"audience": "ministry"}).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"year": "x"},
        {"year": 1999},
        {"year": 10**30},
        {"audience": "everyone"},
        {"region": "r" * 200},
        {"by": "b\x00"},
    ],
)
def test_it_refuses_bad_parameters_with_422(world, query) -> None:
    client = api_client(world.staff(Role.ME_ANALYST))
    response = client.get("/api/v1/indicators/values", query)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_it_answers_404_for_an_unknown_indicator(world) -> None:
    client = api_client(world.staff(Role.ME_ANALYST))
    assert client.get("/api/v1/indicators/nonsense").status_code == 404


def test_it_serves_the_exchange_file_and_audits_it(world) -> None:
    fixture_b(world)
    client = api_client(world.staff(Role.ME_ANALYST))
    data = client.get("/api/v1/indicators/exchange", {"year": 2024}).json()
    assert exchange.validate(data)["country"] == "KZ"
    assert AuditEntry.objects.filter(action=Action.EXPORT, object_type="reports.exchange").exists()
    supervisor = api_client(world.staff(Role.SUPERVISOR))
    assert supervisor.get("/api/v1/indicators/exchange").status_code == 403


def test_it_describes_the_endpoints_in_openapi(world) -> None:
    client = api_client(world.staff(Role.ME_ANALYST))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/indicators/values" in paths and "/api/v1/indicators/{code}" in paths
