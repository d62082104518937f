"""Structured logs: one JSON object per line, with the request's id and the user's id.

Never a name, a username or case content: the request line carries the method, the
route's pattern (``/cases/<int:case_id>/``, not the id in the address) and the status.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("tirek_request_id", default="")
user_id: ContextVar[int | None] = ContextVar("tirek_user_id", default=None)
request_logger = logging.getLogger("tirek.requests")


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Set on the record by the request log; for any other line, read while it is emitted.
        rid = getattr(record, "request_id", None) or request_id.get()
        uid = getattr(record, "user_id", None) or user_id.get()
        if rid:
            entry["request_id"] = rid
        if uid is not None:
            entry["user_id"] = uid
        for key in ("method", "route", "status", "duration_ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            # The exception's type and where it was raised; its message may hold data.
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None and match.route else "-"


class RequestLogMiddleware:
    """Gives each request an id (kept from ``X-Request-ID`` when a proxy set a sane one),
    returns it in the response and logs one line when the request ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        token_rid = request_id.set(rid)
        user = getattr(request, "user", None)
        token_uid = user_id.set(user.pk if user is not None and user.is_authenticated else None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            # The API's token authentication happens in the view; read the user again.
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                user_id.set(user.pk)
            response["X-Request-ID"] = rid
            request_logger.info(
                "request",
                extra={
                    "request_id": rid,
                    "user_id": user_id.get(),
                    "method": request.method,
                    "route": _route(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token_rid)
            user_id.reset(token_uid)
