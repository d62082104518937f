"""Instrument definitions: checking them, cleaning answers and scoring — pure Python.

A definition is JSON (see ``instruments/*.json``)::

    {"code", "kind": initial|comprehensive|screening, "subject": child|adult|any,
     "title": {lang: text}, "description", "ages": {"min", "max"}, "languages": [...],
     "licence": {"name", "electronic_use": true, "text": {lang: text}, "url"},
     "answer_sets": {name: [option, ...]},
     "domains": [{"code", "title", "section": plan|psychological, "min_age", "max_age",
                  "cutoffs": {"low", "moderate", "high"}, "questions": [question, ...]}],
     "totals": [{"code", "title", "domains": [...], "cutoffs": {...}}]}

A question: ``{"code", "type", "text", "help"?, "required"?, "min_age"?, "max_age"?}`` plus
by type — single/multiple: ``options`` (a list or the name of an answer set; an option is
``{"value", "label", "score"?, "red_flag"?}``; multiple may cap with ``max_score``);
scale: ``min``, ``max``, ``reverse``?, ``anchors``?; yes_no: ``score_yes``?, ``score_no``?,
``red_flag_if``?; number: ``min``, ``max``, ``score_ranges``? [{"min","max","score"}];
text: ``max_length``?.

Scores measure need: the higher, the more help the domain needs (strength items are
reverse-scored). A domain's severity is the highest cut-off its score reaches; a
red-flag answer makes it high whatever the score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from .domains import CUTOFF_ORDER, Severity

KINDS = ("initial", "comprehensive", "screening")
SUBJECTS = ("child", "adult", "any")
TYPES = ("single", "multiple", "scale", "yes_no", "number", "text")
SECTIONS = ("plan", "psychological")
REQUIRED_LANGUAGES = ("ru", "en")
CODE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_MAX = 4000


def localised(texts: Any) -> str:
    """The text in the active language, else Russian, else English, else any."""
    if isinstance(texts, str):
        return texts
    if not isinstance(texts, dict) or not texts:
        return ""
    lang = (get_language() or "ru").split("-")[0]
    return str(texts.get(lang) or texts.get("ru") or texts.get("en") or next(iter(texts.values())))


# --- checking a definition -----------------------------------------------------------


class DefinitionError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _texts(problems: list[str], where: str, value: Any, *, required: bool = True) -> None:
    if value is None and not required:
        return
    if not isinstance(value, dict):
        problems.append(f"{where}: expected texts by language")
        return
    for lang in REQUIRED_LANGUAGES:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            problems.append(f"{where}: missing the {lang} text")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _options(problems: list[str], where: str, options: Any) -> None:
    if not isinstance(options, list) or not options:
        problems.append(f"{where}: options must be a non-empty list")
        return
    values = [o.get("value") for o in options if isinstance(o, dict)]
    if len(values) != len(options) or not all(isinstance(v, str) and CODE.match(v) for v in values):
        problems.append(f"{where}: every option needs a code-like value")
    if len(set(values)) != len(values):
        problems.append(f"{where}: option values repeat")
    for option in options:
        if isinstance(option, dict):
            _texts(problems, f"{where}.{option.get('value')}", option.get("label"))
            if "score" in option and not _int(option["score"]):
                problems.append(f"{where}.{option.get('value')}: score must be a whole number")


def _cutoffs(problems: list[str], where: str, cutoffs: Any) -> None:
    if cutoffs is None:
        return
    if not isinstance(cutoffs, dict) or not set(cutoffs) <= set(CUTOFF_ORDER):
        problems.append(f"{where}: cut-offs are {{low, moderate, high}}")
        return
    previous = -math.inf
    for level in CUTOFF_ORDER:
        if level in cutoffs:
            if not _int(cutoffs[level]) or cutoffs[level] <= previous:
                problems.append(f"{where}: cut-offs must be rising whole numbers")
                return
            previous = cutoffs[level]


def check_definition(data: Any) -> None:
    """Raise DefinitionError listing everything wrong with a definition."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DefinitionError(["a definition is a JSON object"])
    code = data.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        problems.append("code: letters, digits, - and _ only")
    if data.get("kind") not in KINDS:
        problems.append(f"kind: one of {', '.join(KINDS)}")
    if data.get("subject") not in SUBJECTS:
        problems.append(f"subject: one of {', '.join(SUBJECTS)}")
    _texts(problems, "title", data.get("title"))
    _texts(problems, "description", data.get("description"), required=False)
    ages = data.get("ages", {})
    if not isinstance(ages, dict) or not all(
        _int(ages.get(k)) or ages.get(k) is None for k in ("min", "max")
    ):
        problems.append("ages: {min, max} whole numbers")
    languages = data.get("languages")
    if not isinstance(languages, list) or not set(REQUIRED_LANGUAGES) <= set(languages):
        problems.append("languages: must list at least ru and en")
    validated_in = data.get("validated_in")
    if validated_in is not None:
        if not isinstance(validated_in, list) or not all(isinstance(x, str) for x in validated_in):
            problems.append("validated_in: a list of language codes")
        # Every other language is a working translation: the form must be able to say so.
        _texts(problems, "translation_note", data.get("translation_note"))
    licence = data.get("licence")
    if not isinstance(licence, dict) or not str(licence.get("name", "")).strip():
        problems.append("licence: name the licence")
    elif licence.get("electronic_use") is not True:
        # DESIGN.md section 3: ship only instruments whose licence allows electronic use.
        problems.append("licence: electronic use must be allowed to load an instrument")
    else:
        _texts(problems, "licence.text", licence.get("text"))
    answer_sets = data.get("answer_sets", {})
    if not isinstance(answer_sets, dict):
        problems.append("answer_sets: an object of named option lists")
        answer_sets = {}
    for name, options in answer_sets.items():
        _options(problems, f"answer_sets.{name}", options)
    domains = data.get("domains")
    if not isinstance(domains, list) or not domains:
        problems.append("domains: at least one")
        domains = []
    seen_domains: set[str] = set()
    seen_questions: set[str] = set()
    for d in domains:
        if not isinstance(d, dict):
            problems.append("domains: each is an object")
            continue
        dcode = d.get("code")
        where = f"domain {dcode}"
        if not isinstance(dcode, str) or not CODE.match(dcode) or dcode in seen_domains:
            problems.append(f"{where}: a unique code")
        seen_domains.add(str(dcode))
        _texts(problems, f"{where}.title", d.get("title"))
        if d.get("section", "plan") not in SECTIONS:
            problems.append(f"{where}.section: one of {', '.join(SECTIONS)}")
        _cutoffs(problems, f"{where}.cutoffs", d.get("cutoffs"))
        questions = d.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append(f"{where}: at least one question")
            continue
        for q in questions:
            _check_question(problems, q, answer_sets, seen_questions)
    for total in data.get("totals", []) or []:
        if not isinstance(total, dict) or not isinstance(total.get("code"), str):
            problems.append("totals: each needs a code")
            continue
        _texts(problems, f"total {total['code']}.title", total.get("title"))
        if total["code"] in seen_domains or not set(total.get("domains", [])) <= seen_domains:
            problems.append(f"total {total['code']}: a new code over existing domains")
        _cutoffs(problems, f"total {total['code']}.cutoffs", total.get("cutoffs"))
    if problems:
        raise DefinitionError(problems)


