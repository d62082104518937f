from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "tirek.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from tirek.cases.panels import add_panel, add_summary
        from tirek.cases.timeline import add_source
        from tirek.core.registry import (
            NavItem,
            add_api_router,
            add_my_work_panel,
            add_nav,
            add_urls,
        )

        from . import api, views
        from .case_summary import consent_alerts
        from .selectors import is_dpo, supervises_a_unit

        add_nav(
            NavItem(
                label=_("Emergency access"),
                url_name="privacy:review_list",
                visible=is_dpo,
                order=85,
            )
        )
        add_nav(
            NavItem(
                label=_("Emergency access"),
                url_name="privacy:emergency_extensions",
                visible=supervises_a_unit,
                order=86,
            )
        )
        add_urls("privacy/", "tirek.privacy.urls")
        add_api_router("/consents", api.consents_router)
        add_api_router("/emergency-accesses", api.emergency_router)
        add_my_work_panel(15, views.dpo_panel)
        add_my_work_panel(25, views.approvals_panel)
        add_panel(10, views.consent_panel, tab="consent")
        add_summary(consent_alerts)
        add_source(views.consent_timeline)
