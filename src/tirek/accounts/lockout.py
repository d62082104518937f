"""Sign-in lockout that stops password guessing without letting anyone lock a colleague out.

Three layers, all counted in the database or the shared cache (so they hold across worker
processes and servers):

* **Address and account together** (django-axes): ``AXES_FAILURE_LIMIT`` (5) wrong
  passwords or codes from one address lock that account *from that address* for
  ``AXES_COOLOFF_TIME`` (15 minutes). Someone who types a colleague's name five times
  locks only themselves out; the colleague signs in from their own desk.
* **The account from everywhere, progressively slower**: failures on an account from all
  addresses are counted per day, each address contributing at most ``AXES_FAILURE_LIMIT``
  of them (so one address alone can never slow or lock the account for others). From
  ``LOCKOUT_ACCOUNT_SLOWDOWN`` failures on, each further attempt must wait a delay that
  doubles with every failure (capped at the cool-off); at ``LOCKOUT_ACCOUNT_FAILURES`` the
  account is locked everywhere for the rest of the day, until an administrator lifts it
  (``tirek users unlock``). Only a guesser using many addresses reaches this, and by then
  they have had at most that many guesses in a day.
* **The address, whatever account it names**: ``LOGIN_RATE_PER_MINUTE`` (middleware).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tirek.audit.models import Action
from tirek.audit.services import client_ip, record
from tirek.core.problems import problem_response
from tirek.core.ratelimit import count

DAY = 86_400


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    # allauth passes {"username": ...}; a raw login form posts "login".
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("login") or request.POST.get("login", "")
    return str(name).strip().lower()[:150]


def client_address(request: HttpRequest) -> str | None:
    """The same address the rate limit and the audit log use (None when there is none,
    e.g. a sign-in made by code: django-axes stores it in an IP address column)."""
    return client_ip(request) or None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    message = _(
        "Too many failed sign-in attempts. The account is locked for a while; try again later or ask an administrator."
    )
    if request.path.startswith("/api/"):
        return problem_response(request, 429, message, headers={"Retry-After": "900"})
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


# --- the account-wide layer ---------------------------------------------------------------


def _digest(*parts: str) -> str:
    # Cache keys carry no usernames or addresses in clear.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _day() -> int:
    return int(time.time() // DAY)


def _account_key(username: str) -> str:
    return f"lockout:account:{_day()}:{_digest(username)}"


def _last_failure_key(username: str) -> str:
    return f"lockout:account-last:{_digest(username)}"


def account_failures(username: str) -> int:
    return int(cache.get(_account_key(username)) or 0)


def account_wait_seconds(username: str) -> float:
    """How long attempts on ``username`` must wait from any address (0: not held back)."""
    failures = account_failures(username)
    if failures >= settings.LOCKOUT_ACCOUNT_FAILURES:
        return float(DAY - time.time() % DAY)
    if failures < settings.LOCKOUT_ACCOUNT_SLOWDOWN:
        return 0.0
    cap = settings.AXES_COOLOFF_TIME.total_seconds()
    delay = min(2.0 ** (failures - settings.LOCKOUT_ACCOUNT_SLOWDOWN), cap)
    last = float(cache.get(_last_failure_key(username)) or 0)
    return max(0.0, last + delay - time.time())


def count_account_failure(request: HttpRequest, username: str) -> None:
    """One more failure on ``username``; counted towards the account only up to the
    per-address limit, so that a single address cannot hold the account back for others."""
    if not username:
        return
    from_here = count(
        f"lockout:address:{_day()}:{_digest(client_ip(request), username)}", timeout=DAY
    )
    if from_here > settings.AXES_FAILURE_LIMIT:
        return
    failures = count(_account_key(username), timeout=DAY)
    cache.set(_last_failure_key(username), time.time(), timeout=DAY)
    if failures == settings.LOCKOUT_ACCOUNT_FAILURES:
        record(
            actor=username,
            action=Action.LOCKED_OUT,
            object_type="accounts.user",
            request=request,
            detail={"scope": "account", "failures": failures},
        )


def clear_account_failures(username: str) -> None:
    cache.delete_many([_account_key(username), _last_failure_key(username)])


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler (address and account together) plus the account-wide
    layer above."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return bool(username) and account_wait_seconds(username) > 0

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        username = get_client_username(request, credentials) or ""
        count_account_failure(request, username)
        if username and account_wait_seconds(username) > 0:
            # AxesMiddleware turns this flag into the lockout answer.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
