"""Plugging the privacy app into the shell (navigation, panels, API, timeline)."""

from __future__ import annotations


def register() -> None:
    pass
