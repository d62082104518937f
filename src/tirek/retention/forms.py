from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tirek.core.validation import reject_control_chars
from tirek.privacy.forms import DateInput

from .models import HoldScope, Outcome, RequesterKind, RequestKind


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


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    case_number = forms.CharField(
        label=_("Case number of the person"),
        max_length=32,
        error_messages={"required": _("No case has this number.")},
    )
    requester_kind = forms.ChoiceField(label=_("Who asks"), choices=RequesterKind.choices)
    requester_name = forms.CharField(
        label=_("Name of the requester"),
        max_length=200,
        required=False,
        validators=[reject_control_chars],
    )
    received_on = forms.DateField(
        label=_("Received"),
        widget=DateInput(),
        error_messages={
            "required": _("Give the day the request was received (not in the future).")
        },
    )
    language = forms.ChoiceField(label=_("Language of the reply"), choices=settings.LANGUAGES)
    details = forms.CharField(
        label=_("What is asked"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    outcome_note = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        validators=[reject_control_chars],
        error_messages={"required": _("Say what was done.")},
    )
