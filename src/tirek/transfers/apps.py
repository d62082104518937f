from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class TransfersConfig(wiring.AppConfig):
    name = "tirek.transfers"
    verbose_name = _("Transfers and group arrivals")
    urls = [("transfers/", ".urls")]
    api_routers = [("/transfers", ".api.router")]
    my_work_panels = [(41, ".panels.transfers_panel")]
    demo_loaders = [(66, ".demo.load")]  # after the demo programme's moves (order 65)

    def ready(self) -> None:
        super().ready()
        from . import indicators

        indicators.register_all()
