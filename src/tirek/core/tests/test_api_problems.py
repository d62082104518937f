"""Every failure under /api/ is an RFC 9457 problem, whoever produced it: an endpoint,
ninja, or Django before ninja saw the request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseServerError
from django.test import Client, RequestFactory, override_settings

from tirek.accounts.roles import Role
from tirek.core.middleware import ApiProblemMiddleware
from tirek.testing import PASSWORD, World


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


def _problem(response: HttpResponse, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["type"] == f"/api/v1/problems/{status}"
    assert body["title"] and body["detail"]
    assert "script-src 'self'" in response["Content-Security-Policy"]  # headers survive
    return body


def _token(body: object, **extra: str) -> HttpResponse:
    return Client(raise_request_exception=False, **extra).post(
        "/api/v1/auth/token", body, content_type="application/json"
    )


def test_it_answers_401_without_a_token(db: None) -> None:
    response = Client().get("/api/v1/auth/me")
    _problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_answers_403_when_the_role_or_state_forbids(world: World) -> None:
    world.staff(Role.CASE_MANAGER, username="no-mfa-yet")
    _problem(_token({"username": "no-mfa-yet", "password": PASSWORD}), 403)


@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing", "/api/v1/auth/me/extra", "/api/v2/auth/token", "/api/"]
)
def test_it_answers_404_for_unknown_paths(db: None, path: str) -> None:
    _problem(Client().get(path), 404)


@override_settings(DEBUG=True)
def test_it_answers_404_as_a_problem_even_in_debug_mode(db: None) -> None:
    _problem(Client().get("/api/v1/no-such-thing"), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/auth/token"), ("put", "/api/v1/auth/token"), ("patch", "/api/v1/auth/me")],
)
def test_it_answers_405_for_a_wrong_method(db: None, method: str, path: str) -> None:
    response = getattr(Client(), method)(path)
    body = _problem(response, 405)
    assert response["Allow"]
    assert response["Allow"] in body["detail"]


def test_it_answers_400_for_a_body_that_is_not_json(db: None) -> None:
    _problem(_token("{not json"), 400)


def test_it_answers_413_for_a_huge_body(db: None) -> None:
    _problem(_token("x" * (6 * 1024 * 1024)), 413)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "a"},
        {"username": 5, "password": []},
        {"username": "", "password": "x"},
        {"username": "a" * 151, "password": "x"},
        [],
        '"just a string"',
    ],
)
def test_it_answers_422_with_the_invalid_fields(db: None, body: object) -> None:
    problem = _problem(_token(body), 422)
    assert problem["errors"]
    assert all({"field", "message"} <= set(error) for error in problem["errors"])


def test_it_names_the_missing_field(db: None) -> None:
    problem = _problem(_token({"username": "a"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["password"]


@override_settings(LOGIN_RATE_PER_MINUTE=2)
def test_it_answers_429_when_rate_limited(db: None) -> None:
    for _attempt in range(2):
        _token({"username": "a", "password": "b"})
    response = _token({"username": "a", "password": "b"})
    _problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_it_answers_500_without_leaking_the_error(world: World) -> None:
    world.staff(Role.CASE_MANAGER, username="crash")
    with (
        mock.patch("tirek.accounts.api.mfa_required", side_effect=RuntimeError("secret detail")),
        mock.patch("tirek.api.logger"),
    ):
        response = _token({"username": "crash", "password": PASSWORD})
    body = _problem(response, 500)
    assert "secret detail" not in response.content.decode()
    assert body["instance"] == "/api/v1/auth/token"


def test_it_converts_any_other_error_answer_under_the_api(db: None) -> None:
    request = RequestFactory().get("/api/v1/anything")
    for original, status in (
        (HttpResponseServerError("<h1>boom</h1>"), 500),
        (HttpResponseNotAllowed(["POST"]), 405),
        (HttpResponse("Forbidden (CSRF)", status=403), 403),
    ):
        original["Content-Security-Policy"] = "script-src 'self'"
        response = ApiProblemMiddleware(lambda r, o=original: o)(request)
        _problem(response, status)


def test_it_leaves_pages_outside_the_api_alone(db: None) -> None:
    original = HttpResponse("<h1>Not found</h1>", status=404)
    response = ApiProblemMiddleware(lambda r: original)(RequestFactory().get("/cases/nope"))
    assert response is original


def test_it_speaks_the_clients_language(db: None) -> None:
    russian = Client().get("/api/v1/auth/me").json()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/auth/me").json()
    assert russian["title"] != english["title"]
    assert english["title"] == "Authentication required"
