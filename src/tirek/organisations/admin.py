from __future__ import annotations

from django.contrib import admin

from tirek.accounts.adminsite import AdminRoleModelAdmin

from .models import Agency, Region, Unit


@admin.register(Region)
class RegionAdmin(AdminRoleModelAdmin):
    list_display = ["code", "kind", "path"]
    search_fields = ["code", "path"]


@admin.register(Agency)
class AgencyAdmin(AdminRoleModelAdmin):
    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["region"]


@admin.register(Unit)
class UnitAdmin(AdminRoleModelAdmin):
    list_display = ["name", "agency", "region", "is_commission"]
    search_fields = ["name", "agency__name"]
    list_select_related = ["agency", "region"]
