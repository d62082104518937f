from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class InterviewsConfig(wiring.AppConfig):
    name = "tirek.interviews"
    verbose_name = _("Child-sensitive interviews")
    nav = [wiring.Nav(_("Interviews"), "interviews:mine", ".panels.involved_in_interviews", 44)]
    urls = [("interviews/", ".urls")]
    api_routers = [("/interviews", ".api.router")]
    my_work_panels = [(44, ".panels.interviews_panel")]
    demo_loaders = [(50, ".demo.load")]
    case_panels = [(64, ".panels.case_panel", "interviews")]
