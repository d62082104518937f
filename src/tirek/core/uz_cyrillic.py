"""Uzbek in Cyrillic, generated from the Latin (official) catalogues.

Translators keep one Uzbek text, in the Latin alphabet; the Cyrillic interface ("uz-cyrl",
still read by many older staff) is derived from it by a deterministic transliteration, so
the two never drift apart. ``tirek uz_cyrillic`` writes every ``locale/uz_Cyrl`` catalogue
(and the ``uz-cyrl.json`` content overlays) from its ``uz`` sibling; a test checks that the
committed files are what the command produces.

Placeholders (``%(name)s``, ``{url}``), HTML tags, URLs, Markdown link targets and a few
Latin names (file formats, the PSC-17) are left as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import polib

TIREK_DIR = Path(__file__).resolve().parent.parent

# Kept in the Latin alphabet in Cyrillic text too (as Russian text keeps them).
LATIN_NAMES = [
    "PDF",
    "PNG",
    "JPEG",
    "JPG",
    "CSV",
    "XLSX",
    "JSON",
    "UTF-8",
    "UTF",
    "API",
    "ISO",
    "QR",
    "MB",
    "KB",
    "GB",
    "CC",
    "BY",
    "PSC",
    "WebP",
    "Bearer",
    "otp",
    "true",
    "false",
    "null",
    "count",
    "share",
    "mean",
    "sum",
    "calendar-year",
    "alpha-2",
    "alpha",
    "Windows-1251",
    "Windows",
    "Massachusetts",
    "General",
    "Hospital",
    "M&E",
    "HTTP",
    "HTTPS",
    "XLS",
]

_PROTECTED = re.compile(
    "|".join(
        [
            r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]",  # %(name)s
            r"%[-#0 +]*\d*(?:\.\d+)?[sdfir%]",  # %s, %d, %%
            r"\{[A-Za-z0-9_]*\}",  # {url}
            r"<[^<>]+>",  # HTML tags
            r"&[a-zA-Z]+;|&#\d+;",  # entities
            r"https?://[^\s)\"'<>]+",  # URLs
            r"\]\([^)]*\)",  # Markdown link targets
            r"asset:[A-Za-z0-9_-]+",
            r"(?<![A-Za-zʻʼ'])(?:" + "|".join(map(re.escape, LATIN_NAMES)) + r")(?![A-Za-zʻʼ'])",
        ]
    )
)

# Words whose Cyrillic spelling keeps letters the Latin alphabet dropped (я, ю, ъ); matched
# at the start of a word so that suffixes follow ("sentabrda" → "сентябрда").
_STEMS = {
    "sentabr": "сентябр",
    "oktabr": "октябр",
    "noyabr": "ноябр",
    "iyun": "июн",
    "iyul": "июл",
    "obyekt": "объект",
    "subyekt": "субъект",
    "intervyu": "интервью",
}

_LETTERS = {
    "a": "а", "b": "б", "d": "д", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р",
    "s": "с", "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", "c": "ц",
    "w": "в",
}  # fmt: skip
_VOWELS = set("aeiouаеиоуўэюяё")
_TURNED = "ʻ‘’`'"  # oʻ / gʻ: U+02BB, and the look-alikes found in older texts
_TOKEN = re.compile(
    r"(?P<stem>(?<![A-Za-zʻʼ])(?:" + "|".join(_STEMS) + r"))"
    r"|(?P<yo_turned>yo[" + _TURNED + r"](?=[A-Za-z]))"
    r"|(?P<turned>[og][" + _TURNED + r"](?=[A-Za-z])|[og]ʻ)"
    r"|(?P<ts>ts(?=i[yo]))"
    r"|(?P<digraph>sh|ch|yo|yu|ya|ye)"
    r"|(?P<tutuq>ʼ|(?<=[A-Za-z])'(?=[A-Za-z]))"
    r"|(?P<letter>[a-z])",
    re.IGNORECASE,
)
_DIGRAPHS = {"sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я", "ye": "е"}


def _with_case(source: str, cyrillic: str) -> str:
    if len(source) > 1 and source.isupper() and source[1:].isalpha():
        return cyrillic.upper()
    if source[0].isupper():
        return cyrillic[0].upper() + cyrillic[1:]
    return cyrillic


def _e(text: str, start: int) -> str:
    """Latin e is э at the start of a word or after a vowel, е elsewhere."""
    before = text[start - 1].lower() if start else ""
    return "э" if not before.isalpha() or before in _VOWELS else "е"


def _word(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        found, kind = match.group(0), match.lastgroup
        low = found.lower()
        if kind == "stem":
            cyrillic = _STEMS[low]
        elif kind == "yo_turned":
            cyrillic = "йў"
        elif kind == "turned":
            cyrillic = "ў" if low[0] == "o" else "ғ"
            found = found[0]
        elif kind == "ts":
            cyrillic = "ц"
        elif kind == "digraph":
            cyrillic = _DIGRAPHS[low]
        elif kind == "tutuq":
            return "ъ"
        elif low == "e":
            cyrillic = _e(text, match.start())
        else:
            cyrillic = _LETTERS[low]
        return _with_case(found, cyrillic)

    return _TOKEN.sub(replace, text)


def to_cyrillic(text: str) -> str:
    """Uzbek Latin text in the Cyrillic alphabet (placeholders and markup unchanged)."""
    out, position = [], 0
    for protected in _PROTECTED.finditer(text):
        out.append(_word(text[position : protected.start()]))
        out.append(protected.group(0))
        position = protected.end()
    out.append(_word(text[position:]))
    return "".join(out)


# Catalogues ---------------------------------------------------------------------------

GENERATED_NOTE = "Generated from ../uz by `tirek uz_cyrillic` (transliteration); do not edit."


@dataclass(frozen=True)
class Generated:
    path: Path
    text: str


def _django_uz() -> Path:
    import django

    return Path(django.__file__).parent / "conf" / "locale" / "uz" / "LC_MESSAGES" / "django.po"


def _cyrillic_entry(entry: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=entry.msgctxt,
        msgid=entry.msgid,
        msgid_plural=entry.msgid_plural,
        msgstr=to_cyrillic(entry.msgstr),
        msgstr_plural={k: to_cyrillic(v) for k, v in entry.msgstr_plural.items()},
        flags=[f for f in entry.flags if f != "fuzzy"],
        occurrences=entry.occurrences,
        comment=entry.comment,
    )


def catalogue(
    source: Path, *, django_messages: frozenset[tuple[str | None, str]] = frozenset()
) -> str:
    """The uz_Cyrl catalogue text for one uz catalogue.

    The project-wide catalogue also carries those of Django's own Uzbek messages (form
    errors, month names) that Tirek does not translate itself, so that they too appear in
    Cyrillic rather than fall back to Latin.
    """
    latin = polib.pofile(str(source), wrapwidth=79)
    out = polib.POFile(wrapwidth=79)
    out.header = GENERATED_NOTE
    out.metadata = dict(latin.metadata)
    out.metadata["Language"] = "uz_Cyrl"
    seen = set()
    for entry in latin:
        if entry.obsolete or not entry.translated():
            continue
        out.append(_cyrillic_entry(entry))
        seen.add((entry.msgctxt, entry.msgid))
    if django_messages:
        for entry in polib.pofile(str(_django_uz())):
            key = (entry.msgctxt, entry.msgid)
            if key in django_messages and key not in seen:
                cyrillic = _cyrillic_entry(entry)
                cyrillic.occurrences = []
                out.append(cyrillic)
    return str(out)


def _django_only(tirek_sources: list[Path]) -> frozenset[tuple[str | None, str]]:
    """Django's translated Uzbek messages that no Tirek catalogue overrides."""
    tirek = {(e.msgctxt, e.msgid) for source in tirek_sources for e in polib.pofile(str(source))}
    return frozenset(
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(_django_uz()))
        if e.msgid and not e.obsolete and e.translated() and (e.msgctxt, e.msgid) not in tirek
    )


