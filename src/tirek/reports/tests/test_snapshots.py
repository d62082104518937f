"""Indicator snapshots: computed once, shared, refreshed by the worker, no hidden value stored."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from tirek.reports import registry
from tirek.reports.cube import ROOT
from tirek.reports.models import CubeSnapshot
from tirek.reports.periods import Period
from tirek.reports.registry import POPULATIONS, Scope, compute

from .factories import at, fixture_b

Y2024 = Period(2024)


@pytest.fixture
def cached(settings):
    settings.TIREK_REPORTS_CACHE_SECONDS = 600
    registry._MEMO.clear()
    yield
    registry._MEMO.clear()


def registered():
    return compute(POPULATIONS["registered"], Y2024, Scope.country())


def test_it_keeps_a_snapshot_until_it_is_refreshed(world, cached) -> None:
    cases = fixture_b(world)
    assert registered().cell(ROOT).value == 18
    assert CubeSnapshot.objects.filter(key__startswith="registered:2024:country").exists()
    cases.many(5, opened=at(2024, 6, 1))
    registry._MEMO.clear()  # another process: reads the snapshot, not the new rows
    assert registered().cell(ROOT).value == 18
    registry.refresh([Y2024])
    assert registered().cell(ROOT).value == 23


def test_a_new_record_key_secret_never_serves_figures_made_under_the_old_one(
    world, cached, settings
) -> None:
    settings.TIREK_SDC_KEY = "the first secret"
    cases = fixture_b(world)
    assert registered().cell(ROOT).value == 18
    cases.many(5, opened=at(2024, 6, 1))
    registry._MEMO.clear()
    settings.TIREK_SDC_KEY = "the secret after a suspected leak"
    assert registered().cell(ROOT).value == 23
    keys = list(CubeSnapshot.objects.filter(key__startswith="registered:2024:country"))
    assert len(keys) == 2
    assert all("secret" not in snapshot.key for snapshot in keys)


def test_it_refreshes_this_year_and_the_last_from_the_command(world, cached, capsys) -> None:
    call_command("reports", "refresh-indicators")
    assert f"{2 * len(POPULATIONS)}" in capsys.readouterr().out
    years = {key.split(":")[1] for key in CubeSnapshot.objects.values_list("key", flat=True)}
    assert years == {str(Period.current().year), str(Period.current().year - 1)}


def test_it_stores_hidden_cells_as_null_never_their_value(world, cached) -> None:
    fixture_b(world)
    registered()
    payload = CubeSnapshot.objects.get(key__startswith="registered:2024:country").payload
    age = [v for v in payload["values"] if v[:4] == ["*", "age_band", "15-17", "n"]]
    assert age == [["*", "age_band", "15-17", "n", None]]
    for *_key, value in payload["values"]:
        assert value is None or not 0 < value < 5


def test_it_labels_a_snapshot_in_the_reader_s_language(world, cached) -> None:
    fixture_b(world)
    assert dict(registered().dimensions["age_band"].categories)["15-17"] == "15–17 лет"
    with translation.override("en"):
        cube = registered()
        assert dict(cube.dimensions["age_band"].categories)["15-17"] == "15–17 years"
        assert cube.tree.nodes["kz-almaty"].name == "Almaty"
    assert CubeSnapshot.objects.filter(key__startswith="registered:2024").count() == 1
