"""Name normalisation and duplicate scoring across Cyrillic, Latin and Arabic script.

One child may be on file as «Мухаммад Каримов», «Мұхаммед Кәрімов», «Muhammad Karimov»,
«Mukhammad Karimov» or «محمد كريموف». Matching works in three layers, each used for
what it is good at:

1. ``fold``: Unicode clean-up — case, apostrophe variants (Uzbek oʻ gʻ written with
   ʻ ' ` ’), hyphens and spaces, and look-alike letters typed in the wrong alphabet
   (a Latin "a" or "o" inside a Cyrillic word).
2. ``latin``: transliteration to lowercase Latin with our own tables for Russian,
   Kazakh, Uzbek and Tajik Cyrillic, Kazakh/Uzbek/Turkish Latin diacritics and Arabic
   script; ``anyascii`` covers anything else.
3. ``phonetic`` (vowels kept, spelling conventions unified: kh/x/h, q/k, zh/j, Uzbek
   o/a, y/i ...) for Jaro-Winkler similarity, and ``skeleton`` (consonant classes only,
   a leading vowel kept as a marker) which absorbs the vowel differences of
   Mukhammad/Muhammad/Мұхаммед/محمد.

Scoring follows the Fellegi-Sunter idea: every field (given name, family name,
patronymic, date of birth, sex, IIN) gets an agreement level, each level a weight
(log-odds), and the sum goes through a logistic function to a score in 0..1. The levels
double as the machine-readable ``reasons`` shown to the user. Weights are set by hand
and checked against ``tests/data/duplicates.json`` (see docs/duplicates.md).

Blocking keys (``blocking_keys``) are short ASCII strings stored per person in an
indexed table, so a duplicate check fetches a few hundred candidates with one indexed
``key IN (...)`` query and scores only those.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler, Levenshtein

from tirek.core.validation import strip_invisible

# --- 1. folding ---------------------------------------------------------------------------

_APOSTROPHES = "ʻʼ’‘`´ʹ′ʿʾ'"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_SEPARATORS_RE = re.compile(r"[\s\-‐‑‒–—_.,/\\()\[\]\"«»]+")

# Letters that look the same in both alphabets (upper and lower case).
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYIaceopxyik", "АВСЕНКМОРТХУІасеорхуік")
_CYRILLIC_TO_LATIN = str.maketrans("АВСЕНКМОРТХУІасеорхуік", "ABCEHKMOPTXYIaceopxyik")


def script_of(text: str) -> str:
    """ "cyrillic", "latin", "arabic", "mixed" or "" (no letters)."""
    counts = _script_counts(text)
    present = [name for name, n in counts.items() if n]
    if not present:
        return ""
    if len(present) == 1:
        return present[0]
    return "mixed"


def _script_counts(text: str) -> dict[str, int]:
    counts = {"cyrillic": 0, "latin": 0, "arabic": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("CYRILLIC"):
            counts["cyrillic"] += 1
        elif name.startswith("LATIN"):
            counts["latin"] += 1
        elif name.startswith("ARABIC"):
            counts["arabic"] += 1
    return counts


def _unmix(word: str) -> str:
    """A word typed in two alphabets: map the minority's look-alike letters to the
    majority's (``Aйгерим`` with a Latin A becomes all Cyrillic)."""
    counts = _script_counts(word)
    if not (counts["cyrillic"] and counts["latin"]):
        return word
    if counts["cyrillic"] >= counts["latin"]:
        return word.translate(_LATIN_TO_CYRILLIC)
    return word.translate(_CYRILLIC_TO_LATIN)


