from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "tirek.assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from tirek.core.registry import add_api_router, add_urls

        from . import api

        add_urls("cases/", "tirek.assessments.urls")
        add_api_router("/instruments", api.instruments_router)
        add_api_router("/cases", api.case_router)
        add_api_router("/assessments", api.router)
