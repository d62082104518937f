"""A counter that moves on whenever case relations (team memberships, emergency
accesses) change in this process; the policy's per-request answers are only reused while
it stands still. Free of model imports so the models themselves can move it."""

from __future__ import annotations

from typing import Any

from django.db import models

_value = [0]


def current() -> int:
    return _value[0]


def bump() -> None:
    _value[0] += 1


class RelationQuerySet(models.QuerySet[Any]):
    """Moves the epoch on for writes that skip ``save()``."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        bump()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        bump()
        return result

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        result = super().bulk_create(*args, **kwargs)
        bump()
        return result

    def bulk_update(self, *args: Any, **kwargs: Any) -> Any:
        result = super().bulk_update(*args, **kwargs)
        bump()
        return result


class RelationModel(models.Model):
    """Base for models that change who may see a case."""

    objects = RelationQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        bump()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        bump()
        return result
