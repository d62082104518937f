"""``/healthz`` for load balancers: 200 when this server can do its work, else 503.

It names the four checks and says "ok" or "fail" for each — no version, no host name, no
numbers, no error text — and needs no sign-in.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tirek.settings import env_int

from .models import WorkerHeartbeat
from .queue import DEAD_AFTER

logger = logging.getLogger("tirek.ops")


def database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def cache_ok() -> bool:
    key = f"tirek:health:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    answered = cache.get(key) == "1"
    cache.delete(key)
    return answered


def worker_ok() -> bool:
    since = timezone.now() - DEAD_AFTER
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()


def disk_ok() -> bool:
    """Room for attachments and exports: at least TIREK_HEALTH_MIN_FREE_MB (default 1024)."""
    folder = Path(settings.MEDIA_ROOT)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # before the first upload: the disk it will be made on
    free = shutil.disk_usage(folder).free
    return free >= env_int("TIREK_HEALTH_MIN_FREE_MB", 1024) * 1024 * 1024


CHECKS = {"database": database_ok, "cache": cache_ok, "worker": worker_ok, "disk": disk_ok}


def _run(name: str) -> bool:
    try:
        return bool(CHECKS[name]())
    except Exception:  # the reason goes to the log, never to the caller
        logger.exception("health check %s failed", name)
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {name: "ok" if _run(name) else "fail" for name in CHECKS}
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results}, status=200 if healthy else 503
    )
