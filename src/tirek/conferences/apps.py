from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConferencesConfig(AppConfig):
    name = "tirek.conferences"
    verbose_name = _("Case conferences")

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
                label=_("Case conferences"),
                url_name="conferences:list",
                visible=panels.in_casework,
                order=42,
            )
        )
        add_urls("conferences/", "tirek.conferences.urls")
        add_api_router("/conferences", api.router)
        add_my_work_panel(42, panels.actions_panel)
        add_demo_loader(41, demo_load)
        add_panel(62, panels.case_panel, tab="referrals")
        add_source(panels.conference_timeline)
