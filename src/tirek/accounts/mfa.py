"""Who must use two-factor authentication, and checking a code outside allauth's views."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser


def mfa_exempt(user: AbstractBaseUser) -> bool:
    """Only demo accounts, and only while the installation runs in demo mode."""
    return bool(settings.DEMO_MODE and getattr(user, "is_demo", False))


def mfa_required(user: AbstractBaseUser) -> bool:
    # Every staff account sees personal data of some kind, so all must use MFA.
    return not mfa_exempt(user)


def has_mfa(user: AbstractBaseUser) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def verify_code(user: AbstractBaseUser, code: str) -> bool:
    """A current TOTP code or an unused recovery code."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return False
    for authenticator in Authenticator.objects.filter(user=user):
        if authenticator.type == Authenticator.Type.TOTP and TOTP(authenticator).validate_code(
            code
        ):
            return True
        if authenticator.type == Authenticator.Type.RECOVERY_CODES and RecoveryCodes(
            authenticator
        ).validate_code(code):
            return True
    return False
