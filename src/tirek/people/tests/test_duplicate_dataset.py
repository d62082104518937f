"""Recall and false alarms of the duplicate check on the hand-written test set
(``data/duplicates.json``): the scoring alone, and end to end through the stored
blocking keys (so a pair the keys fail to bring together counts as missed).

Measured figures are in docs/duplicates.md; the thresholds below are what the current
weights meet with a margin, so a change that degrades matching fails here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tirek.people import keys, selectors
from tirek.people.matching import PROBABLE, THRESHOLD, Birth, Identity, score
from tirek.people.models import Person, PersonName

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))["pairs"]
    return pairs


def identity(p: dict[str, Any]) -> Identity:
    names = p.get("other_names", [])

    def of(kind: str) -> tuple[str, ...]:
        return tuple(v for k, v in names if k == kind)

    born = date.fromisoformat(p["birth_date"]) if p.get("birth_date") else None
    return Identity(
        given=(p["given"], *of("given")),
        family=(p["family"], *of("family")),
        patronymic=((p["patronymic"],) if p.get("patronymic") else ()) + of("patronymic"),
        full=of("full"),
        birth=Birth(born, p.get("precision", "day"), p.get("estimated", False)),
        sex=p.get("sex", ""),
    )


@dataclass
class Figures:
    true_pairs: int
    decoys: int
    found_probable: int  # true pairs scored ≥ 0.8
    found_possible: int  # true pairs scored ≥ 0.5
    false_alarms: int  # decoys scored ≥ 0.5

    @property
    def recall_probable(self) -> float:
        return self.found_probable / self.true_pairs

    @property
    def recall_possible(self) -> float:
        return self.found_possible / self.true_pairs

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.decoys


def figures(pairs: list[dict[str, Any]], scores: list[float]) -> Figures:
    same = [s for p, s in zip(pairs, scores, strict=True) if p["same"]]
    decoys = [s for p, s in zip(pairs, scores, strict=True) if not p["same"]]
    return Figures(
        true_pairs=len(same),
        decoys=len(decoys),
        found_probable=sum(s >= PROBABLE for s in same),
        found_possible=sum(s >= THRESHOLD for s in same),
        false_alarms=sum(s >= THRESHOLD for s in decoys),
    )


def test_it_has_a_test_set_of_the_required_breadth() -> None:
    pairs = load("duplicates.json")
    assert len(pairs) >= 120
    categories = {p["category"] for p in pairs if p["same"]}
    assert categories >= {
        "ru_kk", "ru_tg", "uz_latin", "kk_latin", "en_translit", "arabic",
        "swapped", "typo", "hyphen", "homoglyph", "estimated",
    }  # fmt: skip
    assert {p["category"] for p in pairs if not p["same"]} >= {
        "sibling", "twins", "similar", "generation",
    }  # fmt: skip


def test_it_scores_the_test_set_with_high_recall_and_few_false_alarms() -> None:
    pairs = load("duplicates.json")
    result = figures(
        pairs, [score(identity(p["query"]), identity(p["record"])).score for p in pairs]
    )
    assert result.recall_possible >= 0.95
    assert result.recall_probable >= 0.90
    assert result.false_alarm_rate <= 0.05


def _store(p: dict[str, Any]) -> Person:
    born = date.fromisoformat(p["birth_date"]) if p.get("birth_date") else None
    person = Person.objects.create(
        given_name=p["given"],
        family_name=p["family"],
        patronymic=p.get("patronymic", ""),
        sex=p.get("sex", "unknown"),
        birth_date=born,
        birth_date_precision=p.get("precision", "day"),
        birth_date_estimated=p.get("estimated", False),
    )
    for kind, value in p.get("other_names", []):
        PersonName.objects.create(person=person, kind=kind, value=value)
    keys.refresh_keys(person)
    return person


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["duplicates.json", "duplicates_holdout.json"])
def test_it_finds_the_pairs_through_the_stored_keys(name: str) -> None:
    """All records on file at once (as in real life, each query also meets the others);
    the score of the pair's record counts only if the candidate search returned it."""
    pairs = load(name)
    stored = [_store(p["record"]) for p in pairs]
    scores = []
    for pair, record in zip(pairs, stored, strict=True):
        found = {c.person.pk: c.score for c in selectors.find_duplicates(identity(pair["query"]))}
        scores.append(found.get(record.pk, 0.0))
    result = figures(pairs, scores)
    assert result.recall_possible >= 0.95
    if name == "duplicates.json":
        assert result.recall_probable >= 0.90
        assert result.false_alarm_rate <= 0.05
    else:
        # Written after the weights were set and never tuned on: twins whose names differ
        # by one letter and are not on the list of known names look like a typo.
        assert result.false_alarm_rate <= 0.25


@pytest.mark.django_db
def test_the_batched_check_finds_what_the_check_row_by_row_finds() -> None:
    """A group arrival checks all its rows at once (``find_duplicates_many``): for every
    query the same candidates, scores, reasons and order as one check per query."""
    pairs = load("duplicates.json") + load("duplicates_holdout.json")
    stored = [_store(p["record"]) for p in pairs]
    # one record with an IIN, asked for by IIN under another name
    Person.objects.filter(pk=stored[0].pk).update(iin="900101300123")
    queries = [identity(p["query"]) for p in pairs]
    queries.append(Identity(given=("Иван",), family=("Петров",), iin="900101300123"))
    batched = selectors.find_duplicates_many(queries, exclude=[stored[1].pk])
    found_any = 0
    for query, candidates in zip(queries, batched, strict=True):
        one = selectors.find_duplicates(query, exclude=[stored[1].pk])
        assert [(c.person.pk, c.score, c.reasons) for c in candidates] == [
            (c.person.pk, c.score, c.reasons) for c in one
        ]
        found_any += bool(one)
    assert found_any >= len(pairs) * 0.9  # the comparison is not between empty lists
    assert stored[0].pk in {c.person.pk for c in batched[-1]}
    assert selectors.find_duplicates_many([]) == []
