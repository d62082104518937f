"""The named people of the referral tests (``tirek.referrals.tests.conftest``)."""

from __future__ import annotations

import pytest

from tirek.referrals.tests.conftest import Scene, build_scene
from tirek.testing import World


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)
