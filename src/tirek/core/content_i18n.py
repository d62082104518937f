"""Translations of content (instruments, the seed curriculum) kept beside it as overlays.

Instruments and the seed curriculum are written in Russian and English: every text is a
``{"ru": …, "en": …}`` map. Kazakh, Uzbek and Tajik come from one overlay file per
language, ``<dir>/<language>.json``: a flat JSON object mapping the English source text,
exactly, to its translation. Loading content merges the overlays into each text map, so
the translation becomes part of the data (for an instrument, part of its version).

Keying by the English text keeps overlays independent of structure: a text that changes
in the source simply loses its translation (and the completeness test says so) instead of
silently keeping an outdated one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Languages whose content comes from overlays (the sources carry ru and en).
OVERLAY_LANGUAGES = ("kk", "uz", "tg")
SOURCE_LANGUAGE = "en"

Overlays = dict[str, dict[str, str]]


def is_text_map(value: Any) -> bool:
    """A ``{language: text}`` map of the sources: it always has the English text."""
    return (
        isinstance(value, dict)
        and isinstance(value.get(SOURCE_LANGUAGE), str)
        and isinstance(value.get("ru"), str)
        and all(isinstance(text, str) for text in value.values())
    )


def text_maps(content: Any) -> Iterator[dict[str, str]]:
    """Every text map in ``content`` (nested dicts and lists), depth first."""
    if is_text_map(content):
        yield content
    elif isinstance(content, dict):
        for value in content.values():
            yield from text_maps(value)
    elif isinstance(content, list | tuple):
        for value in content:
            yield from text_maps(value)


def english_texts(content: Any) -> list[str]:
    """The distinct English source texts of ``content``, in order of appearance."""
    return list(dict.fromkeys(texts[SOURCE_LANGUAGE] for texts in text_maps(content)))


def load_overlays(directory: Path, languages: tuple[str, ...] = OVERLAY_LANGUAGES) -> Overlays:
    """``{language: {english: translation}}`` for each overlay file present in ``directory``.

    A malformed file is an error, not a silent fallback: content would load untranslated.
    """
    overlays: Overlays = {}
    for language in languages:
        path = directory / f"{language}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in data.items()
        ):
            raise ValueError(f"{path}: expected a JSON object of English text → translation")
        overlays[language] = {key: value for key, value in data.items() if value.strip()}
    return overlays


def translate(content: Any, overlays: Overlays) -> Any:
    """A copy of ``content`` with each overlay language added to every text map it covers.

    A text the source already has in that language is kept: the source wins.
    """
    result = copy.deepcopy(content)
    for texts in text_maps(result):
        english = texts[SOURCE_LANGUAGE]
        for language, mapping in overlays.items():
            if language not in texts and english in mapping:
                texts[language] = mapping[english]
    return result


def complete_languages(content: Any, overlays: Overlays) -> list[str]:
    """The overlay languages that translate every English text of ``content``."""
    needed = set(english_texts(content))
    return [language for language, mapping in overlays.items() if needed <= mapping.keys()]