# Arabic: "Abd al-" and the article "al-" are written joined to the next word.
_ARABIC_ABD_RE = re.compile("عبد(?=ال(?!له))")
_ARABIC_ARTICLE_RE = re.compile(r"(^|\s)ال(?!له)(?=\w\w)")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Case, compatibility forms, apostrophes and separators unified; words kept apart by
    single spaces. Diacritics are kept: they matter to the transliteration (ş is sh)."""
    # Invisible characters first: "Ай\u200bша" and "\u202eАйша" are Айша to the reader.
    text = unicodedata.normalize("NFKC", strip_invisible(text or "", keep_joiners=False))
    if "ال" in text:
        text = _ARABIC_ARTICLE_RE.sub(r"\1ال ", _ARABIC_ABD_RE.sub("عبد ", text))
    text = _APOSTROPHE_RE.sub("'", text)
    words = [_unmix(w) for w in _SEPARATORS_RE.split(text) if w]
    return " ".join(words).lower().strip()


# --- 2. transliteration -------------------------------------------------------------------

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
    "і": "i",
    # Tajik (ғ қ shared above)
    "ӣ": "i", "ӯ": "u", "ҳ": "h", "ҷ": "j",
    # Uzbek Cyrillic (ў is Latin oʻ, which Russian spelling writes as у)
    "ў": "u",
    # Kyrgyz and Ukrainian letters seen in names
    "ҥ": "ng", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip

# Latin letters with diacritics, as the Kazakh (2018, 2021), Uzbek, Turkish, Turkmen and
# Azerbaijani alphabets and scholarly Arabic transliteration use them.
_LATIN = {
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ğ": "gh", "ǵ": "gh",
    "ñ": "ng", "ń": "ng", "ň": "ng", "ı": "i", "ä": "a", "á": "a", "ə": "a", "ā": "a",
    "ö": "o", "ó": "o", "ō": "o", "ü": "u", "ú": "u", "ū": "u", "ý": "u", "ī": "i",
    "í": "i", "é": "e", "ē": "e", "ḥ": "h", "ḫ": "kh", "ṣ": "s", "ṭ": "t", "ḍ": "d",
    "ẓ": "z", "ż": "z", "ł": "l",
}  # fmt: skip

# Arabic script: long vowels are written, short ones are not, so the result is a rough
# consonant frame that the skeleton compares. Ayn and hamza carry no Latin letter.
_ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ى": "a", "ء": "", "ئ": "",
    "ؤ": "", "ع": "", "ب": "b", "ت": "t", "ث": "s", "ج": "j", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "z", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ک": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "u", "ي": "i", "ی": "i", "پ": "p",
    "چ": "ch", "ژ": "zh", "گ": "g", "ڤ": "v",
}  # fmt: skip
_ARABIC_DIACRITICS_RE = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, tatweel


def _arabic_word(word: str) -> str:
    word = _ARABIC_DIACRITICS_RE.sub("", word)
    word = word.replace("الله", "\u0001allah\u0001")  # Allah, as in Abdullah
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch == "\u0001":
            continue
        if i == 0 and ch == "ع":
            out.append("a")  # a leading ayn is heard as a vowel: Aisha, Abd
        elif i == 0 and ch == "ي":
            out.append("y")
        elif i == 0 and ch == "و":
            out.append("v")
        else:
            out.append(_ARABIC.get(ch, ch))
    return "".join(out)


def _latin_word(word: str) -> str:
    if any("\u0600" <= ch <= "\u06ff" for ch in word):
        word = _arabic_word(word)
    out = []
    for ch in word:
        if ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _LATIN:
            out.append(_LATIN[ch])
        else:
            out.append(ch)
    text = anyascii("".join(out)).lower()
    return re.sub(r"[^a-z' ]", "", text)


@lru_cache(maxsize=16384)
def latin(text: str) -> str:
    """Lowercase Latin transliteration, words separated by single spaces."""
    words = [_latin_word(w) for w in fold(text).split(" ")]
    return " ".join(w for w in words if w.replace("'", ""))


# --- 3. phonetic form and skeleton --------------------------------------------------------

# Kazakh-apostrophe (2017) and Uzbek Latin letters: oʻ is the Russian у, gʻ is ғ.
_APOSTROPHE_LETTERS = [("o'", "u"), ("u'", "u"), ("g'", "gh"), ("n'", "ng"), ("s'", "sh"),
                       ("c'", "ch"), ("a'", "a"), ("i'", "i")]  # fmt: skip
_PHONETIC_RULES = [
    (re.compile(r"shch|sch"), "sh"),
    (re.compile(r"tch"), "ch"),
    (re.compile(r"dzh|dj|zh"), "j"),
    (re.compile(r"kh|x"), "h"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ts|tz"), "c"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"ng"), "n"),  # Kazakh ң is written н in Russian spelling
    (re.compile(r"y"), "i"),
    (re.compile(r"o"), "a"),  # Uzbek Latin o is Russian а (Nodira/Надира); unstressed о
    (re.compile(r"ee"), "i"),
    (re.compile(r"ii+"), "i"),
    (re.compile(r"(?<=[aeiu])h$"), ""),  # Abdullah/Абдулла, Aishah/Аиша
    (re.compile(r"^abd[aeiu]l(?=[^aeiu])"), "abdu"),  # Abdulkarim/Abdukarim, Abd al-
]
_VOWELS = frozenset("aeiou")
# Skeleton classes: voiced and voiceless pairs that spellings confuse are merged
# (Ахмед/Ахмет, Ибрагим/Ibrahim, Юсупов/Юсуфов/يوسوبوف). sh → X and ch → C keep them
# apart from s and k.
_SKELETON_CLASSES = {"h": "H", "g": "H", "k": "K", "d": "T", "t": "T", "j": "J", "c": "C",
                     "v": "V", "f": "B", "b": "B", "p": "B", "z": "Z", "s": "S", "l": "L",
                     "m": "M", "n": "N", "r": "R"}  # fmt: skip


@lru_cache(maxsize=16384)
def phonetic(word: str) -> str:
    """One Latin word with spelling conventions unified and double letters collapsed."""
    for pair, replacement in _APOSTROPHE_LETTERS:
        word = word.replace(pair, replacement)
    word = word.replace("'", "")
    for pattern, replacement in _PHONETIC_RULES:
        word = pattern.sub(replacement, word)
    return re.sub(r"(.)\1+", r"\1", word)


@lru_cache(maxsize=16384)
def skeleton(phon: str) -> str:
    """Consonant classes of a phonetic word, upper case ASCII; a leading vowel is kept as
    "A" (Ali and Vali differ). ``sh`` is X, ``ch`` is C."""
    if not phon:
        return ""
    phon = phon.replace("sh", "X").replace("ch", "C")
    out = ["A"] if phon[0] in _VOWELS else []
    for ch in phon:
        if ch in _VOWELS:
            continue
        symbol = _SKELETON_CLASSES.get(ch, ch.upper() if ch.isalpha() else "")
        if symbol and (not out or out[-1] != symbol):
            out.append(symbol)
    return "".join(out)


# Endings that vary for one family: Ахметов/Ахметова/Ахмет, Рахимов/Рахимзода,
# Маратович/Маратұлы/Marat oʻgʻli. Matched on the phonetic form (o is a, y is i).
_FAMILY_ENDINGS = ("ieva", "iev", "ava", "eva", "ina", "ian", "av", "ev", "in", "skaia",
                   "ski", "zada", "zade", "uli", "kizi", "ugli", "ufa", "uf", "ifa", "if")  # fmt: skip
_PATRONYMIC_ENDINGS = ("ievich", "ievna", "avich", "evich", "avna", "evna", "ichna", "ich",
                       "uli", "kizi", "ugli", "ulu", "kiz")  # fmt: skip
_PATRONYMIC_WORDS = frozenset({"uli", "ulu", "kizi", "ugli", "ibn", "bin", "bint", "ben"})
_ARTICLES = frozenset({"al", "el", "ul", "ad", "ar", "as", "ash", "az", "an", "at", "ud",
                       "ur", "us", "un", "ut", "uz", "ad-"})  # fmt: skip


def _strip_ending(word: str, endings: Sequence[str]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


# --- name forms ---------------------------------------------------------------------------


class Kind:
    GIVEN = "given"
    FAMILY = "family"
    PATRONYMIC = "patronymic"
    FULL = "full"


@dataclass(frozen=True)
class Word:
    raw: str  # folded original
    phon: str
    skel: str


def _word(raw: str, lat: str) -> Word:
    phon = phonetic(lat)
    return Word(raw=raw, phon=phon, skel=skeleton(phon))


@dataclass(frozen=True)
class NameForm:
    """One name field (e.g. a given name) ready for comparison."""

    folded: str
    words: tuple[Word, ...]
    joined: Word  # all words run together, articles left out: Abd al-Rahman = Abdurahman
    stem: str  # phonetic form without family / patronymic endings

    @property
    def empty(self) -> bool:
        return not self.words


@lru_cache(maxsize=16384)
def name_form(value: str, kind: str = Kind.GIVEN) -> NameForm:
    folded = fold(value)
    raw_words = folded.split(" ") if folded else []
    lat_words = [_latin_word(w) for w in raw_words]
    pairs = [(r, lat) for r, lat in zip(raw_words, lat_words, strict=True) if lat.strip("'")]
    if kind == Kind.PATRONYMIC:
        pairs = [p for p in pairs if phonetic(p[1]) not in _PATRONYMIC_WORDS] or pairs
    words = [_word(r, lat) for r, lat in pairs]
    if len(pairs) > 1:  # articles: Abd al-Rahman is Abdurahman run together
        pairs = [p for p in pairs if phonetic(p[1]) not in _ARTICLES] or pairs
    joined = (
        _word("".join(r for r, _lat in pairs), "".join(lat for _r, lat in pairs))
        if pairs
        else Word("", "", "")
    )
    endings = _PATRONYMIC_ENDINGS if kind == Kind.PATRONYMIC else _FAMILY_ENDINGS
    stem = _strip_ending(joined.phon, endings) if kind != Kind.GIVEN else joined.phon
    return NameForm(folded=folded, words=tuple(words), joined=joined, stem=stem)


# --- comparing names ----------------------------------------------------------------------


class Level(IntEnum):
    """Agreement of one field; higher is closer."""

    MISSING = 0
    DIFFERENT = 1
    PARTIAL = 2
    TYPO = 3
    VARIANT = 4  # same stem (Ахметов/Ахмет), or one name inside the other (double names)
    TRANSLIT = 5  # the same name in another script or spelling
    EXACT = 6


_FEMININE_ENDINGS = ("a", "ia", "ya")


@lru_cache(maxsize=1)
def _name_groups() -> dict[str, frozenset[int]]:
    """Phonetic form → the lines of ``given_names.GROUPS`` it appears on."""
    from .given_names import GROUPS

    groups: dict[str, set[int]] = {}
    for number, line in enumerate(GROUPS.strip().splitlines()):
        for variant in line.split():
            groups.setdefault(phonetic(latin(variant).replace(" ", "")), set()).add(number)
    return {phon: frozenset(lines) for phon, lines in groups.items()}


def _unvocalised(phon: str) -> bool:
    """Arabic script writes no short vowels: "mhmd" says nothing about vowels."""
    return not any(ch in _VOWELS for ch in phon[1:])


def _gender_pair(a: str, b: str) -> bool:
    """Karim/Karima, Aziz/Aziza: a brother's and a sister's name, not a typo."""
    short, long = sorted((a, b), key=len)
    return any(long == short + e for e in _FEMININE_ENDINGS)


@lru_cache(maxsize=8192)
def compare_words(a: Word, b: Word, given: bool = False) -> Level:
    if not a.phon or not b.phon:
        return Level.MISSING
    if a.raw == b.raw:
        return Level.EXACT
    if a.phon == b.phon:
        return Level.TRANSLIT
    if given:
        if _gender_pair(a.phon, b.phon):
            return Level.DIFFERENT
        groups = _name_groups()
        ga, gb = groups.get(a.phon), groups.get(b.phon)
        if ga and gb:
            return Level.TRANSLIT if ga & gb else Level.DIFFERENT
    jw = JaroWinkler.similarity(a.phon, b.phon)
    if a.skel == b.skel and (jw >= 0.8 or _unvocalised(a.phon) or _unvocalised(b.phon)):
        return Level.TRANSLIT
    shortest = min(len(a.phon), len(b.phon))
    distance = Levenshtein.distance(a.phon, b.phon, score_cutoff=2)
    if (distance <= 1 and shortest >= 4) or (distance <= 2 and shortest >= 8) or jw >= 0.93:
        return Level.TYPO
    if jw >= 0.84:
        return Level.PARTIAL
    return Level.DIFFERENT


def compare_names(a: NameForm, b: NameForm, kind: str) -> Level:
    """Agreement of two name fields, each possibly of several words."""
    if a.empty or b.empty:
        return Level.MISSING
    given = kind == Kind.GIVEN
    if a.folded == b.folded:
        return Level.EXACT
    best = compare_words(a.joined, b.joined, given)
    if best == Level.EXACT:
        best = Level.TRANSLIT  # same letters, other separators: Абдул-Азиз / Абдулазиз
    # Ахметов/Ахмет/Akhmetova, Рахимов/Рахимзода: the same stem.
    same_stem = a.stem == b.stem or (
        len(skeleton(a.stem).lstrip("A")) >= 2 and skeleton(a.stem) == skeleton(b.stem)
    )
    if (
        kind != Kind.GIVEN
        and best < Level.VARIANT
        and min(len(a.stem), len(b.stem)) >= 3
        and same_stem
    ):
        best = Level.VARIANT
    if best < Level.VARIANT and (len(a.words) > 1 or len(b.words) > 1):
        short, long = sorted((a.words, b.words), key=len)
        matched = [max(compare_words(w, v, given) for v in long) for w in short]
        if min(matched) >= Level.TRANSLIT:
            best = Level.VARIANT if len(short) < len(long) else Level.TRANSLIT
    return best


# --- dates --------------------------------------------------------------------------------


class Precision:
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


ESTIMATE_MARGIN = timedelta(days=2 * 366)  # "about 2015": two years either way


_Date = date  # the type, where ``Birth.date`` hides the name


@dataclass(frozen=True)
class Birth:
    date: _Date | None = None
    precision: str = Precision.DAY
    estimated: bool = False

    def interval(self) -> tuple[_Date, _Date] | None:
        if self.date is None:
            return None
        d = self.date
        if self.precision == Precision.YEAR:
            lo, hi = date(d.year, 1, 1), date(d.year, 12, 31)
        elif self.precision == Precision.MONTH:
            last = calendar.monthrange(d.year, d.month)[1]
            lo, hi = date(d.year, d.month, 1), date(d.year, d.month, last)
        else:
            lo = hi = d
        if self.estimated:
            lo = max(date.min, lo - ESTIMATE_MARGIN)
            hi = min(date.max, hi + ESTIMATE_MARGIN)
        return lo, hi

    @property
    def exact(self) -> bool:
        return self.date is not None and self.precision == Precision.DAY and not self.estimated


class DateLevel(IntEnum):
    MISSING = 0
    FAR = 1  # more than a year apart beyond what the precision allows
    DIFFERS = 2
    TYPO = 3  # one digit, or day and month swapped
    NEAR = 4  # consistent, but loosely (estimates)
    YEAR = 5  # consistent within the same year
    EXACT = 6


def _date_typo(a: date, b: date) -> bool:
    """One digit mistyped, two neighbouring digits swapped, or day and month swapped."""
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return True
    x, y = f"{a.year:04}{a.month:02}{a.day:02}", f"{b.year:04}{b.month:02}{b.day:02}"
    diff = [i for i in range(8) if x[i] != y[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and x[diff[1]] == y[diff[0]]
    )


def compare_births(a: Birth, b: Birth) -> DateLevel:
    ia, ib = a.interval(), b.interval()
    if ia is None or ib is None:
        return DateLevel.MISSING
    if a.exact and b.exact:
        if a.date == b.date:
            return DateLevel.EXACT
        assert a.date is not None and b.date is not None
        if _date_typo(a.date, b.date):
            return DateLevel.TYPO
    gap = max((ib[0] - ia[1]).days, (ia[0] - ib[1]).days, 0)
    if gap == 0:
        widest = max((ia[1] - ia[0]).days, (ib[1] - ib[0]).days)
        return DateLevel.YEAR if widest <= 366 else DateLevel.NEAR
    return DateLevel.DIFFERS if gap <= 366 else DateLevel.FAR


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What is known about one person (or asked about): primary names, other spellings,
    date of birth, sex and IIN."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    patronymic: tuple[str, ...] = ()
    full: tuple[str, ...] = ()  # other full names ("Aisha bint Muhammad"), any order
    birth: Birth = field(default_factory=Birth)
    sex: str = ""  # "female", "male" or "" when unknown
    iin: str = ""


# Weights (log-odds, hand-set; see docs/duplicates.md for how they were checked).
GIVEN_WEIGHTS = {Level.EXACT: 4.0, Level.TRANSLIT: 3.6, Level.VARIANT: 2.8, Level.TYPO: 2.6,
                 Level.PARTIAL: -2.5, Level.DIFFERENT: -5.0, Level.MISSING: 0.0}  # fmt: skip
FAMILY_WEIGHTS = {Level.EXACT: 3.0, Level.TRANSLIT: 2.8, Level.VARIANT: 2.4, Level.TYPO: 2.0,
                  Level.PARTIAL: -1.0, Level.DIFFERENT: -3.0, Level.MISSING: 0.0}  # fmt: skip
PATRONYMIC_WEIGHTS = {Level.EXACT: 1.0, Level.TRANSLIT: 1.0, Level.VARIANT: 0.9,
                      Level.TYPO: 0.7, Level.PARTIAL: -0.5, Level.DIFFERENT: -1.5,
                      Level.MISSING: 0.0}  # fmt: skip
DATE_WEIGHTS = {DateLevel.EXACT: 3.5, DateLevel.YEAR: 2.0, DateLevel.NEAR: 1.2,
                DateLevel.TYPO: 1.0, DateLevel.DIFFERS: -2.5, DateLevel.FAR: -5.0,
                DateLevel.MISSING: 0.0}  # fmt: skip
SWAP_PENALTY = 0.6
SEX_DIFFERS = -3.0
IIN_MATCH = 8.0
IIN_DIFFERS = -6.0
IIN_FLOOR = 0.9
PRIOR = -6.0

THRESHOLD = 0.5  # below: not reported
PROBABLE = 0.8  # at or above: "probably the same person"


@dataclass
class Match:
    score: float
    reasons: list[str]


@lru_cache(maxsize=16384)
def _values(values: tuple[str, ...], kind: str) -> tuple[str, ...]:
    """The distinct, non-empty spellings among ``values``."""
    seen: set[str] = set()
    out = []
    for value in values:
        form = name_form(value or "", kind)
        if not form.empty and form.folded not in seen:
            seen.add(form.folded)
            out.append(value)
    return tuple(out)


@lru_cache(maxsize=32768)
def _compare_values(a: str, b: str, kind: str) -> Level:
    # Keyed by the strings: hashing a str is cached by Python, hashing a NameForm is not.
    # Cache sizes are bounded for the web process budget (about 30 MB for all of them).
    return compare_names(name_form(a, kind), name_form(b, kind), kind)


def _best(queries: Sequence[str], candidates: Sequence[str], kind: str) -> tuple[Level, bool]:
    """Best agreement over all spellings; the flag says an other spelling (not the first
    one on either side) gave it."""
    best, other = Level.MISSING, False
    for i, q in enumerate(queries):
        for j, c in enumerate(candidates):
            level = _compare_values(q, c, kind)
            if level > best:
                best, other = level, bool(i or j)
    return best, other


_NAME_REASON = {
    Level.EXACT: "name_exact",
    Level.TRANSLIT: "name_transliteration",
    Level.VARIANT: "name_variant",
    Level.TYPO: "name_typo",
}


def _name_alignments(q: Identity, c: Identity) -> list[tuple[float, list[str]]]:
    qg, qf = _values(q.given, Kind.GIVEN), _values(q.family, Kind.FAMILY)
    cg, cf = _values(c.given, Kind.GIVEN), _values(c.family, Kind.FAMILY)
    options: list[tuple[float, list[str]]] = []

    def add(given: Level, family: Level, extra: float, reasons: list[str]) -> None:
        weight = GIVEN_WEIGHTS[given] + FAMILY_WEIGHTS[family] + extra
        for level, prefix in ((given, "given"), (family, "family")):
            if level in (Level.PARTIAL, Level.DIFFERENT):
                reasons.append(f"{prefix}_name_differs")
        worst = min(given, family)
        if worst in _NAME_REASON:
            reasons.insert(0, _NAME_REASON[worst])
        options.append((weight, reasons))

    g, g_other = _best(qg, cg, Kind.GIVEN)
    f, f_other = _best(qf, cf, Kind.FAMILY)
    add(g, f, 0.0, ["other_spelling"] if (g_other or f_other) else [])
    # Given and family name swapped (common when forms from abroad are copied): the
    # query's family name field holds the given name, and the other way round.
    sg, _o1 = _best(_values(q.family, Kind.GIVEN), cg, Kind.GIVEN)
    sf, _o2 = _best(_values(q.given, Kind.FAMILY), cf, Kind.FAMILY)
    if min(sg, sf) >= Level.TYPO:
        add(sg, sf, -SWAP_PENALTY, ["names_swapped"])
    # Other full names: as a given name used instead of the first one (a kunya such as
    # Umm Yusuf), or as words in any order.
    full_forms = _values(c.full, Kind.GIVEN)
    if full_forms:
        fg, _x = _best(qg, full_forms, Kind.GIVEN)
        if fg >= Level.TYPO and f >= Level.TYPO:
            add(fg, f, 0.0, ["other_spelling"])
    for full in c.full:
        words = fold(full).split(" ")
        if len(words) < 2:
            continue
        for i, gw in enumerate(words):
            for j, fw in enumerate(words):
                if i == j:
                    continue
                fg, _x = _best(qg, (gw,), Kind.GIVEN)
                ff, _y = _best(qf, (fw,), Kind.FAMILY)
                if min(fg, ff) >= Level.TYPO:
                    add(fg, ff, 0.0, ["other_spelling"])
    return options


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


_BEST_NAMES = (
    max(GIVEN_WEIGHTS.values()) + max(FAMILY_WEIGHTS.values()) + max(PATRONYMIC_WEIGHTS.values())
)


def may_reach(q: Identity, c: Identity, threshold: float = THRESHOLD) -> bool:
    """Whether ``c`` could score ``threshold`` against ``q`` even with perfect names:
    a cheap look at date of birth, sex and IIN that spares scoring most of a popular
    name's namesakes (born years apart)."""
    if q.iin and q.iin == c.iin:
        return True
    bound = PRIOR + _BEST_NAMES + DATE_WEIGHTS[compare_births(q.birth, c.birth)]
    if q.sex and c.sex and q.sex != c.sex:
        bound += SEX_DIFFERS
    if q.iin and c.iin:
        bound += IIN_DIFFERS
    return _logistic(bound) >= threshold


