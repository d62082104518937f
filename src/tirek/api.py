"""The JSON API under /api/v1/: bearer tokens, RFC 9457 problem details for every error."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from tirek.accounts.selectors import user_by_token
from tirek.core.exceptions import Conflict, Refused
from tirek.core.problems import document_problems, problem_response
from tirek.core.ratelimit import RateLimited
from tirek.core.registry import api_routers

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_by_token(token)
        if user is not None:
            request.user = user
        return user


API_DESCRIPTION = """
Bearer tokens from `POST /api/v1/auth/token`. Every error is an RFC 9457 problem detail
(`application/problem+json`; validation errors carry `errors: [{field, message}]`).

**PATCH** (every PATCH operation): a field left out of the body is unchanged; `null` on a
field that may be empty clears it, and is refused (422) on a field that may not be empty.
Narrative texts are erased only by sending `null` for them explicitly. PATCH bodies carry
the `version` read; a stale one is answered 409.
"""


class TirekAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        # Every operation documents its error responses (problem details).
        return document_problems(super().get_openapi_schema(**kwargs))


api = TirekAPI(
    title="Tirek API",
    description=API_DESCRIPTION,
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url="/docs",
)


def _field(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field(e.get("loc", [])), "message": str(e.get("msg", ""))} for e in exc.errors
    ]
    return problem_response(request, 422, _("The request has invalid fields."), errors=errors)


@api.exception_handler(DjangoValidationError)
def _model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "body", "message": str(m)} for m in exc.messages]
    return problem_response(request, 422, _("The request has invalid fields."), errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request, 401, _("A valid bearer token is required."), headers={"WWW-Authenticate": "Bearer"}
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc.message))


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same answer for "does not exist" and "you may not see it": ids leak nothing.
    return problem_response(request, 404, _("No such record."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 403, str(exc) or _("Your role does not allow this."))


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return problem_response(request, 403, str(exc))


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return problem_response(
        request, 409, str(exc) or _("Someone else changed this record; reload it and try again.")
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return problem_response(
        request,
        429,
        _("Too many requests; try again later."),
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(request, 413, _("The request is too large."))


@api.exception_handler(SuspiciousOperation)
def _unreadable(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return problem_response(request, 400, _("The request could not be read."))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The schemas bound ids and dates (tirek.core.validation); a value that still does
    # not fit a database column or a date computation is the client's input, not our
    # crash. Logged, so a missing bound in a schema is noticed and added.
    logger.warning("Out-of-range input on %s: %s", request.path, exc)
    return problem_response(
        request,
        422,
        _("The request has invalid fields."),
        errors=[{"field": "body", "message": _("A value is out of the range this field accepts.")}],
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path)
    return problem_response(request, 500, _("An unexpected error occurred; it has been logged."))


def mount_routers() -> None:
    from tirek.accounts.api import router as auth_router

    api.add_router("/auth", auth_router)
    for prefix, router in api_routers:
        api.add_router(prefix, router)


mount_routers()
