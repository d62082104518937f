"""What every app's forms share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .validation import reject_control_chars


def add_errors(form: forms.BaseForm, exc: ValidationError, *, strip_id: bool = False) -> None:
    """Show a service's ValidationError on the form's fields (or above the form, for errors
    of fields it does not have). ``strip_id``: a service's ``agency_id`` error goes on the
    form's ``agency`` field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field.removesuffix("_id") if strip_id else field
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def version_field(*, min_value: int = 0) -> forms.IntegerField:
    """The hidden version the form was read at: the update refuses it once someone saved."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=min_value, max_value=2**31 - 1)


def text_field(
    label: Any,
    *,
    required: bool = True,
    max_length: int = 20000,
    rows: int = 0,
    **kwargs: Any,
) -> forms.CharField:
    """Free text without control characters (required unless said): one line, or a textarea
    of ``rows`` rows."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
        validators=[reject_control_chars],
        **kwargs,
    )
