"""Scoring matches hand-computed examples; cut-offs, red flags, ages and totals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tirek.assessments.definitions import Definition, check_definition, severity_for
from tirek.assessments.services import INSTRUMENTS_DIR

from .factories import CHILD_BASELINE, CHILD_IMPROVED


def definition(code: str) -> Definition:
    data = json.loads((INSTRUMENTS_DIR / f"{code}.json").read_text(encoding="utf-8"))
    check_definition(data)
    return Definition(data)


def by_domain(results: list) -> dict[str, tuple[int, int, str]]:
    return {r.domain: (r.score, r.max_score, r.severity) for r in results}


def test_it_ships_valid_definitions_with_russian_and_english_text() -> None:
    files = sorted(Path(INSTRUMENTS_DIR).glob("*.json"))
    assert {f.stem for f in files} == {
        "tirek-initial",
        "tirek-child-needs",
        "tirek-adult-needs",
        "psc-17",
    }
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        check_definition(data)  # raises with every problem listed
        assert data["licence"]["electronic_use"] is True


def test_it_scores_psc17_as_computed_by_hand() -> None:
    psc = definition("psc-17")
    # Internalising: 2+1+1+2+0 = 6 (≥5 positive); attention: 1+0+1+1+0 = 3 (<7);
    # externalising: 2+1+1+1+1+0+1 = 7 (≥7 positive); total 16 (≥15 positive).
    answers = {
        "psc_sad": "often",
        "psc_hopeless": "sometimes",
        "psc_down_on_self": "sometimes",
        "psc_worries": "often",
        "psc_less_fun": "never",
        "psc_fidgety": "sometimes",
        "psc_daydreams": "never",
        "psc_distracted": "sometimes",
        "psc_concentrating": "sometimes",
        "psc_motor": "never",
        "psc_fights": "often",
        "psc_rules": "sometimes",
        "psc_feelings": "sometimes",
        "psc_teases": "sometimes",
        "psc_blames": "sometimes",
        "psc_share": "never",
        "psc_takes": "sometimes",
    }
    clean, errors = psc.clean_answers(answers, age=9)
    assert errors == {}
    assert by_domain(psc.score(clean, age=9)) == {
        "psc_internalising": (6, 10, "high"),
        "psc_attention": (3, 10, "none"),
        "psc_externalising": (7, 14, "high"),
        "psc_total": (16, 34, "high"),
    }


def test_it_keeps_psc17_below_its_cutoffs_negative() -> None:
    psc = definition("psc-17")
    answers = dict.fromkeys(psc.questions(), "never")
    answers.update({"psc_sad": "often", "psc_worries": "often"})  # internalising 4 < 5
    answers.update({"psc_fidgety": "often", "psc_distracted": "often", "psc_motor": "often"})
    # attention 6 < 7; total 10 < 15
    result = by_domain(psc.score(psc.clean_answers(answers, age=10)[0], age=10))
    assert result["psc_internalising"] == (4, 10, "none")
    assert result["psc_attention"] == (6, 10, "none")
    assert result["psc_total"] == (10, 34, "none")


def test_it_scores_the_child_needs_assessment_as_computed_by_hand() -> None:
    child = definition("tirek-child-needs")
    clean, errors = child.clean_answers(CHILD_BASELINE, age=12)
    assert errors == {}
    assert by_domain(child.score(clean, age=12)) == {
        "safety": (4, 9, "moderate"),  # 1 + 2 + 0 + 1; cut-offs 1 / 3 / 5
        "physical_health": (3, 9, "moderate"),  # 1 + 2
        "education": (9, 15, "high"),  # 3 + 2 + 2 + 1 + 1; high from 8
        "family": (1, 10, "none"),  # 0 + 1; low from 2
        "legal": (3, 10, "moderate"),  # 1 + 2
        "basic_needs": (3, 11, "low"),  # 2 + 1; low from 2
    }
    improved = by_domain(child.score(child.clean_answers(CHILD_IMPROVED, age=12)[0], age=12))
    assert improved["safety"] == (0, 9, "none")
    assert improved["education"] == (4, 15, "low")
    assert improved["legal"] == (1, 10, "low")


def test_it_makes_a_domain_high_on_an_urgent_answer_whatever_the_score() -> None:
    initial = definition("tirek-initial")
    clean, errors = initial.clean_answers(
        {"init_danger": False, "init_caregiver": "stable", "init_self_harm": True}, age=8
    )
    assert errors == {}
    safety = next(r for r in initial.score(clean, age=8) if r.domain == "safety")
    assert (safety.score, safety.severity, safety.red_flag) == (3, "high", True)


def test_it_asks_about_beliefs_only_from_twelve_and_never_when_the_age_is_unknown() -> None:
    child = definition("tirek-child-needs")
    assert "beliefs" in {d.code for d in child.applicable(12)}
    assert "beliefs" not in {d.code for d in child.applicable(11)}
    assert "beliefs" not in {d.code for d in child.applicable(None)}
    _clean, errors = child.clean_answers({"bel_exposure": "never"}, age=9)
    assert "answers.bel_exposure" in errors


def test_it_leaves_out_a_total_when_a_part_is_not_scored() -> None:
    psc = definition("psc-17")
    clean, _errors = psc.clean_answers({"psc_sad": "often"}, age=9)
    assert {r.domain for r in psc.score(clean, age=9)} == {"psc_internalising"}


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "none"),
        (1, "low"),
        (2, "low"),
        (3, "moderate"),
        (4, "moderate"),
        (5, "high"),
        (9, "high"),
    ],
)
def test_it_maps_scores_to_severity_by_cutoff(score: int, expected: str) -> None:
    assert severity_for(score, {"low": 1, "moderate": 3, "high": 5}) == expected


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"safety_home": "dangerous"}, "answers.safety_home"),  # not an option
        ({"safety_violence": "perhaps"}, "answers.safety_violence"),
        ({"mh_distress": 9}, "answers.mh_distress"),  # scale 0..4
        ({"mh_distress": True}, "answers.mh_distress"),  # a bool is not a number
        ({"vw_wishes": "a\x00b"}, "answers.vw_wishes"),
        ({"vw_wishes": "x" * 2001}, "answers.vw_wishes"),
        ({"vw_strengths": ["kind", "flying"]}, "answers.vw_strengths"),
        ({"no_such_question": 1}, "answers.no_such_question"),
        ({"safety\x00": 1}, "answers.safety\x00"),
    ],
)
def test_it_refuses_answers_of_the_wrong_type_with_a_clear_field(answers: dict, field: str) -> None:
    child = definition("tirek-child-needs")
    clean, errors = child.clean_answers(answers, age=12)
    assert field in errors and errors[field]
    assert clean == {}


def test_it_refuses_a_definition_without_electronic_use_or_english() -> None:
    data = json.loads((INSTRUMENTS_DIR / "psc-17.json").read_text(encoding="utf-8"))
    data["licence"]["electronic_use"] = False
    del data["domains"][0]["questions"][0]["text"]["en"]
    with pytest.raises(ValueError) as caught:
        check_definition(data)
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert any("electronic use" in p for p in problems)
    assert any("psc_sad.text: missing the en text" in p for p in problems)
