"""The administrator sees the schedule and the workers; the task results (each attempt,
with its error) are in the admin of ``django_tasks_db``."""

from __future__ import annotations

from django.contrib import admin

from .models import ScheduledJob, WorkerHeartbeat


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "last_run_at", "next_run_at"]
    readonly_fields = ["name", "last_run_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["worker_id", "host", "pid", "started_at", "seen_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
