"""Reads for organisations."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Region


def region_subtree(region: Region) -> QuerySet[Region]:
    """The region and every region below it."""
    return Region.objects.filter(path__startswith=region.path)
