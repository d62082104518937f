"""Glue for django-axes: one username key for web and API, and a clear lockout answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tirek.core.problems import problem_response


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    # allauth passes {"username": ...}; a raw login form posts "login".
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("login") or request.POST.get("login", "")
    return str(name).strip().lower()[:150]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    message = _(
        "Too many failed sign-in attempts. The account is locked for a while; try again later or ask an administrator."
    )
    if request.path.startswith("/api/"):
        return problem_response(request, 429, message, headers={"Retry-After": "900"})
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
