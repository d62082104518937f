"""Forms that replace allauth's where Tirek needs more than it gives."""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.utils.translation import gettext_lazy as _


class MfaAuthenticateForm(AuthenticateForm):
    """The second sign-in step. A locked account is refused here too, so someone who
    knows the password cannot keep guessing codes past the lockout."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "placeholder": "123456",
            }
        ),
    )

    def clean_code(self) -> str:
        request = context.request
        if not AxesProxyHandler.is_allowed(request, {"username": self.user.username}):
            raise forms.ValidationError(
                _("Too many failed sign-in attempts. The account is locked for a while."),
                code="locked",
            )
        return super().clean_code()
