from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.access.policy import Section
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.core.forms import set_choices
from tirek.core.validation import reject_control_chars
from tirek.organisations.models import Unit

from .services import SHAREABLE_SECTIONS


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj} ({obj.region})"


class RequestForm(forms.Form):
    to_unit = UnitChoiceField(
        label=_("Receiving unit"),
        queryset=Unit.objects.select_related("agency", "region").order_by("agency__name", "name"),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, validators=[reject_control_chars], widget=forms.Textarea
    )
    sections = forms.MultipleChoiceField(
        label=_("Shared with the receiving supervisor before acceptance"),
        help_text=_("Basic information is always shared. Choose only what they need to decide."),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_basis = forms.CharField(
        label=_("Legal basis (only without the person's consent; supervisor)"),
        max_length=2000,
        required=False,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, visible: frozenset[str], exclude_unit: int | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "sections",
            [
                (code, label)
                for code, label in Section.LABELS.items()
                if code in SHAREABLE_SECTIONS and code in visible and code != Section.CORE
            ],
        )
        unit_field = self.fields["to_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        if exclude_unit is not None:
            unit_field.queryset = (
                Unit.objects.select_related("agency", "region")
                .exclude(pk=exclude_unit)
                .order_by("agency__name", "name")
            )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class CaseManagerForm(forms.Form):
    """An answer that accepts: the version read and the case manager in the receiving unit."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    case_manager = StaffChoiceField(label=_("New case manager"), queryset=User.objects.none())

    def __init__(self, *args: Any, unit_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cm = self.fields["case_manager"]
        assert isinstance(cm, forms.ModelChoiceField)
        cm.queryset = (
            User.objects.filter(is_active=True, unit_id=unit_id, roles__role=Role.CASE_MANAGER)
            .distinct()
            .order_by("last_name", "username")
        )


class AcceptForm(CaseManagerForm):
    """One case accepted: also who of its team stays on it."""

    keep = forms.MultipleChoiceField(
        label=_("Keep on the team"),
        help_text=_("Everyone else of the current team loses access when you accept."),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, unit_id: int, team: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, unit_id=unit_id, **kwargs)
        set_choices(self, "keep", [(str(pk), label) for pk, label in team])


class DeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decline_reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        validators=[reject_control_chars],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FamilyRequestForm(RequestForm):
    """The whole family's request: one receiving unit, reason and set of shared sections;
    a legal basis field per member's case (needed only where consent does not cover the
    receiving agency)."""

    def __init__(
        self,
        *args: Any,
        visible: frozenset[str],
        exclude_unit: int | None,
        cases: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, visible=visible, exclude_unit=exclude_unit, **kwargs)
        del self.fields["legal_basis"]
        unit_field = self.fields["to_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        if exclude_unit is None:
            unit_field.queryset = Unit.objects.select_related("agency", "region").order_by(
                "agency__name", "name"
            )
        for case in cases:
            self.fields[f"legal_basis_{case.pk}"] = forms.CharField(
                label=_("Legal basis for %(case)s (only without consent; supervisor)")
                % {"case": case.number},
                max_length=2000,
                required=False,
                validators=[reject_control_chars],
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class FamilyAcceptForm(AcceptForm):
    """A family's transfer accepted: one case manager for all its cases, and who of their
    teams stays on the cases they are on."""
