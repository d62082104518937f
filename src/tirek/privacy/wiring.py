"""Plugging the privacy app into the shell (navigation, panels, API, timeline)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def supervises_a_unit(user: Any) -> bool:
    from tirek.access.policy import supervised_unit_id

    return supervised_unit_id(user) is not None


def register() -> None:
    from tirek.cases.panels import add_panel
    from tirek.cases.timeline import add_source
    from tirek.core.registry import NavItem, add_api_router, add_my_work_panel, add_nav, add_urls

    from . import api, views
    from .selectors import is_dpo

    add_nav(
        NavItem(
            label=_("Emergency access"), url_name="privacy:review_list", visible=is_dpo, order=85
        )
    )
    add_nav(
        NavItem(
            label=_("Emergency access"),
            url_name="privacy:emergency_extensions",
            visible=supervises_a_unit,
            order=86,
        )
    )
    add_urls("privacy/", "tirek.privacy.urls")
    add_api_router("/consents", api.consents_router)
    add_api_router("/emergency-accesses", api.emergency_router)
    add_my_work_panel(15, views.dpo_panel)
    add_my_work_panel(25, views.approvals_panel)
    add_panel(10, views.consent_panel, tab="consent")
    from tirek.cases.panels import add_summary

    from .case_summary import consent_alerts

    add_summary(consent_alerts)
    add_source(views.consent_timeline)
