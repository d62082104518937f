"""The Django admin is for system administrators and shows accounts and organisations only:
no case app registers a ModelAdmin, so no case content can be reached from here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import StaffCompetency, User, UserRole
from .roles import Role


def _admin_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_role(Role.ADMIN))  # type: ignore[union-attr]


admin.site.has_permission = _admin_only  # type: ignore[method-assign]
admin.site.site_header = _("Tirek administration")
admin.site.site_title = _("Tirek administration")


class UserRoleInline(admin.TabularInline):
    model = UserRole
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]


class CompetencyInline(admin.TabularInline):
    model = StaffCompetency
    fk_name = "user"
    extra = 0
    fields = ["competency", "granted_at", "expires_at", "revoked_at", "source"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline, CompetencyInline]
    list_display = ["username", "first_name", "last_name", "agency", "region", "is_active"]
    list_filter = ["is_active", "agency__kind", "roles__role"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Organisation"),
            {"fields": ("agency", "unit", "region", "position", "preferred_language")},
        ),
    )
