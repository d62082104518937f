"""Instruments in Kazakh (and Uzbek, Tajik): the translation is part of the version, and a
working translation of a validated instrument says so on the form and in its metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tirek.assessments import services
from tirek.assessments.models import InstrumentVersion
from tirek.assessments.services import INSTRUMENT_OVERLAYS_DIR, instruments_load
from tirek.testing import World, api_client, logged_in_client

from .factories import make_team

KAZAKH = json.loads((INSTRUMENT_OVERLAYS_DIR / "kk.json").read_text(encoding="utf-8"))
PSC_QUESTION = "Feels hopeless"
NOTE = (
    "Working translation, not validated: the PSC-17 was validated in English. Apply its "
    "cut-offs with care; a positive screen calls for a fuller assessment, not a conclusion."
)


def _psc_form(world: World, language: str) -> str:
    team = make_team(world)
    draft = services.assessment_create(
        user=team.psychologist, case_id=team.case.pk, instrument_code="psc-17"
    )
    client = logged_in_client(team.psychologist)
    client.cookies["tirek_language"] = language
    page = client.get(f"/cases/{team.case.pk}/assessments/{draft.pk}/")
    assert page.status_code == 200
    return page.content.decode()


def test_the_form_in_kazakh_shows_the_kazakh_questions_and_the_working_translation_note(
    world: World, instruments: None
) -> None:
    html = _psc_form(world, "kk")
    assert KAZAKH[PSC_QUESTION] in html
    assert KAZAKH["Never"] in html and KAZAKH["Internalising"] in html
    assert PSC_QUESTION not in html and "Чувствует безнадёжность" not in html
    assert 'data-testid="translation-note"' in html and KAZAKH[NOTE] in html


def test_the_form_in_english_the_validated_language_has_no_note(
    world: World, instruments: None
) -> None:
    html = _psc_form(world, "en")
    assert PSC_QUESTION in html
    assert 'data-testid="translation-note"' not in html


def test_the_metadata_lists_the_languages_and_the_unvalidated_ones(
    world: World, instruments: None
) -> None:
    psc = InstrumentVersion.objects.get(instrument__code="psc-17")
    assert {"ru", "en", "kk"} <= set(psc.languages)
    assert "en" not in psc.definition["unvalidated_languages"]
    assert {"ru", "kk"} <= set(psc.definition["unvalidated_languages"])
    # The project's own instruments were never validated anywhere: no note to show.
    own = InstrumentVersion.objects.get(instrument__code="tirek-child-needs")
    assert "kk" in own.languages and "unvalidated_languages" not in own.definition
    team = make_team(world)
    listed = {i["code"]: i for i in api_client(team.manager).get("/api/v1/instruments").json()}
    assert "kk" in listed["psc-17"]["unvalidated_languages"]
    assert listed["tirek-child-needs"]["unvalidated_languages"] == []


def test_a_new_translation_makes_a_new_version_and_reloading_changes_nothing(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlays = tmp_path / "i18n"
    overlays.mkdir()
    monkeypatch.setattr(services, "INSTRUMENT_OVERLAYS_DIR", overlays)
    first = {r.code: r for r in instruments_load()}
    psc = InstrumentVersion.objects.get(instrument__code="psc-17", number=first["psc-17"].number)
    assert "kk" not in psc.languages and "kk" not in psc.definition["title"]

    shutil.copy(INSTRUMENT_OVERLAYS_DIR / "kk.json", overlays / "kk.json")
    second = {r.code: r for r in instruments_load()}
    assert second["psc-17"].created and second["psc-17"].number == first["psc-17"].number + 1
    latest = InstrumentVersion.objects.get(instrument__code="psc-17", number=2)
    assert latest.definition["title"]["kk"] == KAZAKH["Pediatric Symptom Checklist-17 (PSC-17)"]
    assert "kk" in latest.languages
    # The old version keeps its own text: responses made with it are read as they were.
    assert "kk" not in InstrumentVersion.objects.get(pk=psc.pk).definition["title"]

    third = instruments_load()
    assert not any(r.created for r in third)
    assert InstrumentVersion.objects.filter(instrument__code="psc-17").count() == 2


def test_a_partial_translation_adds_its_texts_but_does_not_claim_the_language(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tg.json").write_text(
        json.dumps({"Never": "Ҳеҷ гоҳ"}, ensure_ascii=False), encoding="utf-8"
    )
    monkeypatch.setattr(services, "INSTRUMENT_OVERLAYS_DIR", tmp_path)
    instruments_load()
    psc = InstrumentVersion.objects.get(instrument__code="psc-17")
    assert "tg" not in psc.languages
    assert psc.definition["answer_sets"]["psc"][0]["label"]["tg"] == "Ҳеҷ гоҳ"
