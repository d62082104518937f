"""Instruments and the seed curriculum exist in Kazakh, Uzbek and Tajik, from overlays.

Each overlay maps the English source text, exactly, to its translation. A source text
without a translation would show in Russian on a Kazakh, Uzbek or Tajik screen, so every
English text must have an entry in every overlay language.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tirek.assessments.services import INSTRUMENT_OVERLAYS_DIR, INSTRUMENTS_DIR
from tirek.core.content_i18n import (
    OVERLAY_LANGUAGES,
    complete_languages,
    english_texts,
    load_overlays,
    translate,
)
from tirek.training.seed import SEED_OVERLAYS_DIR
from tirek.training.seed_content import COURSES


def _instrument_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(INSTRUMENTS_DIR.glob("*.json")):
        texts += english_texts(json.loads(path.read_text(encoding="utf-8")))
    return list(dict.fromkeys(texts))


CONTENT = {
    "instruments": (_instrument_texts, INSTRUMENT_OVERLAYS_DIR),
    "seed curriculum": (lambda: english_texts(COURSES), SEED_OVERLAYS_DIR),
}
CASES = [(content, language) for content in CONTENT for language in OVERLAY_LANGUAGES]


def _overlay(directory: Path, language: str) -> dict[str, str]:
    return load_overlays(directory, (language,)).get(language, {})


@pytest.mark.parametrize(("content", "language"), CASES)
def test_every_english_text_has_a_translation(content: str, language: str) -> None:
    texts, directory = CONTENT[content]
    overlay = _overlay(directory, language)
    missing = [text for text in texts() if not overlay.get(text, "").strip()]
    assert not missing, (
        f"{directory.name}/{language}.json lacks {len(missing)} of {len(texts())} texts, "
        f"e.g. {missing[:3]}"
    )


@pytest.mark.parametrize(("content", "language"), CASES)
def test_the_overlay_has_no_stale_texts_and_keeps_the_markup(content: str, language: str) -> None:
    texts, directory = CONTENT[content]
    overlay = _overlay(directory, language)
    stale = sorted(set(overlay) - set(texts()))
    assert not stale, f"{directory.name}/{language}.json translates texts no longer in the source"
    broken = [
        english
        for english, translated in overlay.items()
        if english.count("\n") != translated.count("\n")
        or english.count("**") != translated.count("**")
        or english.count("## ") != translated.count("## ")
    ]
    assert not broken, f"lines, headings or bold differ from the source: {broken[:3]}"


def test_translate_adds_the_languages_it_covers_and_keeps_the_source() -> None:
    content = {
        "title": {"ru": "Семья", "en": "Family"},
        "items": [{"ru": "Да", "en": "Yes", "kk": "Иә (source)"}, {"ru": "Нет", "en": "No"}],
        "code": "family",
    }
    overlays = {"kk": {"Family": "Отбасы", "Yes": "Иә", "No": "Жоқ"}, "tg": {"Family": "Оила"}}
    translated = translate(content, overlays)
    assert translated["title"] == {"ru": "Семья", "en": "Family", "kk": "Отбасы", "tg": "Оила"}
    assert translated["items"][0]["kk"] == "Иә (source)"
    assert translated["items"][1] == {"ru": "Нет", "en": "No", "kk": "Жоқ"}
    assert content["title"] == {"ru": "Семья", "en": "Family"}  # the source is not changed
    assert complete_languages(content, overlays) == ["kk"]


def test_a_malformed_overlay_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "kk.json").write_text('{"Family": ["Отбасы"]}', encoding="utf-8")
    with pytest.raises(ValueError, match="kk.json"):
        load_overlays(tmp_path)
