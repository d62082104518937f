from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.audit.services import client_ip
from tirek.core.ratelimit import RateLimited
from tirek.core.ratelimit import check as rate_limit

from .mfa import has_mfa, mfa_required


class RequireOwnPasswordMiddleware:
    """Sends a signed-in user whose password someone else chose (``must_change_password``)
    to the password change: until then the account shows nothing, so whoever set the
    password cannot use it unnoticed (its owner would find it changed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            request.tirek_must_enrol = True  # type: ignore[attr-defined]  # no navigation
            if request.path not in _own_password_paths() and not request.path.startswith(
                ("/i18n/", "/static/", "/api/", "/healthz")
            ):
                messages.info(
                    request,
                    _(
                        "Choose a password of your own to continue: the one you were given is known to whoever set up your account."
                    ),
                )
                return redirect("account_change_password")
        return self.get_response(request)


@cache
def _own_password_paths() -> frozenset[str]:
    return frozenset({reverse("account_change_password"), reverse("account_logout")})


# Paths a signed-in user without MFA may still reach: enrolment itself, logout,
# language switching, static files; the API checks its own tokens.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/", "/verify/", "/healthz")


class RequireMfaMiddleware:
    """Sends a signed-in user who must use MFA and has not enrolled to enrolment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        must_enrol = (
            user.is_authenticated
            and not request.path.startswith(("/static/", "/api/"))
            and mfa_required(user)
            and not has_mfa(user)
        )
        # The shell hides its navigation meanwhile: every link would lead back here.
        hidden = must_enrol or getattr(request, "tirek_must_enrol", False)  # or a password
        request.tirek_must_enrol = hidden  # type: ignore[attr-defined]
        if must_enrol and not request.path.startswith(ALLOWED_PREFIXES):
            messages.info(request, _("Set up two-factor authentication to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


# Where the idle timeout keeps the moment it last moved a session's expiry forward.
TOUCHED_KEY = "_tirek_touched"


class IdleTimeoutMiddleware:
    """Keeps a session alive while it is used, without writing it on every request.

    A session expires ``SESSION_COOKIE_AGE`` (15 minutes) after it was last saved. Instead
    of saving it on every page (a database write and, on PostgreSQL, a commit to wait for),
    the expiry moves forward when a fifteenth of the timeout (at most a minute) has passed
    since it last moved: an idle session ends 14 to 15 minutes after its last request,
    never later.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.interval = max(1, min(60, settings.SESSION_COOKIE_AGE // 15))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            if now - int(session.get(TOUCHED_KEY, 0)) >= self.interval:
                session[TOUCHED_KEY] = now  # modified: SessionMiddleware saves it
        return response


class LoginRateLimitMiddleware:
    """Caps sign-in attempts per client address, whatever account they name.

    The per-account lockout (django-axes) stops guessing one password; this stops one
    address from trying many accounts. The API token endpoint shares the same budget.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in _login_paths():
            try:
                login_rate_limit(request)
            except RateLimited as exc:
                response = render(
                    request,
                    "accounts/locked_out.html",
                    {
                        "title": _("Too many sign-in attempts"),
                        "message": _(
                            "Too many sign-in attempts from your network. Wait a minute and try again."
                        ),
                    },
                    status=429,
                )
                response["Retry-After"] = str(exc.retry_after)
                return response
        return self.get_response(request)


@cache
def _login_paths() -> frozenset[str]:
    return frozenset({reverse("account_login"), reverse("mfa_authenticate")})


def login_rate_limit(request: HttpRequest) -> None:
    """Count one sign-in attempt from the request's address; RateLimited past the budget."""
    rate_limit(
        f"login:{client_ip(request)}", limit=settings.LOGIN_RATE_PER_MINUTE, window_seconds=60
    )
