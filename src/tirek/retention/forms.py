from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.core.validation import reject_control_chars
from tirek.privacy.forms import DateInput

from .models import HoldScope


class HoldForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=32)
    scope = forms.ChoiceField(
        label=_("The hold covers"),
        choices=HoldScope.choices,
        initial=HoldScope.CASE,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Say why without naming anyone: the hold refers to the case by its number."),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
        error_messages={"required": _("Give the reason for the hold.")},
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        validators=[reject_control_chars],
        error_messages={"required": _("Give the legal basis of the hold.")},
    )
    until = forms.DateField(
        label=_("Until (empty: until lifted)"), required=False, widget=DateInput()
    )


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label=_("Why the hold is lifted"),
        max_length=500,
        validators=[reject_control_chars],
        error_messages={"required": _("Say why the hold is lifted.")},
    )
