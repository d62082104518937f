"""Instruments are data: loading, versioning, and old responses keeping their version."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tirek.accounts.roles import Role
from tirek.assessments.models import Assessment, Instrument, InstrumentVersion
from tirek.assessments.services import INSTRUMENTS_DIR, instruments_load
from tirek.testing import World, api_client, logged_in_client

from .factories import CHILD_BASELINE, complete, make_team, scores


def _copy(tmp_path: Path, code: str) -> tuple[Path, dict]:
    data = json.loads((INSTRUMENTS_DIR / f"{code}.json").read_text(encoding="utf-8"))
    path = tmp_path / f"{code}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path, data


def test_it_loads_the_shipped_instruments_once(db: None) -> None:
    out = StringIO()
    call_command("instruments", "load", stdout=out)
    assert "psc-17\tv1\tnew version" in out.getvalue()
    assert InstrumentVersion.objects.count() == 4
    again = StringIO()
    call_command("instruments", "load", stdout=again)
    assert "psc-17\tv1\tunchanged" in again.getvalue()
    assert InstrumentVersion.objects.count() == 4
    psc = InstrumentVersion.objects.get(instrument__code="psc-17")
    assert (psc.min_age, psc.max_age) == (4, 16)
    assert "freely reproducible" in psc.licence


def test_it_keeps_old_responses_on_their_version_when_a_definition_changes(
    world: World, instruments: None, tmp_path: Path
) -> None:
    team = make_team(world)
    before = complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    old_version = before.instrument_version
    old_scores = scores(before)

    path, data = _copy(tmp_path, "tirek-child-needs")
    # The ministry rewords a question and raises a cut-off.
    safety = next(d for d in data["domains"] if d["code"] == "safety")
    safety["questions"][0]["text"]["ru"] = "Безопасно ли ребёнку дома сейчас?"
    safety["cutoffs"] = {"low": 1, "moderate": 5, "high": 7}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    [result] = instruments_load(paths=[path])
    assert (result.number, result.created) == (2, True)

    before.refresh_from_db()
    assert before.instrument_version_id == old_version.pk
    assert before.answers["safety_home"] == "mostly"
    assert scores(before) == old_scores  # still moderate under the old cut-offs
    old_version.refresh_from_db()
    assert old_version.definition["domains"][0]["questions"][0]["text"]["ru"].startswith(
        "Насколько безопасно"
    )

    after = complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    assert after.instrument_version.number == 2
    assert scores(after)["safety"] == (4, 9, "low")  # the new cut-off applies to new ones

    page = logged_in_client(team.manager).get(f"/cases/{team.case.pk}/assessments/{before.pk}/")
    assert page.status_code == 200
    assert "Насколько безопасно ребёнку там, где он живёт сейчас?" in page.content.decode()


def test_it_loads_nothing_when_one_file_is_bad(db: None, tmp_path: Path) -> None:
    good, _data = _copy(tmp_path, "psc-17")
    bad = tmp_path / "bad.json"
    bad.write_text('{"code": "x", "kind": "screening"}', encoding="utf-8")
    with pytest.raises(ValidationError):
        instruments_load(paths=[good, bad])
    assert not Instrument.objects.exists()
    with pytest.raises(CommandError, match="bad.json"):
        call_command("instruments", "load", str(good), str(bad), stdout=StringIO())


def test_it_refuses_an_instrument_that_may_not_be_used_electronically(
    db: None, tmp_path: Path
) -> None:
    path, data = _copy(tmp_path, "psc-17")
    data["code"] = "sdq"
    data["licence"] = {"name": "Proprietary", "electronic_use": False}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError, match="electronic use"):
        instruments_load(paths=[path])
    assert not Instrument.objects.filter(code="sdq").exists()


def test_it_lists_instruments_in_the_api_with_their_licence(
    world: World, instruments: None
) -> None:
    client = api_client(world.staff(Role.CASE_MANAGER))
    listed = client.get("/api/v1/instruments").json()
    assert {i["code"] for i in listed} >= {"psc-17", "tirek-child-needs"}
    psc = client.get("/api/v1/instruments/psc-17").json()
    assert psc["version"] == 1
    assert psc["definition"]["totals"][0]["cutoffs"] == {"high": 15}
    assert psc["definition"]["licence"]["electronic_use"] is True
    assert client.get("/api/v1/instruments/sdq").status_code == 404
    assert client.get("/api/v1/instruments/psc-17?version=9").status_code == 404


def test_it_never_deletes_a_version_that_responses_use(world: World, instruments: None) -> None:
    team = make_team(world)
    done = complete(team.manager, team.case, "tirek-child-needs", CHILD_BASELINE)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        done.instrument_version.delete()
    assert Assessment.objects.filter(pk=done.pk).exists()
