"""Demo data for the reports (order 70): a sample regional exchange file from another
country, with invented aggregates, so the comparison page has something to show."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from . import conf
from .models import ExchangeImport

# Invented national aggregates for "UZ"; every published count is 0 or at least 10.
_INVENTED: dict[str, tuple[str, list[tuple[dict[str, str], int | None]]]] = {
    "registered": (
        "count",
        [
            ({}, 140),
            ({"sex": "female"}, 72),
            ({"sex": "male"}, 68),
            ({"sex": "unknown"}, 0),
            ({"age_band": "0-5"}, 38),
            ({"age_band": "6-11"}, 51),
            ({"age_band": "12-14"}, 24),
            ({"age_band": "15-17"}, None),
            ({"age_band": "18+"}, None),
            ({"age_band": "unknown"}, 0),
        ],
    ),
    "active": (
        "count",
        [
            ({}, 410),
            ({"phase": "rehabilitation"}, 95),
            ({"phase": "reintegration"}, 240),
            ({"phase": "monitoring"}, 75),
        ],
    ),
    "closed": ("count", [({}, 36)]),
}


def sample_payload(year: int) -> dict[str, Any]:
    indicators = []
    for code, (kind, cells) in _INVENTED.items():
        indicators.append(
            {
                "code": code,
                "kind": kind,
                "name": code,
                "cells": [
                    {"keys": keys, "value": value, "suppressed": value is None}
                    for keys, value in cells
                ],
            }
        )
    return {
        "format": "tirek-regional-exchange",
        "version": 1,
        "country": "UZ",
        "period": {"type": "calendar-year", "year": year, "complete": False},
        "threshold": 10,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "indicators": indicators,
    }


def load(stdout: Any) -> None:
    from .exchange import validate

    if conf.country_code() == "UZ":
        return
    year = timezone.localdate().year
    if ExchangeImport.objects.filter(country="UZ", year=year, source_name="demo").exists():
        return
    payload = validate(sample_payload(year))
    ExchangeImport.objects.create(
        country="UZ",
        year=year,
        threshold=payload["threshold"],
        generated_at=timezone.now(),
        payload=payload,
        source_name="demo",
    )
    stdout.write("Reports: a sample regional exchange from another country (invented figures).")
