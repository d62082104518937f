from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tirek.access.policy import Section

from .models import RELEASE_REQUIRED, Purpose
from .services import RECIPIENT_MAX


class SummaryForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    purpose_other = forms.CharField(
        label=_("Other purpose"),
        required=False,
        max_length=200,
        help_text=_("Only when the purpose is “Other”."),
    )
    recipient = forms.CharField(
        label=_("Recipient (name or institution)"), max_length=RECIPIENT_MAX
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections to include"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the sections to include.")},
    )
    language = forms.ChoiceField(label=_("Language of the document"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, sections: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"language": get_language()})
        super().__init__(*args, **kwargs)
        field = self.fields["sections"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s, Section.LABELS[s]) for s in sections]
        if Section.PSYCHOLOGICAL in sections:
            field.help_text = _(
                "A summary for a court, a commission or another outside recipient carries "
                "psychological notes only when a psychologist on the case has released them "
                "for that purpose and recipient."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == Purpose.OTHER and not (data.get("purpose_other") or "").strip():
            self.add_error("purpose_other", _("Say what the summary is for."))
        return data


class ReleaseForm(forms.Form):
    prefix = "release"  # beside the summary form on one page: ids stay unique

    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(p.value, p.label) for p in Purpose if p in RELEASE_REQUIRED],
    )
    recipient = forms.CharField(
        label=_("Recipient (name or institution)"), max_length=RECIPIENT_MAX
    )
