"""What every app's forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


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
