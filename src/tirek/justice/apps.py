from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class JusticeConfig(wiring.AppConfig):
    name = "tirek.justice"
    verbose_name = _("Justice pathway")
    urls = [("justice/", ".urls")]
    api_routers = [("/legal-status", ".api.router")]
    demo_loaders = [(90, ".demo.load")]  # after the cases, plans and referrals demos
    case_panels = [
        (70, ".panels.case_panel", "justice"),
        (74, ".panels.contact_panel", "incidents"),
        (76, ".panels.support_panel", "plan"),
    ]
    timeline_sources = [".panels.justice_timeline"]
