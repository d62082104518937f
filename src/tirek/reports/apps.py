from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tirek.reports"
    verbose_name = _("Monitoring and evaluation")

    def ready(self) -> None:
        from tirek.core.registry import NavItem, add_api_router, add_demo_loader, add_nav, add_urls

        from . import demo, demo_programme, indicators  # noqa: F401  registers the indicator definitions
        from .api import router
        from .permissions import sees_indicators

        add_nav(
            NavItem(
                label=_("Indicators"), url_name="reports:index", visible=sees_indicators, order=90
            )
        )
        add_urls("reports/", "tirek.reports.urls")
        add_api_router("/indicators", router)
        add_demo_loader(65, demo_programme.load)
        add_demo_loader(70, demo.load)
