from __future__ import annotations

import pytest


@pytest.fixture
def instruments(db: None) -> None:
    """The assessment instruments (deadlines count from their completion)."""
    from tirek.assessments.services import instruments_load

    instruments_load()
