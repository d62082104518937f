"""Writes for organisations: loading the region tree."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from .models import Region

REGIONS_FILE = Path(__file__).parent / "data" / "regions.json"


@transaction.atomic
def region_add(*, code: str, kind: str, parent: Region, names: dict[str, str]) -> Region:
    """A district or a mahalla / community below a loaded region; validated (a community
    sits under a district). Idempotent by code."""
    found = Region.objects.filter(code=code).first()
    if found is not None:
        return found
    region = Region(code=code, kind=kind, parent=parent, names=dict(names))
    region.full_clean()
    region.save()
    return region


@transaction.atomic
def regions_load(*, path: Path = REGIONS_FILE) -> int:
    """Create or update countries and their first-level regions; returns how many."""
    data = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for country in data["countries"]:
        root, _created = Region.objects.update_or_create(
            code=country["code"],
            defaults={"kind": Region.Kind.COUNTRY, "names": country["name"], "parent": None},
        )
        count += 1
        for item in country["regions"]:
            kind = Region.Kind.CITY if item["kind"] == "city" else Region.Kind.OBLAST
            Region.objects.update_or_create(
                code=item["code"], defaults={"kind": kind, "names": item["name"], "parent": root}
            )
            count += 1
    return count
