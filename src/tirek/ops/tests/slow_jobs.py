"""A job slow enough to stop the worker in the middle of it (tests only)."""

from __future__ import annotations

import time

from django_tasks import task

from tirek.reports import jobs
from tirek.reports.models import Export


@task()
def slow_export(export_id: int, seconds: float = 4.0) -> str:
    Export.objects.filter(pk=export_id).update(status=Export.Status.RUNNING, progress=5)
    time.sleep(seconds)  # the worker is stopped here by the test
    return jobs.run_export.call(export_id)
