"""Kazakhstan's individual identification number (ИИН, 12 digits).

Layout: digits 1–6 are the date of birth YYMMDD; digit 7 gives the century and sex
(1/2: 1800s male/female, 3/4: 1900s, 5/6: 2000s); digits 8–11 are a serial number;
digit 12 is the control digit. The control digit is the weighted sum of the first
11 digits with weights 1..11, modulo 11; when that gives 10 it is computed again with
weights 3, 4, …, 11, 1, 2, and a second 10 means the number is never issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def control_digit(first11: str) -> int | None:
    """The 12th digit for the first eleven, or None when no valid number exists."""
    digits = [int(d) for d in first11]
    check = sum(d * w for d, w in zip(digits, FIRST_WEIGHTS, strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, SECOND_WEIGHTS, strict=True)) % 11
        if check == 10:
            return None
    return check


@dataclass(frozen=True)
class IinFacts:
    birth_date: date
    sex: str  # "male" / "female"


def parse(value: str) -> IinFacts:
    """The date of birth and sex an IIN states; ValidationError when it is not valid."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("The IIN must be exactly 12 digits."), code="iin_format")
    if value[6] not in CENTURY:
        raise ValidationError(
            _("The 7th digit of the IIN (century and sex) must be 1 to 6."), code="iin_century"
        )
    try:
        born = date(CENTURY[value[6]] + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError as exc:
        raise ValidationError(
            _("The first six digits of the IIN are not a valid date of birth."), code="iin_date"
        ) from exc
    if control_digit(value[:11]) != int(value[11]):
        raise ValidationError(
            _("The IIN check digit is wrong: please check the number."), code="iin_check"
        )
    return IinFacts(birth_date=born, sex="male" if int(value[6]) % 2 else "female")


def validate_iin(value: str) -> None:
    """Django validator for the IIN field (blank is allowed: many children have none)."""
    if value:
        parse(value)


def consistency_errors(
    iin: str,
    *,
    birth_date: date | None,
    precision: str = "day",
    estimated: bool = False,
    sex: str = "",
) -> dict[str, str]:
    """Field → message where the IIN contradicts the date of birth or sex entered.

    An estimated date is not compared: the IIN, issued from documents, is the better
    evidence and the worker may not know it yet."""
    try:
        facts = parse(iin)
    except ValidationError:
        return {}
    errors: dict[str, str] = {}
    if birth_date is not None and not estimated:
        parts = {"year": 1, "month": 2}.get(precision, 3)
        ours = (birth_date.year, birth_date.month, birth_date.day)[:parts]
        theirs = (facts.birth_date.year, facts.birth_date.month, facts.birth_date.day)[:parts]
        if ours != theirs:
            errors["birth_date"] = _(
                "The date of birth does not match the IIN (which gives %(date)s)."
            ) % {"date": facts.birth_date.isoformat()}
    if sex in ("male", "female") and sex != facts.sex:
        errors["sex"] = _("The sex does not match the 7th digit of the IIN.")
    return errors
