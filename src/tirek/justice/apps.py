from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JusticeConfig(AppConfig):
    name = "tirek.justice"
    verbose_name = _("Justice pathway")

    def ready(self) -> None:
        from tirek.cases.panels import add_panel
        from tirek.cases.timeline import add_source
        from tirek.core.registry import add_api_router, add_demo_loader, add_urls

        from . import api, demo, panels

        add_urls("justice/", "tirek.justice.urls")
        add_api_router("/legal-status", api.router)
        add_demo_loader(90, demo.load)  # after the cases, plans and referrals demos
        add_panel(70, panels.case_panel, tab="justice")
        add_panel(74, panels.contact_panel, tab="incidents")
        add_panel(76, panels.support_panel, tab="plan")
        add_source(panels.justice_timeline)
