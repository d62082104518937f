from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.core.forms import set_choices

from .models import IncidentType, Place


class DateInput(forms.DateInput):
    input_type = "date"


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentType.choices)
    place = forms.ChoiceField(label=_("Where"), choices=Place.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput)
    reported_by = forms.CharField(label=_("Who reported it"), max_length=200)
    description = forms.CharField(
        label=_("What happened, in short"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    other_cases = forms.CharField(
        label=_("Other cases concerned (case numbers, comma separated)"),
        required=False,
        max_length=500,
    )
    child_account = forms.CharField(
        label=_("The child's own account"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    account_interview = forms.IntegerField(
        label=_("Number of the interview in which the child spoke"), required=False, min_value=1
    )
    account_trusted_adult = forms.CharField(
        label=_("Trusted adult present"), max_length=200, required=False
    )
    account_consent = forms.BooleanField(
        label=_("Consent to talk with the child recorded"), required=False
    )


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=[])
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, data: Any = None, *, owners: list[tuple[int, str]]) -> None:
        super().__init__(data)
        set_choices(self, "owner", owners)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
