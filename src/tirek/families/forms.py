from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.core.forms import set_choices
from tirek.core.validation import reject_control_chars, require_letter, strip_invisible
from tirek.people.forms import DateInput
from tirek.people.models import Sex, check_birth_date

from .models import GoalArea, MemberRole


def reject_invisible(value: str) -> None:
    """A name or label with characters that do not show (zero-width spaces, direction
    overrides) is refused with a clear message instead of being stored or silently
    changed: the worker sees what was pasted and retypes it."""
    if isinstance(value, str) and strip_invisible(value) != unicodedata.normalize("NFC", value):
        raise forms.ValidationError(
            _("This text contains invisible characters (copied from elsewhere?): retype it."),
            code="invisible",
        )


def text(
    label: Any, *, required: bool = True, max_length: int = 100, rows: int | None = None
) -> forms.CharField:
    """A text field of the family's forms; ``rows``: a text area of that many rows."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=True,
        validators=[reject_control_chars, reject_invisible],
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
    )


class FamilyRegisterForm(forms.Form):
    label = text(_("Family (household label)"), max_length=200)
    case_manager = forms.ChoiceField(label=_("Case manager of every member's case"))
    guardianship = text(_("Guardianship arrangements"), required=False, max_length=1000, rows=2)

    def __init__(self, *args: Any, managers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].help_text = _("Not a child's name: e.g. 'Family returned in 2025'.")
        set_choices(self, "case_manager", managers)


class MemberForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Place in the family"), choices=[("", "—"), *MemberRole.choices]
    )
    family_name = text(_("family name"))
    given_name = text(_("given name"))
    patronymic = text(_("patronymic"), required=False)
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(
        label=_("date of birth"), widget=DateInput(), validators=[check_birth_date]
    )
    birth_date_estimated = forms.BooleanField(label=_("estimated"), required=False)
    # Filled after the duplicate check: "same:<id>" or "different".
    decision = forms.CharField(required=False, max_length=40)
    dismiss_reason = forms.CharField(
        label=_("Why is this a different person?"),
        required=False,
        max_length=500,
        validators=[reject_control_chars],
    )

    def clean_family_name(self) -> str:
        value: str = self.cleaned_data["family_name"]
        require_letter(value)
        return value

    def clean_given_name(self) -> str:
        value: str = self.cleaned_data["given_name"]
        require_letter(value)
        return value


MemberFormSet = forms.formset_factory(MemberForm, extra=5, max_num=12, absolute_max=12)


class GoalForm(forms.Form):
    area = forms.ChoiceField(label=_("area"), choices=GoalArea.choices)
    title = text(_("goal"), max_length=300)
    target_date = forms.DateField(label=_("target date"), required=False, widget=DateInput())
    linked_goals = forms.MultipleChoiceField(
        label=_("Linked goals of the members' plans"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, goals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "linked_goals", goals)


class TaskForm(forms.Form):
    goal = forms.ChoiceField(label=_("goal"))
    title = text(_("task"), max_length=300)
    owner = forms.ChoiceField(label=_("owner"))
    due_date = forms.DateField(label=_("due"), widget=DateInput())

    def __init__(
        self, *args: Any, goals: list[tuple[str, str]], owners: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("goal", goals), ("owner", owners)):
            set_choices(self, name, choices)


class CommunityWorkerForm(forms.Form):
    user = forms.ChoiceField(label=_("Community worker"))

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "user", workers)


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"), required=False, max_length=2000, validators=[reject_control_chars]
    )


class ConferenceForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(
        label=_("place"), required=False, max_length=200, validators=[reject_control_chars]
    )


# --- editing a family after registration ------------------------------------------------

STALE_FORM = _("This form is out of date or damaged: reload the page and try again.")


def version_field() -> forms.IntegerField:
    """The version of the family the form was read at (``tirek.core.versioning``)."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM, "min_value": STALE_FORM},
    )


class FamilyEditForm(forms.Form):
    version = version_field()
    label = text(_("Family (household label)"), max_length=200)
    household_label = text(_("Household"), required=False, max_length=200)
    household_locality = text(_("town or village"), required=False, max_length=200)
    guardianship = text(_("Guardianship arrangements"), required=False, max_length=1000, rows=2)
    shared_goals = text(_("The family's shared goals"), required=False, max_length=2000, rows=3)


class MemberAddForm(forms.Form):
    version = version_field()
    person = forms.ChoiceField(label=_("Person (a relative already on file)"))
    role = forms.ChoiceField(
        label=_("Place in the family"), choices=[("", "—"), *MemberRole.choices]
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "person", [("", "—"), *people])


class MemberRemoveForm(forms.Form):
    version = version_field()
    member = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE_FORM, "invalid": STALE_FORM, "min_value": STALE_FORM},
    )
