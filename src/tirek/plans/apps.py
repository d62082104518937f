from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.accounts.roles import Role
from tirek.core import wiring


class PlansConfig(wiring.AppConfig):
    name = "tirek.plans"
    verbose_name = _("Plans")
    nav = [
        wiring.Nav(
            _("Tasks"),
            "work:tasks",
            lambda user: user.has_role(
                Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SUPERVISOR
            ),
            15,
        )
    ]
    urls = [("cases/", ".urls"), ("work/", ".urls_work")]
    api_routers = [("/cases", ".api.case_router"), ("/tasks", ".api.tasks_router")]
    my_work_panels = [
        (20, ".panels.my_tasks_panel"),
        (21, ".panels.alerts_panel"),
        (22, ".panels.unit_tasks_panel"),
    ]
    demo_loaders = [(30, ".demo.load")]
    case_panels = [(30, ".panels.case_panel", "plan")]
    case_summaries = [".case_summary.deadlines_and_alerts"]
    timeline_sources = [".panels.timeline_items"]
    caseload_reads = [".panels.caseload_read"]

    def ready(self) -> None:
        super().ready()
        from tirek.assessments.signals import assessment_completed

        from .milestones import on_assessment_completed

        assessment_completed.connect(on_assessment_completed, dispatch_uid="plans-milestones")
