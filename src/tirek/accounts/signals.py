"""Logins, failures, lockouts and logouts go to the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.signals import password_changed
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tirek.audit.models import Action
from tirek.audit.services import record

if TYPE_CHECKING:
    from tirek.accounts.models import User


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record(actor=user, action=Action.LOGIN, obj=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action=Action.LOGOUT, obj=user, request=request)


def _attempted_username(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or credentials.get("login") or "")[:150]


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    name = _attempted_username(credentials)
    user = get_user_model().objects.filter(username=name).first()
    # An unknown name is recorded as typed, so probing for accounts shows up too.
    record(
        actor=user or name,
        action=Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_id=user.pk if user else "",
        request=request,
        detail={"step": str(credentials.get("step") or "password")},
    )


@receiver(authentication_failed)
def _second_factor_failed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """A wrong two-factor code on the web counts towards the lockout like a wrong password
    (django-axes listens to ``user_login_failed``), and is audited the same way."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": user.get_username(), "step": "two-factor"},
        request=request,
    )


@receiver(password_changed)
def _password_changed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record(
        actor=user, action=Action.UPDATE, obj=user, request=request, detail={"password": "changed"}
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    record(
        actor=username or "", action=Action.LOCKED_OUT, object_type="accounts.user", request=request
    )


def _mfa_receiver(change: str) -> Any:
    def receiver_(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
        record(
            actor=user,
            action=Action.MFA_CHANGE,
            obj=user,
            request=request,
            detail={"type": authenticator.type, "change": change},
        )

    return receiver_


# Module-level names keep the receivers alive (signals hold weak references).
_mfa_added = _mfa_receiver("added")
_mfa_removed = _mfa_receiver("removed")
_mfa_reset = _mfa_receiver("reset")
authenticator_added.connect(_mfa_added)
authenticator_removed.connect(_mfa_removed)
authenticator_reset.connect(_mfa_reset)
