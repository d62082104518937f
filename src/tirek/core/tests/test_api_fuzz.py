"""Property-based test of the whole API, driven by its OpenAPI document (schemathesis).

Every operation gets generated requests, valid and invalid, from a signed-in case
manager's bearer token; no answer may be a 5xx, and every answer (errors included) must
match what the document says: status codes, content types and bodies. Bounded so it
runs in a couple of minutes on two cores; marked ``fuzz``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tirek.accounts import services as account_services
from tirek.accounts.roles import Role
from tirek.api import api
from tirek.testing import World

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = WSGIHandler()

# Invalid requests are generated too (schemathesis' negative mode); what they must get
# is a documented answer, never a 5xx. "Reject everything the schema does not allow" is
# not asked: the schemas coerce as pydantic does ("true" for a boolean, "2" for 2).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The raw WSGI handler closes the database connection around every request, as a
    server should; inside a test's transaction that would lose it (on PostgreSQL). Django's
    own test client does the same as this."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def bearer(world: World) -> dict[str, str]:
    """A demo-like case manager with a registered child and an open case."""
    from tirek.people.tests.helpers import open_case, register

    manager = world.staff(Role.CASE_MANAGER, roles=[Role.CASE_MANAGER])
    child = register(manager, "Айша", "Каримова", birth_date=date(2015, 8, 1))
    open_case(manager, child)
    key, _token = account_services.api_token_issue(user=manager)
    return {"Authorization": f"Bearer {key}"}


def test_the_fuzzed_document_is_the_one_served(client: object, db: None) -> None:
    served = client.get("/api/v1/openapi.json").json()  # type: ignore[attr-defined]
    assert set(served["paths"]) == set(schema.raw_schema["paths"])


@pytest.mark.fuzz
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_breaks_its_schema(case: schemathesis.Case, bearer: dict) -> None:
    cache.clear()  # rate limits would otherwise answer 429 to most of a long run
    case.call_and_validate(headers=bearer, checks=CHECKS)
