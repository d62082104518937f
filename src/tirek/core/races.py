"""Writes that may lose a race to another request.

A check before a write ("no open case for this person yet") cannot see a request that
commits at the same moment; the database's unique constraint does. The write then runs
in a savepoint, so the caller's transaction stays usable, and the broken constraint
becomes the same clear answer the check gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction


@contextmanager
def integrity_error_as(error: Exception) -> Iterator[None]:
    """Run the block in a savepoint; a constraint it breaks raises ``error`` instead."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise error from exc
