from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.core.forms import set_choices

from .models import ContactKind, ContactStatus, Status, SupportKind


class DateInput(forms.DateInput):
    input_type = "date"


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Legal status"), choices=Status.choices)
    institution = forms.CharField(
        label=_("Institution or probation service"), max_length=200, required=False
    )
    contact = forms.CharField(
        label=_("Probation or institution contact"), max_length=200, required=False
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    next_review = forms.DateField(label=_("Next review"), required=False, widget=DateInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConditionForm(forms.Form):
    text = forms.CharField(label=_("Condition"), widget=forms.Textarea(attrs={"rows": 2}))
    review_date = forms.DateField(label=_("Review date"), required=False, widget=DateInput)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ContactStatus.choices)
    on_date = forms.DateField(label=_("Date"), widget=DateInput)
    with_whom = forms.CharField(label=_("With whom"), max_length=200)
    accompanied_by = forms.CharField(
        label=_("Who accompanies the child"), max_length=200, required=False
    )
    child_reaction = forms.CharField(
        label=_("The child's reaction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        """``kinds``: the kinds the user may record (the others are not offered)."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            set_choices(
                self, "kind", [(k, label) for k, label in SupportKind.choices if k in kinds]
            )

    provider = forms.CharField(label=_("Provider"), max_length=200)
    start_date = forms.DateField(label=_("From"), widget=DateInput)
    end_date = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- updating the legal status (each form one kind of change, with its legal basis) -------


class _UpdateForm(forms.Form):
    on_date = forms.DateField(label=_("Date"), widget=DateInput)
    legal_basis = forms.CharField(
        label=_("Legal basis (decision, number and date)"), max_length=300
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _ConditionChoice(_UpdateForm):
    condition = forms.ChoiceField(label=_("Condition"))

    def __init__(self, *args: Any, conditions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "condition", [("", "—"), *conditions])
        self.order_fields(["condition", "on_date", "legal_basis", "note"])


class LiftForm(_ConditionChoice):
    pass


class ModifyForm(_ConditionChoice):
    text = forms.CharField(
        label=_("New text of the condition"),
        required=False,
        help_text=_("Leave empty to keep the text; the same for the review date."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_date = forms.DateField(label=_("Review date"), required=False, widget=DateInput)


class ReviewForm(_UpdateForm):
    next_review = forms.DateField(label=_("Next review"), required=False, widget=DateInput)


class ContactUpdateForm(_UpdateForm):
    institution = forms.CharField(
        label=_("Institution or probation service"), max_length=200, required=False
    )
    contact = forms.CharField(
        label=_("Probation or institution contact"), max_length=200, required=False
    )
