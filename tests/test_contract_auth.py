"""DESIGN.md section 7, as an outside client sees it: tokens, errors and demo accounts.

These are the promises tests outside the project rely on; they go through the public
HTTP interface only (plus ``tirek demo`` to set the scene)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tirek.accounts.demo_org import DEMO_PASSWORD
from tirek.accounts.roles import Role


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db: None) -> None:
    from tirek.accounts import demo_org

    demo_org.load(type("Quiet", (), {"write": staticmethod(lambda *_: None)})())


def _token(username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def test_it_has_one_demo_account_per_role(demo: None) -> None:
    from tirek.accounts.models import User

    for role in Role.values:
        user = User.objects.get(username=f"demo-{role}")
        assert user.is_demo and user.has_role(role)
    assert (
        User.objects.get(username="demo-case-manager-2").region
        != User.objects.get(username="demo-case-manager").region
    )


@override_settings(DEMO_MODE=True)
def test_it_gives_a_demo_account_a_token_with_the_demo_password_in_demo_mode(demo: None) -> None:
    response = _token("demo-case-manager", DEMO_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert datetime.fromisoformat(body["expires_at"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert client.get("/api/v1/auth/me").json()["username"] == "demo-case-manager"
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


@override_settings(DEMO_MODE=False)
def test_it_requires_two_factor_of_demo_accounts_outside_demo_mode(demo: None) -> None:
    response = _token("demo-case-manager", DEMO_PASSWORD)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (lambda c: c.get("/api/v1/auth/me"), 401),
        (lambda c: c.get("/api/v1/definitely-not-here"), 404),
        (lambda c: c.get("/api/v1/auth/token"), 405),
        (lambda c: c.post("/api/v1/auth/token", {}, content_type="application/json"), 422),
    ],
)
def test_it_answers_errors_as_problem_details(db: None, request_, status: int) -> None:  # type: ignore[no-untyped-def]
    response = request_(Client())
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    if status == 422:
        assert all({"field", "message"} == set(e) for e in body["errors"])


def test_it_describes_the_auth_endpoints_in_openapi(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    token = paths["/api/v1/auth/token"]["post"]
    schema = token["requestBody"]["content"]["application/json"]["schema"]
    assert schema