def score(q: Identity, c: Identity) -> Match:
    """How likely ``q`` and ``c`` are the same person, with the reasons."""
    weight, reasons = max(_name_alignments(q, c), key=lambda option: option[0])
    reasons = list(reasons)
    total = PRIOR + weight
    qp, cp = _values(q.patronymic, Kind.PATRONYMIC), _values(c.patronymic, Kind.PATRONYMIC)
    patronymic, _other = _best(qp, cp, Kind.PATRONYMIC)
    total += PATRONYMIC_WEIGHTS[patronymic]
    if patronymic >= Level.TYPO:
        reasons.append("patronymic_match")
    elif patronymic in (Level.PARTIAL, Level.DIFFERENT):
        reasons.append("patronymic_differs")
    birth = compare_births(q.birth, c.birth)
    total += DATE_WEIGHTS[birth]
    reasons.append(
        {
            DateLevel.EXACT: "birth_date_exact",
            DateLevel.YEAR: "birth_year_match",
            DateLevel.NEAR: "birth_date_near",
            DateLevel.TYPO: "birth_date_typo",
            DateLevel.DIFFERS: "birth_date_differs",
            DateLevel.FAR: "birth_date_far",
            DateLevel.MISSING: "birth_date_unknown",
        }[birth]
    )
    if q.sex and c.sex and q.sex != c.sex:
        total += SEX_DIFFERS
        reasons.append("sex_differs")
    if q.iin and c.iin:
        if q.iin == c.iin:
            total += IIN_MATCH
            reasons.insert(0, "iin_match")
        else:
            total += IIN_DIFFERS
            reasons.append("iin_differs")
    result = _logistic(total)
    if "iin_match" in reasons:
        # One IIN, one person: whatever the names say, the worker has to look (a typo in
        # the number is the other possibility, and also needs a look).
        result = max(result, IIN_FLOOR)
    return Match(score=round(result, 3), reasons=list(dict.fromkeys(reasons)))


