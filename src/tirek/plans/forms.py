"""Forms for the plan, reviews and closure; the services check the rules again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tirek.access import selectors as access
from tirek.accounts.models import User
from tirek.assessments.domains import Domain
from tirek.assessments.models import Assessment
from tirek.cases.models import Case
from tirek.core.validation import reject_control_chars
from tirek.organisations.models import Agency

from .models import (
    CLOSURE_CRITERIA,
    ClosureReason,
    FollowUpOutcome,
    Goal,
    GoalStatus,
    InterventionStatus,
    Progress,
)

CLEAN = [reject_control_chars]


def _date(label: Any, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label: Any, max_length: int, required: bool = False, rows: int = 0) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, validators=CLEAN
    )


class _PeopleMixin:
    fields: dict[str, forms.Field]

    def _people(self, case: Case) -> None:
        team = access.users_on_teams([case]).order_by("last_name", "first_name", "username")
        responsible = cast(forms.ModelChoiceField, self.fields["responsible_user"])
        responsible.queryset = team
        responsible.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]


class GoalForm(_PeopleMixin, forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    title = _text(_("Goal: what should change"), 300, required=True)
    indicator = _text(_("Indicator: how we will know"), 300)
    target_date = _date(_("Target date"))
    responsible_agency = forms.ModelChoiceField(
        label=_("Responsible agency"), queryset=Agency.objects.none(), required=False
    )
    responsible_user = forms.ModelChoiceField(
        label=_("Responsible person (team)"), queryset=User.objects.none(), required=False
    )
    responsible_name = _text(_("or responsible person (name)"), 200)
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)
    progress = forms.TypedChoiceField(
        label=_("Progress"), choices=Progress.choices, coerce=int, initial=0
    )

    def __init__(self, *args: Any, case: Case, goal: Goal | None = None, **kwargs: Any) -> None:
        if goal is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "domain": goal.domain,
                "title": goal.title,
                "indicator": goal.indicator,
                "target_date": goal.target_date,
                "responsible_agency": goal.responsible_agency_id,
                "responsible_user": goal.responsible_user_id,
                "responsible_name": goal.responsible_name,
                "status": goal.status,
                "progress": goal.progress,
            }
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["responsible_agency"]
        ).queryset = Agency.objects.filter(is_active=True)
        self._people(case)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        agency = data.pop("responsible_agency")
        person = data.pop("responsible_user")
        data["responsible_agency_id"] = agency.pk if agency else None
        data["responsible_user_id"] = person.pk if person else None
        return data


class InterventionForm(_PeopleMixin, forms.Form):
    title = _text(_("Intervention or service"), 300, required=True)
    description = _text(_("Details"), 2000, rows=3)
    provider = forms.ModelChoiceField(
        label=_("Provided by"), queryset=Agency.objects.none(), required=False
    )
    responsible_user = forms.ModelChoiceField(
        label=_("Responsible person (team)"), queryset=User.objects.none(), required=False
    )
    responsible_name = _text(_("or responsible person (name)"), 200)
    frequency = _text(_("How often"), 100)
    start_date = _date(_("From"))
    end_date = _date(_("Until"))
    status = forms.ChoiceField(label=_("Status"), choices=InterventionStatus.choices)

    def __init__(self, *args: Any, case: Case, intervention: Any = None, **kwargs: Any) -> None:
        if intervention is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": intervention.title,
                "description": intervention.description,
                "provider": intervention.provider_id,
                "responsible_user": intervention.responsible_user_id,
                "responsible_name": intervention.responsible_name,
                "frequency": intervention.frequency,
                "start_date": intervention.start_date,
                "end_date": intervention.end_date,
                "status": intervention.status,
            }
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["provider"]).queryset = Agency.objects.filter(
            is_active=True
        )
        self._people(case)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        provider = data.pop("provider")
        person = data.pop("responsible_user")
        data["provider_id"] = provider.pk if provider else None
        data["responsible_user_id"] = person.pk if person else None
        return data


class CommentForm(forms.Form):
    comment = _text(_("Comment"), 2000, rows=3)


class ReviewForm(forms.Form):
    held_on = _date(_("Date of review"), required=True)
    assessment = forms.ModelChoiceField(
        label=_("Re-assessment"),
        queryset=Assessment.objects.none(),
        required=False,
        help_text=_("The completed assessment this review looked at."),
    )
    child_views = _text(_("The child's views"), 4000, required=True, rows=3)
    family_views = _text(_("The family's views"), 4000, rows=3)
    decisions = _text(_("Decisions"), 4000, required=True, rows=3)
    next_review_on = _date(_("Next review"), required=False)

    def __init__(self, *args: Any, case: Case, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assessment"]).queryset = (
            Assessment.objects.filter(case=case, status="completed")
            .select_related("instrument_version")
            .order_by("-assessed_on")
        )
        cast(forms.ModelChoiceField, self.fields["assessment"]).label_from_instance = lambda a: (  # type: ignore[method-assign,assignment]
            f"{a.assessed_on:%d.%m.%Y} — {a.instrument_version.display_title}"
        )
        self.goals = goals
        for goal in goals:
            self.fields[f"progress_{goal.pk}"] = forms.TypedChoiceField(
                label=_("Progress"), choices=Progress.choices, coerce=int, initial=goal.progress
            )
            self.fields[f"status_{goal.pk}"] = forms.ChoiceField(
                label=_("Status"), choices=GoalStatus.choices, initial=goal.status
            )
            self.fields[f"comment_{goal.pk}"] = _text(_("Comment"), 1000)

    def goal_rows(self) -> list[tuple[Goal, Any, Any, Any]]:
        return [
            (g, self[f"progress_{g.pk}"], self[f"status_{g.pk}"], self[f"comment_{g.pk}"])
            for g in self.goals
        ]

    def progress(self) -> list[dict[str, Any]]:
        return [
            {
                "goal_id": g.pk,
                "progress": self.cleaned_data[f"progress_{g.pk}"],
                "status": self.cleaned_data[f"status_{g.pk}"],
                "comment": self.cleaned_data[f"comment_{g.pk}"],
            }
            for g in self.goals
        ]


class ClosureRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=ClosureReason.choices)
    explanation = _text(_("Explanation"), 2000, rows=2)
    checklist = forms.MultipleChoiceField(
        label=_("Closure criteria"),
        choices=[(k, v) for k, v in CLOSURE_CRITERIA],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    open_goals_explanation = _text(_("Goals still open: why the case closes anyway"), 2000, rows=2)


class FollowUpForm(forms.Form):
    done_on = _date(_("Date of the follow-up"), required=True)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    notes = _text(_("What was found"), 4000, required=True, rows=3)
    child_views = _text(_("The child's views"), 4000, rows=2)


class ReopenForm(forms.Form):
    reason = _text(_("Why the case is reopened"), 2000, required=True, rows=2)
