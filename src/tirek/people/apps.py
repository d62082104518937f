from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "tirek.people"
    verbose_name = _("People and families")

    def ready(self) -> None:
        from tirek.cases.panels import add_panel
        from tirek.core.registry import (
            NavItem,
            add_api_router,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
            encrypted_file_rotators,
        )

        from . import api, demo, services, views

        add_nav(
            NavItem(
                label=_("People"), url_name="people:list", visible=views.may_use_people, order=15
            )
        )
        add_urls("people/", "tirek.people.urls")
        add_api_router("/persons", api.router)
        add_my_work_panel(30, views.my_work_panel)
        add_panel(5, views.case_panel, tab="family")
        add_demo_loader(10, demo.load)
        if services.photos_rotate not in encrypted_file_rotators:
            encrypted_file_rotators.append(services.photos_rotate)
