"""POST /api/v1/auth/token and friends."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from tirek.core.http import AuthenticatedHttpRequest

from . import services
from .mfa import has_mfa, mfa_required, verify_code
from .middleware import login_rate_limit

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=1024)
    otp: str | None = Field(None, max_length=32)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    agency: str | None
    region: str | None


@router.post("/token", auth=None, response={200: TokenOut})
def token_create(request: HttpRequest, payload: TokenIn) -> TokenOut:
    login_rate_limit(request)
    credentials = {"username": payload.username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise HttpError(
            429, _("Too many failed sign-in attempts. The account is locked for a while.")
        )
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, _("Wrong username or password."))
    if user.must_change_password:
        raise HttpError(403, _("Choose a password of your own in the web application first."))
    if mfa_required(user):
        if not has_mfa(user):
            raise HttpError(
                403, _("Set up two-factor authentication in the web application first.")
            )
        if not verify_code(user, payload.otp or ""):
            # A wrong second factor counts towards the lockout like a wrong password.
            user_login_failed.send(
                sender=__name__,
                credentials={**credentials, "step": "two-factor"},
                request=request,
            )
            raise HttpError(401, _("A valid two-factor code (otp) is required."))
    key, token = services.api_token_issue(user=user, request=request)
    return TokenOut(token=key, expires_at=token.expires_at)


@router.delete("/token", response={204: None})
def token_revoke(request: AuthenticatedHttpRequest) -> Status:
    """Revoke the token this request was made with."""
    services.api_token_revoke(
        token=request.user.current_api_token,
        by=request.user,
        request=request,
    )
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: AuthenticatedHttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        id=cast(int, user.pk),
        username=user.username,
        full_name=user.get_full_name(),
        roles=sorted(user.role_set),
        agency=user.agency.name if user.agency else None,
        region=user.region.name if user.region else None,
    )
