"""What every ModelAdmin in Tirek shares: only the system administrator role may use it,
and every change made through it is written to the audit log as well."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tirek.accounts.roles import Role
from tirek.audit.models import Action
from tirek.audit.services import record


def is_system_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_role(Role.ADMIN))


class AdminRoleModelAdmin(admin.ModelAdmin):
    """Permissions come from the role, not from Django's per-model permission table."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        record(
            actor=request.user, action=Action.CREATE, obj=obj, request=request, detail=_via(message)
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        record(
            actor=request.user, action=Action.UPDATE, obj=obj, request=request, detail=_via(message)
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            record(
                actor=request.user, action=Action.DELETE, obj=obj, request=request, detail=_via("")
            )
        return super().log_deletions(request, queryset)


class AdminRoleInline(admin.TabularInline):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)


def _via(message: Any) -> dict[str, Any]:
    # Django's change message is JSON listing the changed fields, never their values.
    return {"via": "admin", "change": str(message)[:500]} if message else {"via": "admin"}
