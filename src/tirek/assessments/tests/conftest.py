from __future__ import annotations

import pytest


@pytest.fixture
def instruments(db: None) -> None:
    from tirek.assessments.services import instruments_load

    instruments_load()
