"""Optimistic versions: a row changes only if nobody saved it since the caller read it.

Every versioned model has an integer ``version`` column. A write names the version the user
read; the update claims the row only while that version is still current and bumps it, so a
stale form answers :class:`~tirek.core.exceptions.Conflict` (409) instead of overwriting.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model, Q

from .exceptions import Conflict, Refused


def update_versioned(
    model: type[Model],
    pk: Any,
    version: int,
    conflict: str,
    *,
    where: Q | None = None,
    refused: str | None = None,
    **changes: Any,
) -> None:
    """Apply ``changes`` to row ``pk`` if it still has ``version`` (and matches ``where``).

    The version goes up by one. Nothing changed raises ``Conflict(conflict)``; with ``refused``
    given, a row whose version is still current but fails ``where`` raises ``Refused(refused)``.
    """
    rows = model._default_manager.filter(pk=pk, version=version)
    if where is not None:
        rows = rows.filter(where)
    if rows.update(**changes, version=F("version") + 1):
        return
    if refused is not None:
        current = model._default_manager.filter(pk=pk).values_list("version", flat=True).first()
        if current == version:
            raise Refused(refused)
    raise Conflict(conflict)


def bump_version(model: type[Model], pk: Any, **changes: Any) -> None:
    """Apply ``changes`` to row ``pk`` unconditionally and mark it changed (version + 1)."""
    model._default_manager.filter(pk=pk).update(**changes, version=F("version") + 1)


def check_version(current: int, expected: Any, conflict: str) -> None:
    """Raise ``Conflict(conflict)`` unless the version read (``expected``) is still current."""
    if current != expected:
        raise Conflict(conflict)
