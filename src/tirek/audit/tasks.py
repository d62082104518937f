"""Anchoring on the task queue: ``tirek worker`` writes the signed chain heads once a day
into ``AUDIT_ANCHOR_DIR``, a folder the operator ships off the machine (docs/deployment.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .anchoring import make_anchor


@task()
def write_anchor() -> str:
    """Scheduled: one anchor file per day, named by its time; returns its path."""
    folder = Path(settings.AUDIT_ANCHOR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    path = folder / f"audit-anchor-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(make_anchor(now), indent=1) + "\n", encoding="utf-8")
    return str(path)
