from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterviewsConfig(AppConfig):
    name = "tirek.interviews"
    verbose_name = _("Child-sensitive interviews")

    def ready(self) -> None:
        from tirek.cases.panels import add_panel
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
                label=_("Interviews"),
                url_name="interviews:mine",
                visible=panels.involved_in_interviews,
                order=44,
            )
        )
        add_urls("interviews/", "tirek.interviews.urls")
        add_api_router("/interviews", api.router)
        add_my_work_panel(44, panels.interviews_panel)
        add_demo_loader(50, demo_load)
        add_panel(64, panels.case_panel, tab="interviews")
