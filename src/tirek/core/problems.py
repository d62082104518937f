"""RFC 9457 problem details, shared by the API and by API-path error handlers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"


def default_title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
        422: _("Invalid input"),
        429: _("Too many requests"),
        500: _("Internal error"),
    }
    return titles.get(status, _("Error"))


def problem_response(
    request: HttpRequest | None,
    status: int,
    detail: str = "",
    *,
    title: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": f"/api/v1/problems/{status}",
        "title": title or default_title(status),
        "status": status,
        "detail": detail or title or default_title(status),
    }
    if request is not None:
        body["instance"] = request.path
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
