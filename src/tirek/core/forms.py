"""What the apps' form pages (and their buttons without a form) share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from .exceptions import Conflict

# What most form steps show on the form: bad data, or a step the user may not take.
INVALID_OR_FORBIDDEN: tuple[type[Exception], ...] = (ValidationError, PermissionDenied)


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give a choice field the options it has for this user or record (set when the form is
    made, not when it is declared)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def add_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    strip_id: bool = False,
    rename: Mapping[str, str] | None = None,
) -> None:
    """Show a service's ValidationError on the form's fields (or above the form, for errors
    of fields it does not have). ``strip_id``: a service's ``agency_id`` error goes on the
    form's ``agency`` field; ``rename``: the form's name of a field the service names
    otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field.removesuffix("_id") if strip_id else field
            name = (rename or {}).get(name, name)
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def show_refusal(
    form: forms.BaseForm, exc: Exception, *, rename: Mapping[str, str] | None = None
) -> None:
    """A service's refusal on the form: a ValidationError on the fields it names (see
    :func:`add_errors`), any other refusal (not allowed, stale) above the form."""
    if isinstance(exc, ValidationError):
        add_errors(form, exc, rename=rename)
    else:
        form.add_error(None, str(exc))


def refusal_text(exc: Exception) -> str:
    """A service's refusal as one line: a ValidationError's messages, or the refusal's text."""
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def step_done(
    request: HttpRequest,
    step: Callable[[], object],
    done: str,
    *,
    failures: tuple[type[Exception], ...] = (ValidationError,),
    fallback: str = "",
) -> bool:
    """A step with no form to draw again (a button): ``step`` (the service call); its
    refusal (one of ``failures``) as one error message (``fallback`` when it says nothing),
    else ``done`` as a success message. True when the service did it."""
    try:
        step()
    except failures as exc:
        messages.error(request, refusal_text(exc) or fallback)
        return False
    messages.success(request, done)
    return True


def flash_refusal(request: HttpRequest, exc: Exception, fallback: str) -> None:
    """A service's refusal of a step that has no form to draw again, as messages: each of a
    ValidationError's, or the refusal's text (``fallback`` when it has none)."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or fallback)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], object],
    done: str = "",
    *,
    failures: tuple[type[Exception], ...] = (ValidationError,),
    explain: Callable[[Exception], None] | None = None,
) -> bool:
    """The form page's step: if the form is valid, ``save`` (the service call with its
    data). True when the service did it, after the success message ``done`` (if any); a
    refusal (one of ``failures``) goes on the form (or to ``explain``) and gives False, so
    that the page is drawn again with it."""
    if not form.is_valid():
        return False
    try:
        save()
    except failures as exc:
        if explain is None:
            show_refusal(form, exc)
        else:
            explain(exc)
        return False
    if done:
        messages.success(request, done)
    return True


def submit_versioned(
    request: HttpRequest, form: forms.BaseForm, save: Callable[[], object], done: str
) -> int | None:
    """:func:`submit` for a form that carries the version the user read: None when the
    service did it, else the status to draw the page again with: 409 for a stale version
    (its conflict above the form), 422 for data the form or the service refused."""
    stale = False

    def explain(exc: Exception) -> None:
        nonlocal stale
        stale = isinstance(exc, Conflict)
        show_refusal(form, exc)

    if submit(request, form, save, done, failures=(Conflict, ValidationError), explain=explain):
        return None
    return 409 if stale else 422