def overlay(source: Path) -> str:
    """A content overlay (English → Uzbek JSON) with its Uzbek in Cyrillic."""
    latin = json.loads(source.read_text(encoding="utf-8"))
    cyrillic = {english: to_cyrillic(uzbek) for english, uzbek in latin.items()}
    return json.dumps(cyrillic, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def generated(root: Path = TIREK_DIR) -> list[Generated]:
    """Every uz_Cyrl file the Latin sources call for, with its content."""
    files = []
    sources = sorted(root.glob("**/locale/uz/LC_MESSAGES/django.po"))
    django_only = _django_only(sources)
    for source in sources:
        target = source.parents[2] / "uz_Cyrl" / "LC_MESSAGES" / "django.po"
        project_wide = source.parents[3] == root
        text = catalogue(source, django_messages=django_only if project_wide else frozenset())
        files.append(Generated(target, text))
    for source in sorted(root.glob("**/uz.json")):
        files.append(Generated(source.with_name("uz-cyrl.json"), overlay(source)))
    return files


def write(files: list[Generated]) -> list[Path]:
    """Write the generated files and compile each catalogue; the paths that changed."""
    changed = []
    for item in files:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        old = item.path.read_text(encoding="utf-8") if item.path.exists() else None
        if old != item.text:
            item.path.write_text(item.text, encoding="utf-8")
            changed.append(item.path)
        if item.path.suffix == ".po":
            polib.pofile(str(item.path)).save_as_mofile(str(item.path.with_suffix(".mo")))
    return changed


def stale(files: list[Generated]) -> list[Path]:
    """The generated files whose committed copy differs from what the sources give."""
    return [
        item.path
        for item in files
        if not item.path.exists() or item.path.read_text(encoding="utf-8") != item.text
    ]
