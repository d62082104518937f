"""Demo interview: built on the demo cases (order 20); does nothing without them."""

from __future__ import annotations

from typing import Any


def load(stdout: Any) -> None:
    return None
