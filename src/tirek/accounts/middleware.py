from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .mfa import has_mfa, mfa_required

# Paths a signed-in user without MFA may still reach: enrolment itself, logout,
# language switching, static files; the API checks its own tokens.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/", "/verify/", "/healthz")


class RequireMfaMiddleware:
    """Sends a signed-in user who must use MFA and has not enrolled to enrolment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and mfa_required(user)
            and not has_mfa(user)
        ):
            messages.info(request, _("Set up two-factor authentication to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)
