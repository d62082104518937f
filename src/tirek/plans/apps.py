from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "tirek.plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from tirek.accounts.roles import Role
        from tirek.core.registry import (
            NavItem,
            add_api_router,
            add_demo_loader,
            add_my_work_panel,
            add_nav,
            add_urls,
        )

        from . import api, demo, panels

        add_urls("cases/", "tirek.plans.urls")
        add_urls("work/", "tirek.plans.urls_work")
        add_api_router("/cases", api.case_router)
        add_api_router("/tasks", api.tasks_router)
        add_nav(
            NavItem(
                label=_("Tasks"),
                url_name="work:tasks",
                visible=lambda u: u.has_role(
                    Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SUPERVISOR
                ),
                order=15,
            )
        )
        add_my_work_panel(20, panels.my_tasks_panel)
        add_my_work_panel(21, panels.alerts_panel)
        add_my_work_panel(22, panels.unit_tasks_panel)
        add_demo_loader(30, demo.load)
        from tirek.assessments.signals import assessment_completed

        from .milestones import on_assessment_completed

        assessment_completed.connect(on_assessment_completed, dispatch_uid="plans-milestones")
        # The case page and its timeline belong to the cases app.
        from tirek.cases.panels import add_panel, add_summary
        from tirek.cases.timeline import add_source

        from .case_summary import deadlines_and_alerts

        add_panel(30, panels.case_panel, tab="plan")
        add_summary(deadlines_and_alerts)
        add_source(panels.timeline_items)
