from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class AssessmentsConfig(wiring.AppConfig):
    name = "tirek.assessments"
    verbose_name = _("Assessments")
    urls = [("cases/", ".urls")]
    api_routers = [
        ("/instruments", ".api.instruments_router"),
        ("/cases", ".api.case_router"),
        ("/assessments", ".api.router"),
    ]
