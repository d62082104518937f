from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class IncidentsConfig(wiring.AppConfig):
    name = "tirek.incidents"
    verbose_name = _("Stigma and discrimination incidents")
    urls = [("incidents/", ".urls")]
    api_routers = [("/incidents", ".api.router")]
    my_work_panels = [(23, ".panels.my_actions_panel")]  # next to the plan tasks (20-22)
    demo_loaders = [(91, ".demo.load")]  # after the justice demo (the mother on probation)
    case_panels = [(72, ".panels.case_panel", "incidents")]
    case_records = [".selectors.records_about_cases"]

    def ready(self) -> None:
        super().ready()
        from . import indicators  # noqa: F401  (the indicators register themselves)
