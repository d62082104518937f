from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.core.validation import reject_control_chars

from .choices import COUNTRIES, LANGUAGES
from .models import (
    IdentityDocument,
    LegalBasis,
    NameKind,
    Person,
    RelationshipKind,
    Sex,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _blank(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


# The fields that say who a person is, in the order the form shows them.
IDENTITY_FIELDS = (
    "family_name",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_date_estimated",
    "iin",
)
# Fields whose change re-runs the duplicate check on the registration screen.
CHECKED_FIELDS = (*IDENTITY_FIELDS, "other_spellings")


class PersonForm(forms.ModelForm):  # type: ignore[type-arg]
    """Identity fields; the model's own validation (IIN check digit, dates) applies."""

    birth_country = forms.ChoiceField(
        label=_("country of birth"), required=False, choices=_blank(COUNTRIES)
    )
    citizenship = forms.ChoiceField(
        label=_("citizenship"), required=False, choices=_blank(COUNTRIES)
    )
    languages = forms.MultipleChoiceField(
        label=_("languages spoken"),
        required=False,
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = [
            *IDENTITY_FIELDS,
            "birth_place",
            "birth_country",
            "citizenship",
            "citizenship_status",
            "no_documents",
            "languages",
        ]
        widgets = {
            "birth_date": DateInput(),
            "iin": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "birth_date": _("If only the year or month is known, enter the 1st and say so below."),
            "patronymic": _("Leave empty if there is none."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sex"].initial = Sex.UNKNOWN
        for name in ("given_name", "family_name", "patronymic", "birth_place"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        if self.instance.pk is None:
            self.fields["languages"].initial = []


class RegisterForm(PersonForm):
    other_spellings = forms.CharField(
        label=_("Other spellings of the name"),
        help_text=_("One per line, in any script: as in documents, as the family says it."),
        required=False,
        max_length=2000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Filled from the duplicate check: "same:<id>" or "different".
    decision = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    dismiss_reason = forms.CharField(
        label=_("Why is this a different person?"),
        required=False,
        max_length=500,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta(PersonForm.Meta):
        pass

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in CHECKED_FIELDS:
            self.fields[name].widget.attrs["data-dupcheck"] = ""

    def spellings(self) -> list[str]:
        text = self.cleaned_data.get("other_spellings") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return [line[:200] for line in dict.fromkeys(lines)][:20]


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(PersonForm.Meta):
        pass

    def __init__(self, *args: Any, editable: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in editable:
                del self.fields[name]


class NameForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of name"), choices=NameKind.choices)
    value = forms.CharField(label=_("Name"), max_length=200, validators=[reject_control_chars])


class DocumentForm(forms.ModelForm):  # type: ignore[type-arg]
    country = forms.ChoiceField(
        label=_("country of issue"), required=False, choices=_blank(COUNTRIES)
    )

    class Meta:
        model = IdentityDocument
        fields = ["doc_type", "number", "issuer", "country", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"))


class RelativeForm(forms.Form):
    """Link an existing record (one the user may open) or register the relative."""

    kind = forms.ChoiceField(label=_("Relationship"), choices=RelationshipKind.choices)
    relative_id = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    # A new relative: names and date of birth are enough to start.
    family_name = forms.CharField(
        label=_("family name"), required=False, max_length=100, validators=[reject_control_chars]
    )
    given_name = forms.CharField(
        label=_("given name"), required=False, max_length=100, validators=[reject_control_chars]
    )
    patronymic = forms.CharField(
        label=_("patronymic"), required=False, max_length=100, validators=[reject_control_chars]
    )
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(label=_("date of birth"), required=False, widget=DateInput())
    birth_date_estimated = forms.BooleanField(label=_("date of birth is estimated"), required=False)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), required=False, choices=_blank(LegalBasis.choices)
    )
    basis_reference = forms.CharField(
        label=_("Decision number and date"),
        required=False,
        max_length=200,
        validators=[reject_control_chars],
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, validators=[reject_control_chars]
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("relative_id") and not (
            (data.get("given_name") or "").strip() and (data.get("family_name") or "").strip()
        ):
            raise forms.ValidationError(
                _("Choose a person from the search, or enter the relative's given and family name.")
            )
        return data


class HouseholdForm(forms.Form):
    label = forms.CharField(
        label=_("Household"),
        max_length=200,
        validators=[reject_control_chars],
        help_text=_("For example: grandmother's home."),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    locality = forms.CharField(
        label=_("Town or village"),
        required=False,
        max_length=200,
        validators=[reject_control_chars],
    )
    members = forms.MultipleChoiceField(
        label=_("Also living there"), required=False, widget=forms.CheckboxSelectMultiple
    )
    head = forms.ChoiceField(label=_("Head of household"), required=False)
    since = forms.DateField(label=_("Lives there since"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = _blank(regions)
        cast(forms.ChoiceField, self.fields["members"]).choices = people
        cast(forms.ChoiceField, self.fields["head"]).choices = _blank(people)


class MergeRequestForm(forms.Form):
    duplicate_id = forms.IntegerField(
        label=_("Record number of the duplicate"), min_value=1, max_value=2**63 - 1
    )
    reason = forms.CharField(
        label=_("Why are they one person?"),
        max_length=1000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Merge the records")), ("reject", _("They are different people"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
