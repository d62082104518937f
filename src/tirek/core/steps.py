"""The API's step operations (accept, decline, cancel…): one shared body."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model
from ninja import Schema

from .http import AuthenticatedHttpRequest

Record = TypeVar("Record", bound=Model)
Answer = TypeVar("Answer")


def take_step(
    request: AuthenticatedHttpRequest,
    find: Callable[[], Record],
    step: Callable[..., object],
    payload: Schema,
    answer: Callable[[Record], Answer],
    *,
    name: str,
) -> Answer:
    """One step of a record the caller may see (``find``: the app's selector, a 404 for
    any other): the service ``step`` gets the caller, the record as ``name`` and the
    payload's fields; the operation answers with the record read again (``answer``)."""
    record = find()
    step(by=request.user, request=request, **{name: record}, **payload.dict())
    return answer(record)
