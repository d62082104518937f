from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.access.policy import PROTECTED_FROM, PROTECTED_SECTIONS, Section
from tirek.accounts.models import User
from tirek.core.validation import reject_control_chars
from tirek.organisations.models import Region, Unit

from .models import LANGUAGES, REFERRAL_ROLES, Provider, Service, ServiceCategory, Urgency
from .services import SHAREABLE_SECTIONS


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, validators=[reject_control_chars]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any"))] + list(ServiceCategory.choices),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), empty_label=_("Any")
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any"))] + LANGUAGES
    )


class ProviderForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, choices=LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions served"),
        queryset=Region.objects.all(),
        help_text=_("A region includes every district under it."),
    )

    class Meta:
        model = Provider
        fields = [
            "agency",
            "unit",
            "name",
            "description",
            "regions",
            "contact_name",
            "phone",
            "email",
            "address",
            "hours",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": _("Name of the provider")}

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(  # type: ignore[misc]
            agency__in=cast(forms.ModelChoiceField, self.fields["agency"]).queryset
        ).select_related("agency")
        if self.instance.pk:
            self.fields["languages"].initial = self.instance.languages
            # The agency of an existing entry does not move; make a new entry instead.
            self.fields["agency"].disabled = True
        else:
            self.fields.pop("is_active")


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "category",
            "name",
            "description",
            "capacity",
            "waiting_days",
            "default_role",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": _("Name of the service")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields.pop("is_active")


# The section a service of each category usually needs, offered as the default choice.
CATEGORY_SECTIONS: dict[str, Any] = {
    ServiceCategory.PSYCHOLOGICAL: Section.PSYCHOLOGICAL,
    ServiceCategory.MEDICAL: Section.HEALTH,
    ServiceCategory.LEGAL_AID: Section.LEGAL,
    ServiceCategory.EDUCATION: Section.EDUCATION,
    ServiceCategory.VOCATIONAL: Section.EDUCATION,
    ServiceCategory.BENEFITS: Section.SOCIAL,
    ServiceCategory.HOUSING: Section.SOCIAL,
    ServiceCategory.RELIGIOUS: Section.COUNSELLING,
    ServiceCategory.FAMILY_MEDIATION: Section.FAMILY,
}


class ReferralForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role of the receiving worker on the case"), choices=REFERRAL_ROLES
    )
    to_user = forms.ModelChoiceField(
        label=_("Receiving worker"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone at the provider in that role"),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    sections = forms.MultipleChoiceField(
        label=_("Information shared"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Share the minimum the receiver needs. Basic information is always shared."),
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_control_chars],
    )
    legal_basis = forms.CharField(
        label=_("Legal basis (when consent does not cover this referral)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_control_chars],
        help_text=_("Only the case's supervisor may record it. It is audited."),
    )

    def __init__(
        self,
        *args: Any,
        service: Service,
        visible_sections: frozenset[str],
        may_record_legal_basis: bool,
        protected: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.protected = protected
        provider = service.provider
        receivers = User.objects.filter(
            is_active=True, agency=provider.agency, roles__role__in=[r for r, _l in REFERRAL_ROLES]
        )
        if provider.unit_id:
            receivers = receivers.filter(unit_id=provider.unit_id)
        to_user = cast(forms.ModelChoiceField, self.fields["to_user"])
        to_user.queryset = receivers.distinct().order_by("last_name", "first_name")
        to_user.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]
        cast(forms.ChoiceField, self.fields["sections"]).choices = [
            (key, label)
            for key, label in Section.LABELS.items()
            if key in SHAREABLE_SECTIONS and key in visible_sections and key != Section.CORE
        ]
        if service.default_role:
            self.fields["role"].initial = service.default_role
        default = CATEGORY_SECTIONS.get(service.category)
        if default and default in visible_sections:
            self.fields["sections"].initial = [default]
        if not may_record_legal_basis:
            self.fields.pop("legal_basis")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        role = data.get("role")
        chosen = set(data.get("sections") or [])
        if self.protected and role in PROTECTED_FROM and chosen & PROTECTED_SECTIONS:
            self.add_error(
                "sections",
                _(
                    "While the case is protected, return history and family are not shared "
                    "with this role."
                ),
            )
        to_user = data.get("to_user")
        if to_user is not None and role and not to_user.has_role(role):
            self.add_error("to_user", _("This worker does not hold the chosen role."))
        return data


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
    )


class OutcomeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
