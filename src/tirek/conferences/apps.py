from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class ConferencesConfig(wiring.AppConfig):
    name = "tirek.conferences"
    verbose_name = _("Case conferences")
    nav = [wiring.Nav(_("Case conferences"), "conferences:list", ".panels.in_casework", 42)]
    urls = [("conferences/", ".urls")]
    api_routers = [("/conferences", ".api.router")]
    my_work_panels = [(42, ".panels.actions_panel")]
    demo_loaders = [(41, ".demo.load")]
    case_panels = [(62, ".panels.case_panel", "referrals")]
    timeline_sources = [".panels.conference_timeline"]
    case_records = [".selectors.records_about_cases"]
