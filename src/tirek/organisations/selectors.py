"""Reads for organisations."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Agency, Region, Unit


def region_subtree(region: Region) -> QuerySet[Region]:
    """The region and every region below it."""
    return Region.objects.filter(path__startswith=region.path)


# --- names for the audit log (tirek.core.registry.organisation_names) -------------------


def agency_names(ids: set[int]) -> dict[int, str]:
    return dict(Agency.objects.filter(pk__in=ids).values_list("pk", "name"))


def unit_names(ids: set[int]) -> dict[int, str]:
    """A unit as "agency — unit": two agencies may each have a "Team 1"."""
    return {unit.pk: str(unit) for unit in Unit.objects.filter(pk__in=ids).select_related("agency")}


def region_names(ids: set[int]) -> dict[int, str]:
    """In the reader's language."""
    return {region.pk: region.name for region in Region.objects.filter(pk__in=ids).only("names")}