# --- blocking keys ------------------------------------------------------------------------
# Keys are ASCII [A-Z0-9] so that byte order and any database collation agree.
#   T<skel>             one word of any name (name search)
#   P<skel>0<skel>      a given-name and a family-name skeleton, sorted (swaps meet)
#   Q<pre>0<pre>        the same with the first three symbols of each (a late typo)
#   Y<skel>0<year>      a given or family name and a year of birth ("0000": unknown)
#   Z<pre>0<year>       the same with the first three symbols
#   E…, F…              as Y and Z, for an estimated date (every year it may stand for)
# Family names are keyed by their stem (Ахметова and Ахмет share keys); a given name on
# the names list also carries the skeleton of its list's first spelling (Жүсіп = Юсуф).
# A true match usually shares several keys; a namesake of a popular name shares one or
# two, so ranking candidates by shared keys keeps the pool small and relevant.

MAX_KEY_LENGTH = 64
UNKNOWN_YEAR = "0000"
PREFIX = 3


@lru_cache(maxsize=1)
def _canonical() -> dict[str, frozenset[str]]:
    """Phonetic form → skeletons of the first spelling of each names-list line it is on."""
    from .given_names import GROUPS

    out: dict[str, set[str]] = {}
    for line in GROUPS.strip().splitlines():
        variants = [phonetic(latin(v).replace(" ", "")) for v in line.split()]
        head = skeleton(variants[0])
        for phon in variants:
            out.setdefault(phon, set()).add(head)
    return {phon: frozenset(heads) for phon, heads in out.items()}


