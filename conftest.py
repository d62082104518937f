"""Fixtures for every test: ``world`` (regions, agencies, units, staff factory)."""

from __future__ import annotations

import pytest

from tirek.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()
