from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.access import policy
from tirek.accounts.models import User
from tirek.accounts.roles import CASEWORK_ROLES, Role
from tirek.core.validation import reject_control_chars

from .models import CaseStatus, NoteKind, Phase, RiskLevel


class DateInput(forms.DateInput):
    """A browser date picker; it only takes ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs, format or "%Y-%m-%d")


def _blank(choices: list[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


ANY = pgettext_lazy("case filter: status, phase, risk level or region", "Any")


class ListSelect(forms.Select):
    """A plain ``<select>`` drawn in Python: the same markup as Django's template-drawn
    select (no option groups), without an ``{% include %}`` per option and per attribute
    (the case list's filters have about forty options, on every load of the list)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        wanted = set(self.format_value(value))
        options = []
        for choice, label in self.choices:
            if str(choice) in wanted:
                wanted.clear()  # one selected option, as Django's select
                options.append(
                    format_html('<option value="{}" selected>{}</option>', choice, label)
                )
            else:
                options.append(format_html('<option value="{}">{}</option>', choice, label))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            format_html_join("", "{}", ((option,) for option in options)),
        )


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search cases"),
        required=False,
        max_length=100,
        validators=[reject_control_chars],
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Case number or name")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank(CaseStatus.choices, ANY),
        widget=ListSelect,
    )
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=_blank(Phase.choices, ANY), widget=ListSelect
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"),
        required=False,
        choices=_blank(RiskLevel.choices, ANY),
        widget=ListSelect,
    )
    region = forms.ChoiceField(label=_("Region"), required=False, widget=ListSelect)
    scope = forms.ChoiceField(label=_("Cases"), required=False, widget=ListSelect)

    def __init__(self, *args: Any, user: User, regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = _blank(regions, ANY)
        scopes: list[tuple[str, Any]] = [("", _("All I may see")), ("mine", _("On my team"))]
        if user.has_role(Role.SUPERVISOR):
            scopes.append(("unit", _("My unit")))
        cast(forms.ChoiceField, self.fields["scope"]).choices = scopes
        if not user.has_role(
            Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SUPERVISOR
        ):
            # Roles that never see the risk level are not offered the filter.
            del self.fields["risk_level"]


class CaseEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    protected_identity = forms.BooleanField(
        label=_("Protected identity (hide return history from school and health staff)"),
        required=False,
    )
    country_returned_from = forms.CharField(
        label=_("Country returned from"),
        required=False,
        max_length=100,
        validators=[reject_control_chars],
    )
    return_date = forms.DateField(label=_("Date of return"), required=False, widget=DateInput)
    return_history = forms.CharField(
        label=_("Return history"),
        required=False,
        max_length=20000,
        validators=[reject_control_chars],
        widget=forms.Textarea,
    )

    SECTION_OF = {
        "risk_level": policy.Section.PLAN,
        "country_returned_from": policy.Section.RETURN_HISTORY,
        "return_date": policy.Section.RETURN_HISTORY,
        "return_history": policy.Section.RETURN_HISTORY,
    }

    def __init__(self, *args: Any, sections: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, section in self.SECTION_OF.items():
            if section not in sections:
                del self.fields[name]
        # "Transferred" is set by the transfer form only.
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            c for c in CaseStatus.choices if c[0] != CaseStatus.TRANSFERRED
        ] + (
            [(CaseStatus.TRANSFERRED, CaseStatus.TRANSFERRED.label)]
            if self.initial.get("status") == CaseStatus.TRANSFERRED
            else []
        )


def casework_staff() -> Any:
    return (
        User.objects.filter(is_active=True, roles__role__in=CASEWORK_ROLES)
        .exclude(roles__role=Role.ADMIN)
        .select_related("agency")
        .distinct()
        .order_by("agency__name", "last_name", "first_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        agency = f" — {obj.agency.name}" if obj.agency else ""
        return f"{obj.get_full_name() or obj.username}{agency}"


class TeamAddForm(forms.Form):
    user = StaffChoiceField(label=_("Professional"), queryset=User.objects.none())
    role = forms.ChoiceField(
        label=_("Role on this case"),
        choices=[(r.value, r.label) for r in Role if r in CASEWORK_ROLES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["user"]).queryset = casework_staff()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=NoteKind.choices)
    section = forms.ChoiceField(label=_("Who may read it (section)"))
    occurred_on = forms.DateField(label=_("Date of contact"), widget=DateInput)
    narrative = forms.CharField(
        label=_("Note text"),
        max_length=20000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    files = MultipleFileField(label=_("Attachments (PDF, PNG, JPEG)"), required=False)  # type: ignore[assignment]  # a form field, not BaseForm.files
    third_party = forms.BooleanField(
        label=_("Contains information about other people (third-party)"),
        help_text=_("Withheld from the person's own subject-access report."),
        required=False,
    )

    def __init__(self, *args: Any, sections: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["section"]).choices = [
            (s, policy.Section.LABELS[s]) for s in sections
        ]


class NoteEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    occurred_on = forms.DateField(label=_("Date of contact"), widget=DateInput)
    narrative = forms.CharField(
        label=_("Note text"),
        max_length=20000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    third_party = forms.BooleanField(
        label=_("Contains information about other people (third-party)"),
        help_text=_("Withheld from the person's own subject-access report."),
        required=False,
    )
