"""Forms built from an instrument definition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tirek.core.validation import reject_control_chars

from .definitions import Definition, DomainSpec, Question, localised
from .models import Assessment, InstrumentVersion
from .services import OWN_VIEWS_MAX

PREFIX = "q_"


class StartForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Instrument"))
    assessed_on = forms.DateField(
        label=_("Date of assessment"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, versions: list[InstrumentVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            (v.instrument.code, v.display_title) for v in versions
        ]


@dataclass
class DomainBlock:
    domain: DomainSpec
    fields: list[forms.BoundField]
    fillable: bool


def _field_for(question: Question) -> forms.Field:
    label = question.text
    help_text = question.help
    kind = question.type
    if kind == "single":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            widget=forms.RadioSelect,
            choices=[(o["value"], localised(o["label"])) for o in question.options],
        )
    if kind == "multiple":
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(o["value"], localised(o["label"])) for o in question.options],
        )
    if kind == "scale":
        low, high = int(question.spec["min"]), int(question.spec["max"])
        anchors = question.spec.get("anchors") or {}
        choices = []
        for value in range(low, high + 1):
            text = str(value)
            if value == low and "min" in anchors:
                text = f"{value} — {localised(anchors['min'])}"
            elif value == high and "max" in anchors:
                text = f"{value} — {localised(anchors['max'])}"
            choices.append((str(value), text))
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            widget=forms.RadioSelect,
            choices=choices,
        )
    if kind == "yes_no":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            widget=forms.RadioSelect,
            choices=[("yes", _("Yes")), ("no", _("No"))],
        )
    if kind == "number":
        return forms.CharField(
            label=label,
            help_text=help_text,
            required=False,
            max_length=20,
            widget=forms.NumberInput(
                attrs={"min": question.spec["min"], "max": question.spec["max"], "step": "any"}
            ),
        )
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=int(question.spec.get("max_length", 2000)),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_control_chars],
    )


def _initial(question: Question, value: Any) -> Any:
    if value is None:
        return None
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type in ("scale", "number"):
        return str(value)
    return value


class AnswersForm(forms.Form):
    """Every applicable question of the instrument; domains the user may not fill are
    left out entirely so their answers never reach the page."""

    assessed_on = forms.DateField(
        label=_("Date of assessment"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    own_views = forms.CharField(
        label=_("The person's own views, in their words"),
        help_text=_("Required to complete: what the person says about their situation and wishes."),
        required=False,
        max_length=OWN_VIEWS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_control_chars],
    )
    remarks = forms.CharField(
        label=_("Remarks (e.g. parts left for a colleague)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_control_chars],
    )

    def __init__(
        self,
        *args: Any,
        assessment: Assessment,
        definition: Definition,
        age: int | None,
        fillable: set[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.fillable = fillable
        self.domain_specs = definition.applicable(age)
        answers = assessment.answers
        self.fields["assessed_on"].initial = assessment.assessed_on
        self.fields["own_views"].initial = assessment.own_views
        self.fields["remarks"].initial = assessment.remarks
        for domain in self.domain_specs:
            if domain.code not in fillable:
                continue
            for question in domain.questions:
                field = _field_for(question)
                field.initial = _initial(question, answers.get(question.code))
                self.fields[PREFIX + question.code] = field

    def blocks(self) -> list[DomainBlock]:
        return [
            DomainBlock(
                domain=d,
                fields=[
                    self[PREFIX + q.code] for q in d.questions if PREFIX + q.code in self.fields
                ],
                fillable=d.code in self.fillable,
            )
            for d in self.domain_specs
        ]

    def raw_answers(self) -> dict[str, Any]:
        """Answers for the service: every shown question, blank ones as null (clears them)."""
        answers: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith(PREFIX):
                continue
            answers[name[len(PREFIX) :]] = value if value not in ("", []) else None
        return answers

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        questions = self.definition.questions()
        for name, messages in errors.items():
            code = name.split(".", 1)[1] if name.startswith("answers.") else ""
            field = PREFIX + code if code else name
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                elif code in questions:
                    # A part someone else fills in (e.g. the psychologist's domain).
                    self.add_error(None, f"{questions[code].text}: {message}")
                else:
                    self.add_error(None, message)
