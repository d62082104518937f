"""The IIN validator, with numbers worked out by hand in the official layout."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tirek.people.iin import consistency_errors, control_digit, parse, validate_iin

# 920412401006: born 1992-04-12, 7th digit 4 = woman born in the 1900s, serial 0100.
# Weights 1..11: 9·1+2·2+0·3+4·4+1·5+2·6+4·7+0·8+1·9+0·10+0·11 = 83; 83 mod 11 = 6.
WOMAN_1992 = "920412401006"
# 150312501807: born 2015-03-12, 7th digit 5 = man born in the 2000s, serial 0180.
# Weights 1..11 give 164, 164 mod 11 = 10, so the second weights 3..11,1,2 apply:
# 1·3+5·4+0·5+3·6+1·7+2·8+5·9+0·10+1·11+8·1+0·2 = 128; 128 mod 11 = 7.
BOY_2015 = "150312501807"
# 15031250187x: both passes give 10, so no valid number starts like this.
NEVER_ISSUED_PREFIX = "15031250187"


def test_it_computes_the_control_digit_with_the_first_weights() -> None:
    assert control_digit(WOMAN_1992[:11]) == 6


def test_it_falls_back_to_the_second_weights_when_the_first_give_ten() -> None:
    assert control_digit(BOY_2015[:11]) == 7


def test_it_knows_numbers_that_are_never_issued() -> None:
    assert control_digit(NEVER_ISSUED_PREFIX) is None
    for last in "0123456789":
        with pytest.raises(ValidationError):
            parse(NEVER_ISSUED_PREFIX + last)


def test_it_reads_date_of_birth_and_sex_from_a_valid_iin() -> None:
    woman = parse(WOMAN_1992)
    assert (woman.birth_date, woman.sex) == (date(1992, 4, 12), "female")
    boy = parse(BOY_2015)
    assert (boy.birth_date, boy.sex) == (date(2015, 3, 12), "male")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("920412401007", "iin_check"),  # last digit off by one
        ("920412401060", "iin_check"),  # two digits swapped
        ("92041240100", "iin_format"),  # 11 digits
        ("9204124010061", "iin_format"),  # 13 digits
        ("92041240100a", "iin_format"),
        ("９２０４１２４０１００６", "iin_format"),  # full-width digits are not ASCII
        ("920412701006", "iin_century"),  # 7th digit 7
        ("920412001006", "iin_century"),  # 7th digit 0
        ("921312401006", "iin_date"),  # month 13
        ("920230401006", "iin_date"),  # 30 February
    ],
)
def test_it_refuses_invalid_numbers_with_a_reason(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(value)
    assert caught.value.code == code


def test_it_allows_a_blank_iin_for_people_without_one() -> None:
    validate_iin("")


def test_it_checks_the_iin_against_the_date_of_birth_and_sex() -> None:
    assert consistency_errors(WOMAN_1992, birth_date=date(1992, 4, 12), sex="female") == {}
    errors = consistency_errors(WOMAN_1992, birth_date=date(1992, 4, 13), sex="male")
    assert set(errors) == {"birth_date", "sex"}
    assert "1992-04-12" in errors["birth_date"]


def test_it_compares_only_what_is_known_of_the_date() -> None:
    # Year only: 1992 is enough; month and year: April 1992.
    assert consistency_errors(WOMAN_1992, birth_date=date(1992, 1, 1), precision="year") == {}
    assert consistency_errors(WOMAN_1992, birth_date=date(1992, 4, 1), precision="month") == {}
    assert consistency_errors(WOMAN_1992, birth_date=date(1993, 1, 1), precision="year")


def test_it_does_not_hold_an_estimated_date_against_the_iin() -> None:
    assert consistency_errors(WOMAN_1992, birth_date=date(1990, 1, 1), estimated=True) == {}
