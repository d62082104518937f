"""The Django admin is for system administrators and shows accounts and organisations only:
no case app registers a ModelAdmin, so no case content can be reached from here."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tirek.accounts.adminsite import AdminRoleInline, AdminRoleModelAdmin, is_system_admin
from tirek.audit.models import Action
from tirek.audit.services import record
from tirek.core.http import AuthenticatedHttpRequest

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
    """Shown, never edited here: roles change through a confirmed role-change request."""

    model = UserRole
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_at", "granted_by"]
    readonly_fields = ["role", "granted_at", "granted_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# What decides which cases an account reads: changed only through a role-change request.
ACCESS_FIELDS = ("agency", "unit", "region")
_ROLE_ROW = re.compile(r"^roles-\d+-(role|DELETE)$")


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
            {
                "fields": (
                    "agency",
                    "unit",
                    "region",
                    "access_change",
                    "position",
                    "preferred_language",
                )
            },
        ),
        # No superuser flag or per-model permissions: what an account may do comes from its roles.
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined", *ACCESS_FIELDS, "access_change"]

    @admin.display(description=_("Roles and unit"))
    def access_change(self, obj: User) -> str:
        if not obj.pk:
            return "—"
        url = reverse("accounts:role_change_new") + f"?user={obj.pk}"
        return format_html(
            '<a href="{}">{}</a>',
            url,
            gettext("Ask for a change (a second person confirms it)"),
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        user = self.get_object(request, object_id) if object_id else None
        if request.method == "POST" and user is not None and _asks_for_access(request, user):
            return self._refuse_access_change(request, user)
        if request.method == "GET" and user is not None:
            record(
                actor=request.user,
                action=Action.READ,
                obj=user,
                request=request,
                detail={"via": "admin"},
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        shown = getattr(response, "context_data", {}) or {}
        changelist = shown.get("cl")
        if request.method == "GET" and changelist is not None:
            record(
                actor=request.user,
                action=Action.READ,
                object_type="accounts.user",
                request=request,
                detail={
                    "via": "admin",
                    "list": True,
                    "ids": [row.pk for row in changelist.result_list][:100],
                },
            )
        return response

    def _refuse_access_change(self, request: HttpRequest, user: User) -> HttpResponse:
        own = user.pk == request.user.pk
        record(
            actor=request.user,
            action=Action.PERMISSION_CHANGE,
            obj=user,
            request=request,
            detail={"stage": "refused", "via": "admin", "why": "own account" if own else "direct"},
        )
        if own:
            message = gettext(
                "You cannot change your own roles, unit or agency. Another administrator must ask for it."
            )
        else:
            message = gettext(
                "Roles, agency, unit and region change only through a request that a second person confirms. Nothing was changed."
            )
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("agency__region", "region")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:  # the administrator chose its password: its owner chooses their own
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """A password an administrator sets for someone else is theirs to replace at the
        next sign-in, as a first one is."""
        response = super().user_change_password(request, id, form_url)
        changed = request.method == "POST" and response.status_code == 302
        if changed and str(id) != str(request.user.pk):
            User.objects.filter(pk=id).update(must_change_password=True)
        return response

    @admin.action(description=_("Disable the selected accounts and revoke their API tokens"))
    def disable_accounts(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.filter(is_active=True):
            services.user_disable(user=user, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d account disabled.", "%(count)d accounts disabled.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Request a two-factor reset"))
    def reset_two_factor(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """A reset is never done by one administrator (who can also set the password, and so
        would sign in as the account): it opens a role change request for a second person."""
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Select one account: each reset is asked for on its own."),
                messages.ERROR,
            )
            return None
        url = reverse("accounts:role_change_new")
        return HttpResponseRedirect(f"{url}?user={queryset.get().pk}&reset_two_factor=1")

    @admin.action(description=_("Lift a sign-in lockout"))
    def unlock(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unlock(user=user, by=request.user)
        self.message_user(request, _("Lockouts lifted."), messages.SUCCESS)


def _asks_for_access(request: HttpRequest, user: User) -> bool:
    """Whether a posted change form tries to change roles or the organisation fields
    (they are shown read-only, so only a crafted or stale form carries them)."""
    posted = request.POST
    for field in ACCESS_FIELDS:
        if field in posted and posted[field] != str(getattr(user, f"{field}_id") or ""):
            return True
    return any(_ROLE_ROW.match(key) and posted[key] for key in posted)
