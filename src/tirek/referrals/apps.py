from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "tirek.referrals"
    verbose_name = _("Referrals and service directory")

    def ready(self) -> None:
        from tirek.cases.panels import add_panel
        from tirek.cases.timeline import add_source
        from tirek.core.registry import (
            NavItem,
            add_api_router,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
        )

        from . import api, panels
        from .demo import load as demo_load

        add_nav(
            NavItem(
                label=_("Referrals"),
                url_name="referrals:list",
                visible=panels.in_casework,
                order=40,
            )
        )
        add_nav(
            NavItem(
                label=_("Service directory"),
                url_name="directory:search",
                visible=lambda u: True,
                order=45,
            )
        )
        add_nav(
            NavItem(
                label=_("Notifications"),
                url_name="notifications:list",
                visible=lambda u: True,
                order=90,
            )
        )
        add_urls("referrals/", "tirek.referrals.urls")
        add_urls("services/", "tirek.referrals.urls_directory")
        add_urls("notifications/", "tirek.referrals.urls_notifications")
        add_api_router("/services", api.services_router)
        add_api_router("/referrals", api.referrals_router)
        add_api_router("/notifications", api.notifications_router)
        add_my_work_panel(5, panels.notifications_panel)
        add_my_work_panel(40, panels.referrals_panel)
        add_demo_loader(40, demo_load)
        add_panel(60, panels.case_panel, tab="referrals")
        add_source(panels.referral_timeline)