def _check_question(
    problems: list[str], q: Any, answer_sets: dict[str, Any], seen: set[str]
) -> None:
    if not isinstance(q, dict):
        problems.append("questions: each is an object")
        return
    qcode = q.get("code")
    where = f"question {qcode}"
    if not isinstance(qcode, str) or not CODE.match(qcode) or qcode in seen:
        problems.append(f"{where}: a unique code")
    seen.add(str(qcode))
    _texts(problems, f"{where}.text", q.get("text"))
    _texts(problems, f"{where}.help", q.get("help"), required=False)
    kind = q.get("type")
    if kind not in TYPES:
        problems.append(f"{where}.type: one of {', '.join(TYPES)}")
    elif kind in ("single", "multiple"):
        options = q.get("options")
        if isinstance(options, str):
            if options not in answer_sets:
                problems.append(f"{where}: no answer set {options}")
        else:
            _options(problems, where, options)
    elif kind == "scale":
        if not (_int(q.get("min")) and _int(q.get("max")) and q["min"] < q["max"]):
            problems.append(f"{where}: a scale needs whole min < max")
        for anchor in (q.get("anchors") or {}).values():
            _texts(problems, f"{where}.anchors", anchor)
    elif kind == "number":
        if not (_number(q.get("min")) and _number(q.get("max")) and q["min"] < q["max"]):
            problems.append(f"{where}: a number needs min < max")
    elif kind == "text":
        max_length = q.get("max_length", 2000)
        if not _int(max_length) or not 1 <= max_length <= TEXT_MAX:
            problems.append(f"{where}.max_length: 1..{TEXT_MAX}")


