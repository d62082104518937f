"""The system administrator sees the background jobs (each attempt, with its error and
traceback), the schedule and the live workers. Read-only: jobs hold ids, never case data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from tirek.accounts.adminsite import is_system_admin

from .models import ScheduledJob, WorkerHeartbeat


class ReadOnlyForAdministrator:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyForAdministrator, DBTaskResultAdmin):
    pass


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnlyForAdministrator, admin.ModelAdmin):
    list_display = ["name", "last_run_at", "next_run_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyForAdministrator, admin.ModelAdmin):
    list_display = ["worker_id", "host", "pid", "started_at", "seen_at"]
