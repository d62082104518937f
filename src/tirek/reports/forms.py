from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from . import dashboards, permissions
from .models import Export
from .periods import available_periods

if TYPE_CHECKING:
    from tirek.accounts.models import User

PDF_LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=Export.Kind.choices)
    audience = forms.ChoiceField(label=_("Dashboard"))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    region = forms.ChoiceField(label=_("Region"), required=False)
    language = forms.ChoiceField(label=_("Language of the report"), choices=PDF_LANGUAGES)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (a, dashboards.TITLES[a]) for a in permissions.audiences(user)
        ]
        cast(forms.ChoiceField, self.fields["year"]).choices = [
            (p.year, p.year) for p in available_periods()
        ]
        if permissions.MINISTRY in permissions.audiences(user):
            cast(forms.ChoiceField, self.fields["region"]).choices = dashboards.region_choices(
                dashboards.region_tree()
            )
        else:
            cast(forms.ChoiceField, self.fields["region"]).choices = [("", "—")]
        if permissions.MINISTRY not in permissions.audiences(user):
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                c for c in Export.Kind.choices if c[0] != Export.Kind.EXCHANGE
            ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("kind") == Export.Kind.EXCHANGE
            and data.get("audience") != permissions.MINISTRY
        ):
            self.add_error(
                "audience", _("The regional exchange is made from the national dashboard.")
            )
        return data


class ExchangeUploadForm(forms.Form):
    file = forms.FileField(label=_("Exchange file (JSON)"))
