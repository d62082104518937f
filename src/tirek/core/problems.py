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


# --- the OpenAPI document -------------------------------------------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ProblemDetails",
    "description": "RFC 9457 problem details; validation errors list each field.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,  # e.g. ``candidates`` on a probable duplicate (409)
}

_PROBLEM_TEXTS = {
    400: "The request could not be read.",
    401: "No valid bearer token (or wrong credentials).",
    403: "The caller's role does not allow this operation.",
    404: "No such record, or one the caller may not see (the same answer).",
    409: "A conflict: the record changed since it was read (stale version), or it "
    "would duplicate one on file.",
    413: "The request is too large.",
    422: "Invalid input; ``errors`` names each field and what is wrong with it.",
    429: "Too many requests; the ``Retry-After`` header says when to try again.",
}
_WRITES = {"post", "put", "patch", "delete"}


def _applicable(method: str, operation: dict[str, Any]) -> list[int]:
    """The problem statuses the shared error handlers can give this operation."""
    has_body = "requestBody" in operation
    has_path_ids = any(p.get("in") == "path" for p in operation.get("parameters", []))
    statuses = [400, 422, 429]
    if operation.get("security", True) != []:
        # 404 also where the caller's role has no such records at all (not "forbidden":
        # a list that does not exist for them reveals nothing).
        statuses += [401, 403, 404]
    elif has_path_ids or has_body:
        statuses.append(404)  # an id in the path or the body may name a hidden record
    if method in _WRITES:
        statuses.append(409)
    if has_body:
        statuses.append(413)
    return sorted(statuses)


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses every operation can give to an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ProblemDetails"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/ProblemDetails"}
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in _WRITES | {"get", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _applicable(method, operation):
                # ninja keys responses by int; a router's own entry is replaced, so that
                # its content type is the one actually sent.
                responses.pop(str(status), None)
                existing = responses.get(status) or {}
                if not existing or "application/json" in existing.get("content", {}):
                    responses[status] = {
                        "description": _PROBLEM_TEXTS[status],
                        "content": {CONTENT_TYPE: {"schema": ref}},
                    }
    return schema