# --- using a definition --------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    code: str
    domain: str
    type: str
    spec: dict[str, Any]
    options: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return localised(self.spec.get("text"))

    @property
    def help(self) -> str:
        return localised(self.spec.get("help"))

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required", False))

    @property
    def scored(self) -> bool:
        if self.type in ("single", "multiple"):
            return any("score" in o for o in self.options)
        if self.type == "yes_no":
            return "score_yes" in self.spec or "score_no" in self.spec
        if self.type == "scale":
            return self.spec.get("score", True) is not False
        if self.type == "number":
            return bool(self.spec.get("score_ranges"))
        return False

    @property
    def max_score(self) -> int:
        if not self.scored:
            return 0
        if self.type == "single":
            return max(int(o.get("score", 0)) for o in self.options)
        if self.type == "multiple":
            total = sum(max(int(o.get("score", 0)), 0) for o in self.options)
            return min(total, int(self.spec.get("max_score", total)))
        if self.type == "scale":
            return int(self.spec["max"]) - int(self.spec["min"])
        if self.type == "yes_no":
            return max(int(self.spec.get("score_yes", 0)), int(self.spec.get("score_no", 0)))
        return max(int(r["score"]) for r in self.spec["score_ranges"])

    def option_label(self, value: Any) -> str:
        for option in self.options:
            if option["value"] == value:
                return localised(option["label"])
        return str(value)

    def score(self, value: Any) -> int:
        """The score of a cleaned, present answer."""
        if not self.scored:
            return 0
        if self.type == "single":
            return next(int(o.get("score", 0)) for o in self.options if o["value"] == value)
        if self.type == "multiple":
            total = sum(int(o.get("score", 0)) for o in self.options if o["value"] in value)
            return min(total, self.max_score)
        if self.type == "scale":
            low, high = int(self.spec["min"]), int(self.spec["max"])
            return high - value if self.spec.get("reverse") else value - low
        if self.type == "yes_no":
            return int(self.spec.get("score_yes" if value else "score_no", 0))
        for band in self.spec["score_ranges"]:
            if band["min"] <= value <= band["max"]:
                return int(band["score"])
        return 0

    def is_red_flag(self, value: Any) -> bool:
        if self.type == "single":
            return any(o["value"] == value and o.get("red_flag") for o in self.options)
        if self.type == "multiple":
            return any(o["value"] in value and o.get("red_flag") for o in self.options)
        if self.type == "yes_no" and "red_flag_if" in self.spec:
            return value is self.spec["red_flag_if"]
        return False

    def display(self, value: Any) -> str:
        from django.utils.translation import gettext as _

        if value is None:
            return ""
        if self.type == "single":
            return self.option_label(value)
        if self.type == "multiple":
            return "; ".join(self.option_label(v) for v in value)
        if self.type == "yes_no":
            return str(_("Yes") if value else _("No"))
        return str(value)


@dataclass(frozen=True)
class DomainSpec:
    code: str
    spec: dict[str, Any]
    questions: list[Question]

    @property
    def title(self) -> str:
        return localised(self.spec.get("title"))

    @property
    def psychological(self) -> bool:
        return self.spec.get("section") == "psychological"

    @property
    def cutoffs(self) -> dict[str, int]:
        return dict(self.spec.get("cutoffs") or {})


