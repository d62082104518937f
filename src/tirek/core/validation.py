"""Input hygiene shared by forms and API schemas.

PostgreSQL refuses NUL bytes in text and SQLite keeps them; both are refused here
with a clear message so the same input behaves the same on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reject_control_chars(value: str) -> None:
    """Django validator: no NUL or other control characters (tabs and newlines are fine)."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationError(_("Text must not contain control characters."), code="control_chars")


def _schema_check(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(_("Text must not contain control characters."))
    return value


# For ninja schemas: ``name: CleanStr = Field(..., max_length=100)``
CleanStr = Annotated[str, AfterValidator(_schema_check)]


# --- narrative text written by services ---------------------------------------------------

# The most characters of a narrative (a note, an account, an outcome): longer is refused,
# never cut, so nothing the worker wrote is lost without them knowing.
MAX_TEXT = 20000


def clean_text(
    value: str | None,
    field: str,
    *,
    required: bool = False,
    limit: int = MAX_TEXT,
    required_message: str = "",
) -> str:
    """``value`` without surrounding spaces; a ValidationError naming ``field`` when it is
    required and empty (``required_message``, else "This field is required.") or longer
    than ``limit`` characters."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required_message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("The text is too long.")})
    return value


# --- bounded ids and dates for API schemas ------------------------------------------------
# The database's integers stop at 2**63 - 1 and Python's dates at the year 9999: a value
# beyond either crashed deep in a query or in date arithmetic (a 500). The schemas refuse
# them up front, naming the field (a 422), before any role check or query runs.

MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]

# Nothing Tirek records lies outside these years: births of grandparents, plans and
# conferences a few years ahead, documents valid for decades.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def _date_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(
            _("The date must lie between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
        )
    return value


def _datetime_in_range(value: datetime) -> datetime:
    # In UTC, as it will be stored: 9999-12-31T23:59:59-12:00 is in the year 10000 there.
    try:
        day = value.date() if value.tzinfo is None else value.astimezone(UTC).date()
    except OverflowError:
        day = date.max
    _date_in_range(day)
    return value


BoundedDate = Annotated[date, AfterValidator(_date_in_range)]
BoundedDateTime = Annotated[datetime, AfterValidator(_datetime_in_range)]


# --- invisible characters in names --------------------------------------------------------
# A right-to-left override (U+202E), zero-width spaces and other format (Cf) or control
# (Cc) characters do not show, but they make "Айша" and "Ай\u200bша" different strings:
# a second record escapes the duplicate check, and search misses the first. Names are
# stored without them, and every search key is built without them.

_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ shape Persian and Arabic script names


def strip_invisible(text: str, *, keep_joiners: bool = True) -> str:
    """NFC, with format and control characters removed (tabs and newlines become spaces).
    With ``keep_joiners``, a zero-width (non-)joiner between two letters stays: in
    Persian and Arabic script it changes how a name is written, not who it names."""
    text = unicodedata.normalize("NFC", text or "")
    out: list[str] = []
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch in "\t\n\r":
            out.append(" ")
        elif category == "Cc":
            continue
        elif category == "Cf":
            if (
                keep_joiners
                and ch in _JOINERS
                and 0 < index < len(text) - 1
                and text[index - 1].isalpha()
                and text[index + 1].isalpha()
            ):
                out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def clean_name(text: str) -> str:
    """A name as stored: no invisible characters, single spaces, no spaces at the ends."""
    return " ".join(strip_invisible(text).split())


def require_letter(value: str) -> None:
    """Django validator: a name has at least one letter (not only digits, punctuation or
    invisible characters)."""
    if value and not any(ch.isalpha() for ch in value):
        raise ValidationError(_("A name must contain at least one letter."), code="no_letter")
