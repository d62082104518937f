from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .mfa import has_mfa, mfa_required

if TYPE_CHECKING:
    from tirek.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("Wrong username or password."),
        "incorrect_password": _("Wrong password."),
        "account_inactive": _("This account is disabled."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are provisioned by an administrator (`tirek users create`), never self-made.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password again before two-factor settings change. Right
        after signing in (enrolment, then the recovery codes) that only confuses: a
        sign-in within the re-authentication window counts as recent. A user who has
        no authenticator yet is sent to enrolment and may always finish it."""
        request = context.request
        user = getattr(request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and (not has_mfa(user) or _signed_in_recently(request, user))
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _signed_in_recently(request: HttpRequest, user: User) -> bool:
    from allauth.account import app_settings
    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, user)
    latest = max((float(r.get("at", 0)) for r in records), default=0.0)
    return time.time() - latest < app_settings.REAUTHENTICATION_TIMEOUT


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("Wrong code. Check the time on your phone and try the newest code."),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Someone who must use MFA cannot switch it off; an administrator resets it instead.
        if authenticator.type == Authenticator.Type.TOTP and mfa_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
