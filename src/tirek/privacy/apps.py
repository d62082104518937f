from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class PrivacyConfig(wiring.AppConfig):
    name = "tirek.privacy"
    verbose_name = _("Privacy")
    nav = [
        wiring.Nav(_("Emergency access"), "privacy:review_list", ".selectors.is_dpo", 85),
        wiring.Nav(
            _("Emergency access"),
            "privacy:emergency_extensions",
            ".selectors.supervises_a_unit",
            86,
        ),
    ]
    urls = [("privacy/", ".urls")]
    api_routers = [
        ("/consents", ".api.consents_router"),
        ("/emergency-accesses", ".api.emergency_router"),
    ]
    my_work_panels = [(15, ".views.dpo_panel"), (25, ".views.approvals_panel")]
    case_panels = [(10, ".views.consent_panel", "consent")]
    case_summaries = [".case_summary.consent_alerts"]
    timeline_sources = [".views.consent_timeline"]
