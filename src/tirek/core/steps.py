"""The API's step operations on a record (accept, decline, cancel…): one shared body."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Model
from ninja import Schema

from .http import AuthenticatedHttpRequest

Record = TypeVar("Record", bound=Model)
Answer = TypeVar("Answer")

StepOperation = Callable[[AuthenticatedHttpRequest, int, Callable[..., object], Schema], Answer]


def record_steps(
    name: str,
    find: Callable[[AuthenticatedHttpRequest, int], Record],
    answer: Callable[[AuthenticatedHttpRequest, Record], Answer],
) -> StepOperation[Answer]:
    """The body of an app's step operations on its records (``name``: what its services
    call one): ``find`` the record the caller may see (a 404 for any other), the service
    step with the caller, the record and the payload's fields, then ``answer`` with the
    record read again."""

    def act(
        request: AuthenticatedHttpRequest,
        record_id: int,
        step: Callable[..., object],
        payload: Schema,
    ) -> Answer:
        record = find(request, record_id)
        step(by=request.user, request=request, **{name: record}, **payload.dict())
        return answer(request, record)

    return act
