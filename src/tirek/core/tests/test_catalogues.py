"""Every Kazakh, Uzbek and Tajik catalogue is complete, placeholder-safe and compiled.

A catalogue with a missing message shows that message in English (or Russian, where a
template falls back), so a half-translated screen is a bug the build must catch, not a
script someone has to remember to run.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

SOURCE = Path(__file__).resolve().parents[2]  # src/tirek
LANGUAGES = ("kk", "uz", "tg")
# uz_Cyrl (built from the Latin catalogue) is checked too when it exists.
CATALOGUES = sorted(
    path
    for language in LANGUAGES
    for path in SOURCE.glob(f"**/locale/{language}*/LC_MESSAGES/*.po")
    if ".venv" not in path.parts
)

PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdifr]|%[sdifr]|\{[A-Za-z0-9_.]*\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")


def _name(path: Path) -> str:
    return str(path.relative_to(SOURCE))


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def _tags(text: str) -> Counter[str]:
    return Counter(tag.lower() for tag in TAG.findall(text))


def _nplurals(catalogue: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


def _label(entry: polib.POEntry) -> str:
    return f"[{entry.msgctxt}] {entry.msgid!r}" if entry.msgctxt else repr(entry.msgid)


def _problems(entry: polib.POEntry, nplurals: int) -> list[str]:
    if "fuzzy" in entry.flags:
        return ["fuzzy"]
    if not entry.msgid_plural:
        if not entry.msgstr:
            return ["untranslated"]
        problems = []
        if _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            problems.append(f"placeholders differ: {entry.msgstr!r}")
        if _tags(entry.msgstr) != _tags(entry.msgid):
            problems.append(f"HTML tags differ: {entry.msgstr!r}")
        return problems
    forms = [entry.msgstr_plural.get(index, "") for index in range(nplurals)]
    if len(entry.msgstr_plural) != nplurals:
        return [f"{len(entry.msgstr_plural)} plural forms, the header says {nplurals}"]
    if not all(forms):
        return ["a plural form is untranslated"]
    allowed = set(_placeholders(entry.msgid)) | set(_placeholders(entry.msgid_plural))
    problems = [
        f"unknown placeholder in {form!r}" for form in forms if set(_placeholders(form)) - allowed
    ]
    # The general form must keep every placeholder of msgid_plural (the count above all).
    if set(_placeholders(entry.msgid_plural)) - set(_placeholders(forms[-1])):
        problems.append(f"placeholder missing in {forms[-1]!r}")
    return problems


def test_each_language_has_catalogues() -> None:
    for language in LANGUAGES:
        assert any(f"/locale/{language}/" in str(path) for path in CATALOGUES), language


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_the_catalogue_is_complete_and_keeps_its_placeholders(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    nplurals = _nplurals(catalogue)
    problems = [
        f"{_label(entry)}: {problem}"
        for entry in catalogue
        if not entry.obsolete
        for problem in _problems(entry, nplurals)
    ]
    assert not problems, f"{len(problems)} problems in {_name(path)}:\n" + "\n".join(problems)


def _messages(entries: list) -> dict[tuple[str | None, str], object]:
    result: dict[tuple[str | None, str], object] = {}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
            if any(forms):
                result[(entry.msgctxt or None, entry.msgid)] = forms
        elif entry.msgstr:
            result[(entry.msgctxt or None, entry.msgid)] = entry.msgstr
    return result


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_the_compiled_catalogue_matches_its_source(path: Path) -> None:
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{_name(compiled)} is missing: run `make messages`"
    source = _messages(polib.pofile(str(path)))
    assert _messages(polib.mofile(str(compiled))) == source, (
        f"{_name(compiled)} is out of date: run `make messages`"
    )