@dataclass(frozen=True)
class DomainResult:
    domain: str
    title: str
    score: int
    max_score: int
    answered: int
    severity: str
    red_flag: bool = False
    is_total: bool = False


@dataclass
class Definition:
    data: dict[str, Any]
    domains: list[DomainSpec] = field(init=False)

    def __post_init__(self) -> None:
        sets = self.data.get("answer_sets", {})
        self.domains = []
        for d in self.data["domains"]:
            questions = []
            for q in d["questions"]:
                options = q.get("options", [])
                if isinstance(options, str):
                    options = sets[options]
                questions.append(Question(q["code"], d["code"], q["type"], q, list(options)))
            self.domains.append(DomainSpec(d["code"], d, questions))

    @property
    def code(self) -> str:
        return str(self.data["code"])

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def subject(self) -> str:
        return str(self.data["subject"])

    @property
    def title(self) -> str:
        return localised(self.data.get("title"))

    @property
    def all_psychological(self) -> bool:
        return all(d.psychological for d in self.domains)

    @property
    def translation_note(self) -> str:
        """The instrument's note that the active language's text is a working translation,
        not validated (empty for a validated language or an instrument without validation)."""
        language = (get_language() or "ru").split("-")[0]
        if language not in self.data.get("unvalidated_languages", []):
            return ""
        return localised(self.data.get("translation_note"))

    def age_range(self) -> tuple[int | None, int | None]:
        ages = self.data.get("ages") or {}
        return ages.get("min"), ages.get("max")

    def suits_age(self, age: int | None) -> bool:
        low, high = self.age_range()
        if age is None:
            return True  # unknown birth dates are common; the professional decides
        return (low is None or age >= low) and (high is None or age <= high)

    def questions(self) -> dict[str, Question]:
        return {q.code: q for d in self.domains for q in d.questions}

    def applicable(self, age: int | None) -> list[DomainSpec]:
        """Domains and questions that apply at this age. Age-limited parts (beliefs: 12+)
        are left out when the age is unknown rather than asked of a young child."""

        def fits(spec: dict[str, Any]) -> bool:
            low, high = spec.get("min_age"), spec.get("max_age")
            if low is None and high is None:
                return True
            if age is None:
                return False
            return (low is None or age >= low) and (high is None or age <= high)

        result = []
        for d in self.domains:
            if not fits(d.spec):
                continue
            questions = [q for q in d.questions if fits(q.spec)]
            if questions:
                result.append(DomainSpec(d.code, d.spec, questions))
        return result

    # -- answers --------------------------------------------------------------------

    def clean_answers(
        self, raw: Any, *, age: int | None, allowed_domains: set[str] | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Type-check answers against the definition: (clean answers, errors by field).

        Unknown questions, questions that do not apply at this age and domains the user
        may not fill are errors, not silently dropped: the caller must know.
        """
        from django.utils.translation import gettext as _

        errors: dict[str, str] = {}
        clean: dict[str, Any] = {}
        if not isinstance(raw, dict):
            return {}, {"answers": str(_("Answers must be an object keyed by question code."))}
        applicable = {q.code: q for d in self.applicable(age) for q in d.questions}
        known = self.questions()
        for key, value in raw.items():
            name = f"answers.{key}"
            question = applicable.get(key)
            if question is None:
                errors[name] = str(
                    _("This question does not apply to this person.")
                    if key in known
                    else _("No such question in this instrument.")
                )
                continue
            if allowed_domains is not None and question.domain not in allowed_domains:
                errors[name] = str(_("Your role does not fill in this part."))
                continue
            if value is None or value == "" or value == []:
                clean[key] = None
                continue
            try:
                clean[key] = _clean_value(question, value)
            except ValueError as exc:
                errors[name] = str(exc)
        return clean, errors

    def missing_required(self, answers: dict[str, Any], *, age: int | None) -> list[str]:
        return [
            q.code
            for d in self.applicable(age)
            for q in d.questions
            if q.required and answers.get(q.code) in (None, "", [])
        ]

    # -- scoring --------------------------------------------------------------------

    def score(self, answers: dict[str, Any], *, age: int | None) -> list[DomainResult]:
        """Scores per applicable domain that has at least one scored answer, then totals."""
        results: dict[str, DomainResult] = {}
        for d in self.applicable(age):
            scored = [q for q in d.questions if q.scored]
            answered = [q for q in scored if answers.get(q.code) is not None]
            red_flag = any(
                answers.get(q.code) is not None and q.is_red_flag(answers[q.code])
                for q in d.questions
            )
            if not answered and not red_flag:
                continue
            score = sum(q.score(answers[q.code]) for q in answered)
            severity = severity_for(score, d.cutoffs)
            if red_flag:
                severity = Severity.HIGH
            results[d.code] = DomainResult(
                domain=d.code,
                title=d.title,
                score=score,
                max_score=sum(q.max_score for q in scored),
                answered=len(answered),
                severity=str(severity),
                red_flag=red_flag,
            )
        for total in self.data.get("totals", []) or []:
            parts = [results.get(code) for code in total["domains"]]
            if any(p is None for p in parts):
                continue  # a total needs every part it adds up
            score = sum(p.score for p in parts if p)
            results[total["code"]] = DomainResult(
                domain=total["code"],
                title=localised(total["title"]),
                score=score,
                max_score=sum(p.max_score for p in parts if p),
                answered=sum(p.answered for p in parts if p),
                severity=str(severity_for(score, total.get("cutoffs") or {})),
                is_total=True,
            )
        return list(results.values())

    def domain_title(self, code: str) -> str:
        for d in self.domains:
            if d.code == code:
                return d.title
        for total in self.data.get("totals", []) or []:
            if total["code"] == code:
                return localised(total["title"])
        return code


def severity_for(score: int, cutoffs: dict[str, int]) -> str:
    severity = Severity.NONE
    for level in CUTOFF_ORDER:
        if level in cutoffs and score >= cutoffs[level]:
            severity = level
    return str(severity)


def _clean_value(question: Question, value: Any) -> Any:
    from django.utils.translation import gettext as _

    spec = question.spec
    kind = question.type
    if kind == "single":
        if not isinstance(value, str) or value not in {o["value"] for o in question.options}:
            raise ValueError(_("Choose one of the offered answers."))
        return value
    if kind == "multiple":
        values = [value] if isinstance(value, str) else value
        allowed = {o["value"] for o in question.options}
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v in allowed for v in values
        ):
            raise ValueError(_("Choose among the offered answers."))
        # Keep the definition's order and drop repeats.
        return [o["value"] for o in question.options if o["value"] in values]
    if kind == "scale":
        number = _as_int(value)
        if number is None or not spec["min"] <= number <= spec["max"]:
            raise ValueError(
                _("Give a whole number from %(min)s to %(max)s.")
                % {"min": spec["min"], "max": spec["max"]}
            )
        return number
    if kind == "yes_no":
        if isinstance(value, bool):
            return value
        if value in ("yes", "true", "1"):
            return True
        if value in ("no", "false", "0"):
            return False
        raise ValueError(_("Answer yes or no."))
    if kind == "number":
        amount = _as_number(value)
        if amount is None or not spec["min"] <= amount <= spec["max"]:
            raise ValueError(
                _("Give a number from %(min)s to %(max)s.")
                % {"min": spec["min"], "max": spec["max"]}
            )
        return amount
    # text
    if not isinstance(value, str):
        raise ValueError(_("Give a text answer."))
    max_length = int(spec.get("max_length", 2000))
    if len(value) > max_length:
        raise ValueError(
            _("At most %(max)d characters (this has %(length)d).")
            % {"max": max_length, "length": len(value)}
        )
    if _CONTROL.search(value):
        raise ValueError(_("Text must not contain control characters."))
    return value.strip() or None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip()):
        return int(value)
    return None


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}([.,]\d{1,6})?", value.strip()):
        text = value.strip().replace(",", ".")
        return int(text) if "." not in text else float(text)
    return None
