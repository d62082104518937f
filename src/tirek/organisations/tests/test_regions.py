"""The region tree and organisations."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.utils import translation

from tirek.organisations.models import Agency, Region
from tirek.organisations.selectors import region_subtree
from tirek.organisations.services import regions_load
from tirek.testing import World


def test_it_keeps_the_path_from_the_root(world: World) -> None:
    district = Region.objects.create(
        code="kz-karaganda-temirtau",
        kind=Region.Kind.DISTRICT,
        parent=world.karaganda,
        names={"ru": "Темиртау"},
    )
    assert world.karaganda.path == "kz/kz-karaganda/"
    assert district.path == "kz/kz-karaganda/kz-karaganda-temirtau/"
    assert district.country_code == "kz"


def test_it_selects_a_region_and_everything_under_it(world: World) -> None:
    district = Region.objects.create(
        code="kz-karaganda-temirtau",
        kind=Region.Kind.DISTRICT,
        parent=world.karaganda,
        names={"ru": "Темиртау"},
    )
    assert set(region_subtree(world.karaganda)) == {world.karaganda, district}
    assert world.almaty not in region_subtree(world.karaganda)
    assert set(region_subtree(world.kz)) >= {world.kz, world.karaganda, world.almaty, district}


def test_it_names_a_region_in_the_active_language_with_russian_as_fallback(world: World) -> None:
    with translation.override("en"):
        assert world.karaganda.name == "Karaganda Region"
    with translation.override("kk"):
        assert world.karaganda.name == "Карагандинская область"  # no Kazakh name given: Russian


def test_it_loads_the_regions_idempotently(db: None) -> None:
    first = regions_load()
    count = Region.objects.count()
    assert first == count > 10
    assert regions_load() == first
    assert Region.objects.count() == count
    assert Region.objects.filter(kind=Region.Kind.COUNTRY).count() >= 1
    assert all(r.path.endswith(f"{r.code}/") for r in Region.objects.all())


def test_it_refuses_two_agencies_of_one_name_in_one_region(world: World) -> None:
    with pytest.raises(IntegrityError):
        Agency.objects.create(
            name=world.school.name, kind=Agency.Kind.SCHOOL, region=world.karaganda
        )
