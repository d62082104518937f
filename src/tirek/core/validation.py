"""Input hygiene shared by forms and API schemas.

PostgreSQL refuses NUL bytes in text and SQLite keeps them; both are refused here
with a clear message so the same input behaves the same on both databases.
"""

from __future__ import annotations

import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reject_control_chars(value: str) -> str:
    """Django validator: no NUL or other control characters (tabs and newlines are fine)."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationError(_("Text must not contain control characters."), code="control_chars")
    return value


def _schema_check(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(_("Text must not contain control characters."))
    return value


# For ninja schemas: ``name: CleanStr = Field(..., max_length=100)``
CleanStr = Annotated[str, AfterValidator(_schema_check)]
