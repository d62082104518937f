"""The cell-key method: perturbed counts, one number per cell in every output."""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter

import pytest
from django.urls import reverse

from tirek.accounts.roles import Role
from tirek.reports import exchange, sdc
from tirek.reports.cube import ROOT, TOTAL, N, RegionTree, Row, build_cube
from tirek.reports.models import Export
from tirek.reports.periods import Period
from tirek.testing import api_client, logged_in_client

from .checks import assert_no_small_count
from .factories import fixture_b
from .test_exports import download

SECRET = (12345, 678, 91011, 1213)


@pytest.fixture
def perturbed(settings, tmp_path):
    settings.TIREK_SDC_MAX_NOISE = sdc.DEFAULT_MAX_NOISE
    settings.MEDIA_ROOT = tmp_path
    return settings


# --- the perturbation table ---------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 4])
def test_zeros_and_small_values_get_no_noise(value: int) -> None:
    # Zeros stay zero; small values are hidden by suppression, never published.
    assert all(sdc.noise(value, k / 100, 5, 4) == 0 for k in range(100))


@pytest.mark.parametrize("bound", [2, 4, sdc.DEFAULT_MAX_NOISE])
def test_noise_never_takes_a_count_under_the_threshold_or_beyond_the_bound(bound: int) -> None:
    for value in range(5, 40):
        for k in range(1000):
            published = value + sdc.noise(value, k / 1000, 5, bound)
            assert published >= 5
            assert abs(published - value) <= bound
            low, high = sdc.bounds_of_published(published, 5, bound)
            assert low <= value <= high


def test_noise_is_centred_and_rarely_near_its_bound() -> None:
    bound, draws_n = sdc.DEFAULT_MAX_NOISE, 100_000
    draws = Counter(sdc.noise(50, k / draws_n, 5, bound) for k in range(draws_n))
    assert set(draws) == set(range(-bound, bound + 1))  # every noise up to the bound occurs
    assert abs(sum(e * n for e, n in draws.items()) / draws_n) < 0.01
    spread = math.sqrt(sum(e * e * n for e, n in draws.items()) / draws_n)
    assert abs(spread - bound / sdc.NOISE_SPREAD) < 0.05  # a standard deviation of 2 people
    assert draws[0] > draws[2] > draws[4] > draws[6] > draws[8]  # small noise is the most likely
    # The bound lies four standard deviations out: noise near it is rare.
    assert sum(n for e, n in draws.items() if abs(e) >= bound - 2) / draws_n < 0.01


def test_two_published_counts_rarely_bound_the_small_difference_between_them() -> None:
    """The intruder's worst case (docs/disclosure-control.md): a hidden count of 1 that is
    the difference of two published counts (registered minus still active) is bounded by
    (upper bound of the first) - (lower bound of the second). It is shown to be under 5 only
    when both noises sit near opposite ends of the bound; with the bound four standard
    deviations out that is about 4 in a million pairs (it was 1 in 18 with triangular noise
    of at most 4)."""
    bound, threshold, pairs = sdc.DEFAULT_MAX_NOISE, 5, 200_000
    rnd = random.Random(7)
    shown_small = 0
    for _ in range(pairs):
        active = rnd.randrange(threshold, 60)
        registered = active + 1
        published_r = registered + sdc.noise(registered, rnd.random(), threshold, bound)
        published_a = active + sdc.noise(active, rnd.random(), threshold, bound)
        high_r = sdc.bounds_of_published(published_r, threshold, bound)[1]
        low_a = sdc.bounds_of_published(published_a, threshold, bound)[0]
        shown_small += high_r - low_a < threshold
    assert shown_small <= 10  # at most 1 in 20,000 (about 1 expected)


def test_a_record_key_is_the_same_in_python_and_in_sql(db) -> None:
    from django.db import connection

    sql = sdc.record_key_sql("x", SECRET)
    with connection.cursor() as cursor:
        for pk in (1, 2, 977, 2**31 - 5):
            cursor.execute(f"SELECT {sql} FROM (SELECT %s AS x) AS t", [pk])  # noqa: S608
            assert cursor.fetchone()[0] == sdc.record_key(pk, SECRET)


def test_the_same_people_get_the_same_number_wherever_they_appear() -> None:
    """A region whose people are all in one district: region and district are the same
    group, so they show the same perturbed number (and so does any other table of them)."""

    class _Region:
        def __init__(self, pk: int, code: str, parent_id: int | None, path: str) -> None:
            self.pk, self.code, self.parent_id, self.path, self.name = (
                pk,
                code,
                parent_id,
                path,
                code,
            )

    tree = RegionTree.build(
        [
            _Region(1, "kz", None, "kz/"),
            _Region(2, "a", 1, "kz/a/"),
            _Region(3, "a1", 2, "kz/a/a1/"),
        ],
        "kz",
        root_id=1,
    )
    keys = [sdc.record_key(pk, SECRET) for pk in range(1, 41)]
    rows = [Row("a1", {}, {N: 1}, keys={N: k}) for k in keys]
    published = {}
    for noise in (0, 4):
        cube = build_cube(
            population="p",
            period="2024",
            scope="country",
            tree=tree,
            dimensions=[],
            splits=[],
            stats=[],
            rows=rows,
            threshold=5,
            max_noise=noise,
        )
        published[noise] = cube
    exact, noisy = published[0], published[4]
    assert exact.cell(ROOT).value == 40
    assert noisy.cell("a").value == noisy.cell("a1").value == noisy.cell(ROOT).value
    assert abs(noisy.cell(ROOT).value - 40) <= 4
    assert noisy.values[(ROOT, TOTAL, TOTAL, N)] == noisy.cell(ROOT).value


# --- every output shows the same perturbed figures -----------------------------------------


def test_page_api_csv_and_exchange_show_the_same_perturbed_numbers(world, perturbed) -> None:
    fixture_b(world)
    analyst = world.staff(Role.ME_ANALYST)
    body = api_client(analyst).get("/api/v1/indicators/registered", {"year": 2024, "by": "sex"})
    api = {c["category"]: c["value"] for c in body.json()["cells"]}
    api_total = body.json()["total"]["value"]
    assert api_total is not None and api_total >= 5
    assert abs(api_total - 18) <= sdc.DEFAULT_MAX_NOISE
    assert_no_small_count([*api.values(), api_total])

    client = logged_in_client(analyst)
    page = client.get(reverse("reports:country"), {"year": 2024, "by": "sex"})
    html = page.content.decode()
    # The legend says how figures are protected.
    assert f"не более чем на {sdc.DEFAULT_MAX_NOISE} в любую сторону" in html

    _export, content = download(client, Export.Kind.CSV)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    registered = {(r[3], r[5]): r[7] for r in rows if r[0] == "registered"}
    assert float(registered[("", "")]) == api_total
    for sex, value in api.items():
        assert registered[("sex", sex)] == ("" if value is None else f"{value:g}")

    data = exchange.build(Period(2024))
    exchanged = next(i for i in data["indicators"] if i["code"] == "registered")
    by_keys = {tuple(c["keys"].items()): c["value"] for c in exchanged["cells"]}
    assert by_keys[()] == api_total
    for sex, value in api.items():
        assert by_keys[(("sex", sex),)] == value
    exchange.validate(data)  # another country's Tirek accepts it
