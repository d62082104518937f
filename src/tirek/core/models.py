"""Abstract models for columns that many apps' tables carry with the same meaning.

Abstract: each model that inherits one keeps the columns in its own table.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .fields import user_fk


class VersionedModel(models.Model):
    """A row written through optimistic versions (``tirek.core.versioning``): every
    change bumps ``version``, so a form read before someone else's save is refused."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class CreatedByModel(models.Model):
    """Who created the row, and when."""

    created_by = user_fk()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class RecordedByModel(models.Model):
    """Who recorded the fact the row keeps, and when."""

    recorded_by = user_fk()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
