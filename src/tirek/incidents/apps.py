from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "tirek.incidents"
    verbose_name = _("Stigma and discrimination incidents")

    def ready(self) -> None:
        from tirek.core.registry import add_api_router, add_my_work_panel, add_urls

        from . import api, indicators, panels  # noqa: F401  (indicators register themselves)

        add_urls("incidents/", "tirek.incidents.urls")
        add_api_router("/incidents", api.router)
        add_my_work_panel(23, panels.my_actions_panel)  # next to the plan tasks (20-22)
        try:
            from tirek.cases.panels import add_panel
        except ImportError:
            return
        add_panel(72, panels.case_panel, tab="incidents")
