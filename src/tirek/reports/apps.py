from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class ReportsConfig(wiring.AppConfig):
    name = "tirek.reports"
    verbose_name = _("Monitoring and evaluation")
    nav = [wiring.Nav(_("Indicators"), "reports:index", ".permissions.sees_indicators", 90)]
    urls = [("reports/", ".urls")]
    api_routers = [("/indicators", ".api.router")]
    demo_loaders = [(65, ".demo_programme.load"), (70, ".demo.load")]

    def ready(self) -> None:
        super().ready()
        from . import indicators  # noqa: F401  (the indicator definitions register themselves)
