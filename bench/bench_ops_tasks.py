"""A job that does nothing, to measure what the queue itself costs per job."""

from __future__ import annotations

from django_tasks import task


@task()
def noop(number: int) -> int:
    return number
