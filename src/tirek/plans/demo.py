"""Demo assessments and plans (order 30)."""

from __future__ import annotations

from typing import Any


def load(stdout: Any) -> None:
    stdout.write("Demo assessments and plans: not yet.")
