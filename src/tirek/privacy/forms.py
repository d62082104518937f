from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.validation import reject_control_chars
from tirek.organisations.models import Agency

from .conf import emergency_justification_min_length
from .models import ConsentKind, GivenBy, Purpose, ReviewOutcome


class DateInput(forms.DateInput):
    """A browser date picker; it only takes ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format or "%Y-%m-%d")


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=GivenBy.choices, widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ConsentKind.choices,
        initial=ConsentKind.CONSENT,
        widget=forms.RadioSelect,
    )
    giver_name = forms.CharField(
        label=_("Name of the person giving it"),
        required=False,
        max_length=200,
        validators=[reject_control_chars],
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipient agencies (none chosen: information goes to no agency)"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)
    override_reason = forms.CharField(
        label=_("Reason, if this departs from the default for the person's age"),
        required=False,
        max_length=500,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Note (who withdrew it, how)"),
        required=False,
        max_length=500,
        validators=[reject_control_chars],
    )


class EmergencyAccessForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"), max_length=32, validators=[reject_control_chars]
    )
    justification = forms.CharField(
        label=_("Why you need this case now"),
        max_length=2000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.CharField, self.fields["justification"]
        ).min_length = emergency_justification_min_length()
        self.fields["justification"].widget.attrs["minlength"] = str(
            emergency_justification_min_length()
        )


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EmergencyExtensionForm(forms.Form):
    """A supervisor lets a professional from another region or agency break the glass on
    the unit's cases for a few hours."""

    username = forms.CharField(
        label=_("User name of the professional"), max_length=150, validators=[reject_control_chars]
    )
    hours = forms.IntegerField(label=_("For how many hours"), min_value=1, max_value=72, initial=24)
    reason = forms.CharField(
        label=_("Why they may need it"),
        max_length=2000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
