"""The one PATCH rule of the API (DESIGN.md section 7), for every PATCH operation.

- a field left out of the body is unchanged;
- ``null`` on a field that may be empty clears it (to ``""`` for text, to no date or no
  reference where the database allows none, to an empty list);
- ``null`` on a field that may not be empty is refused: 422, naming the field.

"May be empty" is read from the model field (``null=True`` or ``blank=True``) unless the
caller says otherwise, so the rule follows the database instead of a list kept by hand.
An erase of a narrative therefore needs an explicit ``null``: leaving the field out, or
sending nothing, never touches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from pydantic import BaseModel

REFUSED = object()


def empty_value(model: type[models.Model], name: str) -> Any:
    """What ``null`` in a PATCH body sets ``name`` to, or REFUSED."""
    try:
        field = model._meta.get_field(name)  # also finds ``<fk>_id`` by its column name
    except FieldDoesNotExist:
        return REFUSED
    if isinstance(field, models.ManyToManyField):
        return [] if field.blank else REFUSED
    if field.null:
        return None
    if not getattr(field, "blank", False):  # a reverse relation is null above
        return REFUSED
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if isinstance(field, models.JSONField):
        default = field.get_default()
        return default if isinstance(default, list | dict) else REFUSED
    return REFUSED


def patch_changes(
    payload: BaseModel,
    model: type[models.Model],
    *,
    unchanged_by_null: Iterable[str] = (),
    empty: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields the PATCH body sets, with ``null`` turned into the field's empty value.
    ``empty`` names the empty value of fields that are not model fields of the same name
    (e.g. ``{"region_ids": []}``); ``unchanged_by_null`` is for the rare field whose
    ``null`` the service reads itself. Raises ValidationError (422) for ``null`` on a
    field that may not be empty."""
    data = payload.model_dump(exclude_unset=True)
    empty = dict(empty or {})
    keep = set(unchanged_by_null)
    refused: dict[str, str] = {}
    for name, value in data.items():
        if value is not None or name in keep:
            continue
        cleared = empty[name] if name in empty else empty_value(model, name)
        if cleared is REFUSED:
            refused[name] = _("This field may not be empty; leave it out to keep its value.")
        else:
            data[name] = cleared
    if refused:
        raise ValidationError(refused)
    return data


PATCH_RULE = (
    "PATCH: a field left out is unchanged; `null` clears a field that may be empty and is "
    "refused (422) on a field that may not."
)
