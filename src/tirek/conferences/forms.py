from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.access import selectors as access
from tirek.access.policy import visible_cases
from tirek.accounts.models import User
from tirek.accounts.roles import Role
from tirek.cases.models import Case
from tirek.core.validation import reject_control_chars

from .models import ActionStatus, Attendance, ConferenceStatus

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def managed_cases(user: User) -> QuerySet[Case]:
    """Open cases the user manages (case manager on the team, or supervisor of the unit)."""
    condition = access.on_team(user, "pk", [Role.CASE_MANAGER]) | access.supervised_q(user, "")
    return (
        visible_cases(user)
        .filter(condition)
        .exclude(status="closed")
        .select_related("person")
        .order_by("number")
    )


def team_users(cases: Any) -> QuerySet[User]:
    return access.users_on_teams(cases).order_by("last_name", "first_name", "username")


def _user_label(user: User) -> str:
    agency = f" ({user.agency.name})" if user.agency_id and user.agency else ""
    return f"{user.get_full_name() or user.username}{agency}"


class ConferenceForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(
        label=_("Cases"),
        queryset=Case.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose several cases for a family conference."),
    )
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_INPUT)
    location = forms.CharField(
        label=_("Place"), max_length=200, required=False, validators=[reject_control_chars]
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_control_chars],
    )
    invite_team = forms.BooleanField(label=_("Invite the case teams"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cases = cast(forms.ModelChoiceField, self.fields["cases"])
        cases.queryset = managed_cases(user)
        cases.label_from_instance = lambda c: f"{c.number} · {c.person.initials}"  # type: ignore[method-assign,assignment]


class MinutesForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_INPUT)
    location = forms.CharField(
        label=_("Place"), max_length=200, required=False, validators=[reject_control_chars]
    )
    status = forms.ChoiceField(label=_("Status"), choices=ConferenceStatus.choices)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
    )
    child_views = forms.CharField(
        label=_("The child's views"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
        help_text=_("In the child's own words where possible."),
    )
    family_views = forms.CharField(
        label=_("The family's views"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_control_chars],
    )


class ParticipantForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— someone from outside Tirek —"),
    )
    name = forms.CharField(
        label=_("Name (someone from outside Tirek)"),
        max_length=200,
        required=False,
        validators=[reject_control_chars],
    )
    organisation = forms.CharField(
        label=_("Agency or organisation"),
        max_length=200,
        required=False,
        validators=[reject_control_chars],
    )
    capacity = forms.CharField(
        label=_("In the capacity of"),
        max_length=200,
        required=False,
        validators=[reject_control_chars],
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = team_users(
            cases
        ).select_related("agency")
        cast(forms.ModelChoiceField, self.fields["user"]).label_from_instance = _user_label  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("user") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a staff member or write a name."))
        return data


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)


class ActionForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Case"), queryset=Case.objects.none())
    description = forms.CharField(
        label=pgettext_lazy("conference", "Action"),
        max_length=500,
        validators=[reject_control_chars],
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due"), widget=DATE_INPUT)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = cast(forms.ModelChoiceField, self.fields["case"])
        case.queryset = cases
        case.label_from_instance = lambda c: f"{c.number} · {c.person.initials}"  # type: ignore[method-assign,assignment]
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = team_users(
            cases
        ).select_related("agency")
        cast(forms.ModelChoiceField, self.fields["owner"]).label_from_instance = _user_label  # type: ignore[method-assign,assignment]


class ActionCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    status = forms.ChoiceField(
        choices=[(ActionStatus.DONE, _("Done")), (ActionStatus.CANCELLED, _("Cancelled"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, validators=[reject_control_chars]
    )
