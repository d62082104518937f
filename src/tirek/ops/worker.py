"""``tirek worker``: one process that runs the task queue and fires the schedule.

It drives django-tasks-db's own worker (claiming with SELECT … FOR UPDATE SKIP LOCKED on
PostgreSQL, an exclusive transaction on SQLite) in batches, and between batches fires due
periodic jobs and takes up jobs a dead worker left "running". A heartbeat thread (in the
worker, never in the web process) marks it alive, also during a long job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from . import queue, schedule
from .models import WorkerHeartbeat

logger = logging.getLogger("tirek.ops")


class Heartbeat:
    """Updates the worker's row every ``HEARTBEAT_SECONDS`` from a thread of its own."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tirek-heartbeat", daemon=True)

    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"seen_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()},
            create_defaults={
                "seen_at": now,
                "started_at": now,
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
            },
        )

    def _loop(self) -> None:
        try:
            while not self._stop.wait(queue.HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # a locked database now and then must not stop the beat
                    logger.warning("worker heartbeat could not be written")
        finally:
            connection.close()

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


class TirekWorker:
    def __init__(self, *, interval: float = 1.0, worker_id: str | None = None) -> None:
        self.interval = interval
        self.worker_id = worker_id or get_random_string(32)
        self.tasks = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,  # run what is ready, then come back here for the schedule
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def one_pass(self) -> None:
        """Recover, fire the schedule, run every ready job."""
        close_old_connections()
        queue.requeue_interrupted()
        schedule.tick()
        self.tasks.run()

    def run(self, *, once: bool = False) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        self.tasks.configure_signals()  # Ctrl-C / SIGTERM: finish the job in hand, then stop
        logger.info("worker %s started", self.worker_id)
        try:
            while self.tasks.running:
                self.one_pass()
                if once:
                    break
                time.sleep(self.interval)
        finally:
            self.tasks.reset_signals()
            heartbeat.stop()
            logger.info("worker %s stopped", self.worker_id)
