from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tirek.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from tirek.access.policy import works_on_cases
        from tirek.core.registry import (
            CaseNumbers,
            NavItem,
            add_api_router,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
            case_numbers,
            encrypted_file_rotators,
        )

        from . import api, attachments, demo, selectors, views

        add_nav(NavItem(label=_("Cases"), url_name="cases:list", visible=works_on_cases, order=20))
        add_urls("cases/", "tirek.cases.urls")
        add_api_router("/cases", api.router)
        add_my_work_panel(20, views.my_work_panel)
        add_demo_loader(20, demo.load)
        if not case_numbers:
            case_numbers.append(
                CaseNumbers(numbers=selectors.numbers_by_id, ids=selectors.ids_by_number)
            )
        if attachments.rotate_files not in encrypted_file_rotators:
            encrypted_file_rotators.append(attachments.rotate_files)
