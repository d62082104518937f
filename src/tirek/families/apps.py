from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "tirek.families"
    verbose_name = _("Families")

    def ready(self) -> None:
        from tirek.core.registry import (
            NavItem,
            add_api_router,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
        )

        from . import api, demo, views

        add_nav(
            NavItem(
                label=_("Families"),
                url_name="families:list",
                visible=views.may_use_families,
                order=16,
            )
        )
        add_urls("families/", "tirek.families.urls")
        add_api_router("/families", api.router)
        add_my_work_panel(35, views.my_work_panel)
        add_demo_loader(40, demo.load)
