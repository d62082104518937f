"""What the training pages share."""

from __future__ import annotations

from typing import Any


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None
