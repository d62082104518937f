"""Forms that replace allauth's where Tirek needs more than it gives."""

from __future__ import annotations

from typing import Any, cast

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.organisations.models import Agency, Region, Unit

from .models import User
from .roles import Role


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


class RoleChangeRequestForm(forms.Form):
    """What a system administrator fills in to ask for someone's roles or unit to change."""

    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Staff account"),
        queryset=None,
        widget=forms.Select,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles after the change"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        label=_("Agency"), queryset=None, required=False
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False
    )
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region"), queryset=None, required=False
    )
    reset_two_factor = forms.BooleanField(
        label=_("Reset two-factor authentication (they lost their device)"), required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.filter(
            is_active=True
        ).order_by("username")
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(
            is_active=True
        ).order_by("name")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.select_related(
            "agency"
        ).order_by("name")
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = Region.objects.order_by(
            "path"
        )

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        """Start from the account as it is, so the form shows only what the request changes."""
        return {
            "user": user.pk,
            "roles": sorted(user.roles.values_list("role", flat=True)),
            "agency": user.agency_id,
            "unit": user.unit_id,
            "region": user.region_id,
        }


class RoleChangeDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
