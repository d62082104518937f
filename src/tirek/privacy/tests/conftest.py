from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Attachments go to a temporary MEDIA_ROOT, never the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
