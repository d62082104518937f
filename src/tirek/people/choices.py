"""Countries and languages offered in forms (the ones this programme meets), by code.

Codes are ISO 3166-1 alpha-2 and ISO 639-1 (ISO 639-3 where there is no two-letter
code). A place outside this list is still written as free text in the place of birth.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

COUNTRIES: list[tuple[str, Any]] = [
    ("KZ", _("Kazakhstan")),
    ("UZ", _("Uzbekistan")),
    ("TJ", _("Tajikistan")),
    ("KG", _("Kyrgyzstan")),
    ("TM", _("Turkmenistan")),
    ("RU", _("Russia")),
    ("AZ", _("Azerbaijan")),
    ("GE", _("Georgia")),
    ("AM", _("Armenia")),
    ("BY", _("Belarus")),
    ("UA", _("Ukraine")),
    ("MD", _("Moldova")),
    ("CN", _("China")),
    ("MN", _("Mongolia")),
    ("AF", _("Afghanistan")),
    ("PK", _("Pakistan")),
    ("IR", _("Iran")),
    ("IQ", _("Iraq")),
    ("SY", _("Syria")),
    ("TR", _("Türkiye")),
    ("LB", _("Lebanon")),
    ("JO", _("Jordan")),
    ("SA", _("Saudi Arabia")),
    ("AE", _("United Arab Emirates")),
    ("QA", _("Qatar")),
    ("EG", _("Egypt")),
    ("LY", _("Libya")),
    ("YE", _("Yemen")),
    ("IL", _("Israel")),
    ("PS", _("Palestine")),
    ("DE", _("Germany")),
    ("FR", _("France")),
    ("GB", _("United Kingdom")),
    ("NL", _("Netherlands")),
    ("BE", _("Belgium")),
    ("SE", _("Sweden")),
    ("AT", _("Austria")),
    ("US", _("United States")),
]
COUNTRY_CODES = frozenset(code for code, _label in COUNTRIES)

LANGUAGES: list[tuple[str, Any]] = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("uz", _("Uzbek")),
    ("tg", _("Tajik")),
    ("ky", _("Kyrgyz")),
    ("tk", _("Turkmen")),
    ("ar", _("Arabic")),
    ("tr", _("Turkish")),
    ("fa", _("Persian")),
    ("ps", _("Pashto")),
    ("ku", _("Kurdish")),
    ("ug", _("Uyghur")),
    ("az", _("Azerbaijani")),
    ("ce", _("Chechen")),
    ("uk", _("Ukrainian")),
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("ur", _("Urdu")),
    ("zh", _("Chinese")),
]
LANGUAGE_CODES = frozenset(code for code, _label in LANGUAGES)


def country_label(code: str) -> str:
    return str(dict(COUNTRIES).get(code, code))


def language_label(code: str) -> str:
    return str(dict(LANGUAGES).get(code, code))
