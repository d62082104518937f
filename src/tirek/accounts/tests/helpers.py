"""Helpers for sign-in tests: TOTP codes as an authenticator app computes them."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from tirek.accounts.models import User

SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105  (a test authenticator's key)


def totp_code(secret: str = SECRET, *, offset: int = 0) -> str:
    """The current code of an authenticator app; waits out the last second of a period
    so the server checks it in the same 30-second window."""
    if 30 - time.time() % 30 < 1.0:
        time.sleep(1.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def enrol(user: User, secret: str = SECRET) -> list[str]:
    """Give ``user`` an authenticator app and recovery codes; returns the codes."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    return RecoveryCodes.activate(user).generate_codes()


def password_step(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"login": username, "password": password})
