from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tirek.accounts.models import Competency, User
from tirek.core.validation import reject_control_chars
from tirek.referrals.models import LANGUAGES

from .models import InterviewKind, Matter, Readiness, TimeOfDay

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
VERSION: dict[str, Any] = {"widget": forms.HiddenInput, "min_value": 0, "max_value": 2**31 - 1}


def _text(label: Any, *, required: bool = False, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[reject_control_chars],
        **kwargs,
    )


def certified_interviewers() -> QuerySet[User]:
    """Staff holding a valid child-sensitive interviewing competency right now."""
    now = timezone.now()
    return (
        User.objects.filter(
            is_active=True,
            competencies__competency=Competency.CHILD_INTERVIEWING,
            competencies__revoked_at__isnull=True,
        )
        .filter(Q(competencies__expires_at__isnull=True) | Q(competencies__expires_at__gt=now))
        .select_related("agency")
        .distinct()
        .order_by("last_name", "first_name")
    )


class RequestForm(forms.Form):
    matter = forms.ModelChoiceField(
        label=_("Matter"),
        queryset=Matter.objects.none(),
        required=False,
        empty_label=_("— a new matter —"),
        help_text=_("Choose the matter if the child was interviewed about it before."),
    )
    new_matter = forms.CharField(
        label=_("New matter"),
        max_length=200,
        required=False,
        validators=[reject_control_chars],
        help_text=_("For example: criminal proceeding, guardianship review."),
    )
    new_matter_reference = forms.CharField(
        label=_("File reference"), max_length=100, required=False, validators=[reject_control_chars]
    )
    kind = forms.ChoiceField(label=_("Kind of interview"), choices=InterviewKind.choices)
    requesting_authority = forms.CharField(
        label=_("Requesting authority"), max_length=200, validators=[reject_control_chars]
    )
    purpose = _text(_("Purpose"), required=True)
    legal_basis = _text(_("Legal basis"), required=True, rows=2)
    repeat_justification = _text(
        _("Justification for a repeat interview"),
        help_text=_("Required when the child was already interviewed on this matter."),
    )

    def __init__(self, *args: Any, matters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["matter"]).queryset = matters

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("matter") and not (data.get("new_matter") or "").strip():
            self.add_error("new_matter", _("Choose a matter or name a new one."))
        return data


class ApproveForm(forms.Form):
    version = forms.IntegerField(**VERSION)


class ReadinessForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    readiness = forms.ChoiceField(label=_("Is the child ready?"), choices=Readiness.choices)
    note = _text(_("Note"), rows=2)


class PlanForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"),
        queryset=User.objects.none(),
        help_text=_("Only staff with a valid child-sensitive interviewing competency."),
    )
    scheduled_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_INPUT)
    time_of_day = forms.ChoiceField(
        label=_("Time of day"), choices=[("", "—"), *TimeOfDay.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the interview"), choices=[("", "—"), *LANGUAGES], required=False
    )
    interpreter = forms.CharField(
        label=_("Interpreter"), max_length=200, required=False, validators=[reject_control_chars]
    )
    support_person = forms.CharField(
        label=_("Support person"), max_length=200, required=False, validators=[reject_control_chars]
    )
    room = forms.CharField(
        label=_("Room"), max_length=200, required=False, validators=[reject_control_chars]
    )
    child_friendly_room = forms.BooleanField(label=_("Child-friendly room"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["interviewer"]).queryset = certified_interviewers()
        cast(forms.ModelChoiceField, self.fields["interviewer"]).label_from_instance = lambda u: (  # type: ignore[method-assign,assignment]
            f"{u.get_full_name() or u.username}" + (f" ({u.agency.name})" if u.agency_id else "")
        )


class RecordForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    started_at = forms.DateTimeField(label=_("Started"), widget=DATETIME_INPUT)
    ended_at = forms.DateTimeField(label=_("Ended"), widget=DATETIME_INPUT)
    breaks = forms.IntegerField(label=_("Number of breaks"), min_value=0, max_value=100, initial=0)
    breaks_note = forms.CharField(
        label=_("Breaks"), max_length=300, required=False, validators=[reject_control_chars]
    )
    observers = forms.CharField(
        label=_("Who observed"), max_length=500, required=False, validators=[reject_control_chars]
    )
    recorded = forms.BooleanField(label=_("Audio/video recorded"), required=False)
    recording_reference = forms.CharField(
        label=_("Where the recording is kept"),
        max_length=300,
        required=False,
        validators=[reject_control_chars],
        help_text=_("A reference (storage, case file number), never the file itself."),
    )
    notes = _text(_("Notes"), rows=5)
    summary = _text(pgettext_lazy("interview", "Summary"), rows=4)


class FollowUpForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    follow_up = _text(_("Follow-up support"), required=True)


class CancelForm(forms.Form):
    version = forms.IntegerField(**VERSION)
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, validators=[reject_control_chars]
    )
