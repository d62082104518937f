from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tirek.accounts.models import Competency, User
from tirek.core.validation import reject_control_chars
from tirek.organisations.models import Agency, Region

from .models import (
    EVENT_FIELDS,
    Audience,
    Course,
    Event,
    LessonAsset,
    Module,
    Question,
    Sex,
    Topic,
)

_clean = [reject_control_chars]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        # The course content before the limits (attendance threshold, pass mark).
        fields = [*EVENT_FIELDS[:-2], "courses", "modules", *EVENT_FIELDS[-2:]]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "courses": forms.CheckboxSelectMultiple,
            "modules": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["courses"]
        ).queryset = Course.objects.prefetch_related("translations")
        cast(
            forms.ModelChoiceField, self.fields["modules"]
        ).queryset = Module.objects.select_related("course").prefetch_related(
            "translations", "course__translations"
        )
        modules = cast(forms.ModelChoiceField, self.fields["modules"])
        modules.label_from_instance = lambda m: f"{m.course.title}: {m.title}"  # type: ignore[method-assign,assignment]
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = Region.objects.all()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        if start and end and (end - start).days > 366:
            self.add_error("end_date", _("An event cannot last more than a year."))
        courses = data.get("courses")
        for module in data.get("modules") or []:
            if courses is not None and module.course not in courses:
                self.add_error("modules", _("A module must belong to one of the event's courses."))
                break
        return data


def _username_field() -> forms.CharField:
    """A staff member named by their account (the other choice: a name typed in)."""
    return forms.CharField(
        label=_("Staff account (username)"), max_length=150, required=False, validators=_clean
    )


class TrainerForm(forms.Form):
    username = _username_field()
    external_name = forms.CharField(
        label=_("or external trainer's full name"),
        max_length=200,
        required=False,
        validators=_clean,
    )
    is_master = forms.BooleanField(label=_("Master trainer (first generation)"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        username = data.get("username", "").strip()
        data["user"] = None
        if username:
            data["user"] = User.objects.filter(username=username, is_active=True).first()
            if data["user"] is None:
                self.add_error("username", _("No active account with this username."))
        if bool(username) == bool(data.get("external_name", "").strip()):
            raise forms.ValidationError(
                _("Give either a staff account or the name of an external trainer.")
            )
        return data


class ParticipantForm(forms.Form):
    username = _username_field()
    full_name = forms.CharField(
        label=_("or full name of an external participant"),
        max_length=200,
        required=False,
        validators=_clean,
    )
    agency_name = forms.CharField(
        label=_("Agency"), max_length=200, required=False, validators=_clean
    )
    position = forms.CharField(
        label=_("Position"), max_length=200, required=False, validators=_clean
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNSPECIFIED)
    audience = forms.ChoiceField(
        label=_("Professional group"), choices=Audience.choices, initial=Audience.OTHER
    )
    language = forms.ChoiceField(
        label=_("Certificate language"), choices=settings.LANGUAGES, initial="ru"
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        username = data.get("username", "").strip()
        data["user"] = None
        if username:
            data["user"] = User.objects.filter(username=username, is_active=True).first()
            if data["user"] is None:
                self.add_error("username", _("No active account with this username."))
        elif not data.get("full_name", "").strip():
            raise forms.ValidationError(
                _("Give either a staff account or the full name of an external participant.")
            )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Participant list (.csv or .xlsx)"))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=_clean,
    )


class CourseTextsForm(forms.Form):
    """A course's texts in one language."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=_clean)
    objectives = forms.CharField(
        label=_("Objectives"),
        max_length=4000,
        required=False,
        widget=forms.Textarea,
        validators=_clean,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea,
        validators=_clean,
    )


class CourseForm(CourseTextsForm):
    field_order = ["code", "language"]  # then the texts, then the rest

    code = forms.SlugField(label=_("Code"), max_length=64)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ru")
    competency = forms.ChoiceField(
        label=_("Competency granted by the certificate"),
        choices=[("", "—"), *Competency.choices],
        required=False,
    )
    validity_months = forms.IntegerField(
        label=_("Certificate valid for (months)"), min_value=1, max_value=240, initial=36
    )
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=0, max_value=100, initial=70)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audiences = forms.MultipleChoiceField(
        label=_("Target audiences"),
        choices=Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if Course.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A course with this code exists."))
        return code


class CourseTranslationForm(CourseTextsForm):
    field_order = ["language"]  # then the texts

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ModuleForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ru")
    title = forms.CharField(label=_("Module title"), max_length=200, validators=_clean)
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", "—"), *Topic.choices], required=False)


class LessonForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none())
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ru")
    title = forms.CharField(label=_("Lesson title"), max_length=200, validators=_clean)

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["module"]
        ).queryset = course.modules.prefetch_related("translations")


class LessonTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("Title"), max_length=200, validators=_clean)
    body = forms.CharField(
        label=_("Text"),
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        validators=_clean,
        help_text=_(
            "# heading, - list item, 1. numbered item, **bold**, *italic*, [link](https://…), "
            "![picture](asset:ID) for an image of this lesson."
        ),
    )


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LessonAsset.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, validators=_clean)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *settings.LANGUAGES], required=False
    )
    file = forms.FileField(label=_("File"))


class QuestionForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="ru")
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=1000, validators=_clean)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, 5):
            self.fields[f"choice_{i}"] = forms.CharField(
                label=_("Answer %(n)d") % {"n": i},
                max_length=500,
                required=i <= 2,
                validators=_clean,
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(label=_("correct"), required=False)
            self.fields[f"feedback_{i}"] = forms.CharField(
                label=_("Feedback"), max_length=1000, required=False, validators=_clean
            )


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.prefetch_related("translations"), required=False
    )


class NeedsFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False
    )


class CascadeFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.prefetch_related("translations"), required=False
    )


def participant_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        k: data[k]
        for k in ("full_name", "agency_name", "position", "region", "sex", "audience", "language")
        if k in data
    }