@lru_cache(maxsize=16384)
def _skels_one(value: str, kind: str) -> frozenset[str]:
    form = name_form(value or "", kind)
    if form.empty:
        return frozenset()
    skels: set[str] = set()
    if kind == Kind.GIVEN:
        canonical = _canonical()
        for word in (form.joined, *form.words):
            if word.phon in _ARTICLES:
                continue
            skels.add(word.skel)
            skels |= canonical.get(word.phon, frozenset())
    else:
        skels.add(skeleton(form.stem))
        skels.update(skeleton(_strip_ending(w.phon, _FAMILY_ENDINGS)) for w in form.words)
    return frozenset(s[: MAX_KEY_LENGTH // 2 - 2] for s in skels if s)


def _skels(values: Iterable[str], kind: str) -> set[str]:
    skels: set[str] = set()
    for value in values:
        skels |= _skels_one(value, kind)
    return skels


def _years(birth: Birth) -> list[str]:
    interval = birth.interval()
    if interval is None:
        return [UNKNOWN_YEAR]
    return [f"{y:04d}" for y in range(interval[0].year, interval[1].year + 1)]


def _full_skels(full: Iterable[str]) -> set[str]:
    skels: set[str] = set()
    for value in full:
        for word in fold(value).split(" "):
            skels |= _skels([word], Kind.GIVEN) | _skels([word], Kind.FAMILY)
    return skels


def typed_key(word: str) -> str:
    """The name-search key of a word exactly as typed (no ending removed): "starts with"
    searches use it, so "Ахме" finds Ахметов and Ахмедова."""
    skel = skeleton(phonetic(latin(word).replace(" ", "")))
    return "T" + skel if skel else ""


def word_keys(word: str) -> list[str]:
    """Name-search keys for one word of a query: it may be any kind of name."""
    skels = set()
    for kind in (Kind.GIVEN, Kind.FAMILY, Kind.PATRONYMIC):
        skels |= _skels([word], kind)
    return sorted("T" + s for s in skels)


def _pair_keys(given: set[str], family: set[str]) -> set[str]:
    keys = {"P" + "0".join(sorted((a, b))) for a in given for b in family}
    keys |= {"Q" + "0".join(sorted((a[:PREFIX], b[:PREFIX]))) for a in given for b in family}
    return keys


def _year_keys(names: set[str], years: Iterable[str], *, estimated: bool = False) -> set[str]:
    full, short = ("E", "F") if estimated else ("Y", "Z")
    prefixes = {s[:PREFIX] for s in names}
    keys = set()
    for year in years:
        keys |= {f"{full}{s}0{year}" for s in names}
        keys |= {f"{short}{s}0{year}" for s in prefixes}
    return keys


def _center_year(birth: Birth) -> str:
    assert birth.date is not None
    return f"{birth.date.year:04d}"


def blocking_keys(identity: Identity) -> set[str]:
    """Every key stored for a person."""
    given = _skels(identity.given, Kind.GIVEN)
    family = _skels(identity.family, Kind.FAMILY)
    full = _full_skels(identity.full)
    patronymic = _skels(identity.patronymic, Kind.PATRONYMIC)
    keys = {"T" + s for s in given | family | full | patronymic}
    # Search by a family name as typed, not only by its stem.
    keys |= {"T" + s for s in _skels(identity.family, Kind.GIVEN)}
    keys |= _pair_keys(given | full, family | full)
    # An estimated date is stored under every year it may stand for, with its own letter:
    # a query then meets each namesake through one year only, estimated or not, and
    # shared-key counts stay comparable.
    estimated = identity.birth.date is not None and identity.birth.estimated
    keys |= _year_keys(given | family | full, _years(identity.birth), estimated=estimated)
    return {k for k in keys if len(k) <= MAX_KEY_LENGTH}


def query_keys(q: Identity) -> set[str]:
    """Keys to look up for a duplicate check: the pair keys (both names agree, whatever
    the date) and, when a date of birth is given, the name-and-year keys (one name
    misspelled beyond recognition; the other and the year agree). Stored estimated
    dates already carry every year they may stand for."""
    # Each name in both forms, in case the given and family names are swapped.
    given = _skels(q.given, Kind.GIVEN) | _skels(q.given, Kind.FAMILY)
    family = _skels(q.family, Kind.FAMILY) | _skels(q.family, Kind.GIVEN)
    keys = _pair_keys(given, family)
    if q.birth.date is not None:
        names = given | family
        # Records with an exact date in the years this date may stand for, records
        # with an estimated date that may stand for its year, and records with none.
        keys |= _year_keys(names, [*_years(q.birth), UNKNOWN_YEAR])
        keys |= _year_keys(names, [_center_year(q.birth)], estimated=True)
    return {k for k in keys if len(k) <= MAX_KEY_LENGTH}
