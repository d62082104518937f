from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class ReferralsConfig(wiring.AppConfig):
    name = "tirek.referrals"
    verbose_name = _("Referrals and service directory")
    nav = [
        wiring.Nav(_("Referrals"), "referrals:list", ".panels.in_casework", 40),
        wiring.Nav(_("Service directory"), "directory:search", lambda user: True, 45),
        wiring.Nav(_("Notifications"), "notifications:list", lambda user: True, 90),
    ]
    urls = [
        ("referrals/", ".urls"),
        ("services/", ".urls_directory"),
        ("notifications/", ".urls_notifications"),
    ]
    api_routers = [
        ("/services", ".api.services_router"),
        ("/referrals", ".api.referrals_router"),
        ("/notifications", ".api.notifications_router"),
    ]
    my_work_panels = [(5, ".panels.notifications_panel"), (40, ".panels.referrals_panel")]
    demo_loaders = [(40, ".demo.load")]
    case_panels = [(60, ".panels.case_panel", "referrals")]
    timeline_sources = [".panels.referral_timeline"]
