from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from tirek.core.http import AuthenticatedHttpRequest

from .registry import my_work_panels, my_work_scopes


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "My work": each domain app contributes what is due for this user."""
    panels: list[dict[str, Any]] = []
    # e.g. the access policy reading the user's case ids once, the audit log's entry
    with ExitStack() as scopes:
        for scope in my_work_scopes:
            scopes.enter_context(scope(request))
        for _order, panel in my_work_panels:
            content = panel(request)
            if content:
                panels.append(content)
    return render(request, "core/home.html", {"panels": panels})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(
        user._meta.get_field("preferred_language").choices or ()
    ):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        from .problems import problem_response

        return problem_response(request, 404)
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        from .problems import problem_response

        return problem_response(request, 500)
    return render(request, "core/500.html", status=500)
