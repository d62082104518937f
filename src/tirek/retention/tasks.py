"""The retention pass on the task queue: ``tirek worker`` fires it once a day."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_daily_pass() -> dict[str, int]:
    """Scheduled: list what falls due and propose batches; destroys nothing."""
    return services.daily_pass()
