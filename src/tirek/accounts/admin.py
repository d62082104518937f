"""The Django admin is for system administrators and shows accounts and organisations only:
no case app registers a ModelAdmin, so no case content can be reached from here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tirek.core.adminsite import AdminRoleInline, AdminRoleModelAdmin, is_system_admin

from . import services
from .models import StaffCompetency, User, UserRole


def _login_through_tirek(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # Django admin's own login form would skip the second factor: always use ours.
    if request.user.is_authenticated:
        raise PermissionDenied  # signed in, but not as a system administrator
    return redirect_to_login(
        request.GET.get("next") or reverse("admin:index"), login_url=reverse("account_login")
    )


admin.site.has_permission = is_system_admin  # type: ignore[method-assign]
admin.site.login = _login_through_tirek  # type: ignore[method-assign]
admin.site.site_header = _("Tirek administration")
admin.site.site_title = _("Tirek administration")
admin.site.index_title = _("Accounts and organisations")
admin.site.site_url = "/"
# The sidebar repeats the index and crowds tablets; the breadcrumbs suffice.
admin.site.enable_nav_sidebar = False


class UserRoleInline(AdminRoleInline):
    model = UserRole
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]


class CompetencyInline(AdminRoleInline):
    model = StaffCompetency
    fk_name = "user"
    extra = 0
    fields = ["competency", "granted_at", "expires_at", "revoked_at", "source"]


@admin.register(User)
class UserAdmin(AdminRoleModelAdmin, BaseUserAdmin):
    inlines = [UserRoleInline, CompetencyInline]
    list_display = ["username", "first_name", "last_name", "agency", "region", "is_active"]
    list_filter = ["is_active", "agency__kind", "roles__role"]
    list_select_related = ["agency", "region"]
    actions = ["disable_accounts", "reset_two_factor", "unlock"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Organisation"),
            {"fields": ("agency", "unit", "region", "position", "preferred_language")},
        ),
        # No superuser flag or per-model permissions: what an account may do comes from its roles.
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("agency__region", "region")

    @admin.action(description=_("Disable the selected accounts and revoke their API tokens"))
    def disable_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_active=True):
            services.user_disable(user=user, by=request.user)  # type: ignore[arg-type]
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d account disabled.", "%(count)d accounts disabled.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset two-factor authentication (they set it up again)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_reset_mfa(user=user, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d account.",
                "Two-factor authentication reset for %(count)d accounts.",
                queryset.count(),
            )
            % {"count": queryset.count()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Lift a sign-in lockout"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unlock(user=user, by=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Lockouts lifted."), messages.SUCCESS)
