from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Action


class AuditFilterForm(forms.Form):
    case = forms.CharField(label=_("Case number"), required=False, max_length=32)
    actor = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=150,
        help_text=_("Name or user name of the staff member"),
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any"))] + list(Action.choices)
    )
    object_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    date_from = forms.DateField(
        label=pgettext_lazy("date", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [("", _("Any")), *kinds]
