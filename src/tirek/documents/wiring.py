"""Plugging the case summaries into the shell (URLs; the link is on the case header)."""

from __future__ import annotations


def register() -> None:
    from tirek.core.registry import add_urls

    add_urls("documents/", "tirek.documents.urls")
