from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class FamiliesConfig(wiring.AppConfig):
    name = "tirek.families"
    verbose_name = _("Families")
    nav = [wiring.Nav(_("Families"), "families:list", ".views.may_use_families", 16)]
    urls = [("families/", ".urls")]
    api_routers = [("/families", ".api.router")]
    my_work_panels = [(35, ".views.my_work_panel")]
    demo_loaders = [(40, ".demo.load")]
    case_records = [".selectors.records_about_cases"]
