from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tirek.core import wiring


class CasesConfig(wiring.AppConfig):
    name = "tirek.cases"
    verbose_name = _("Cases")
    nav = [wiring.Nav(_("Cases"), "cases:list", "tirek.access.policy.works_on_cases", 20)]
    urls = [("cases/", ".urls")]
    api_routers = [("/cases", ".api.router")]
    my_work_panels = [(20, ".views.my_work_panel")]
    demo_loaders = [(20, ".demo.load")]
    encrypted_file_rotators = [".attachments.rotate_files"]
    case_records = [".selectors.records_about_cases"]

    def ready(self) -> None:
        super().ready()
        from tirek.core.registry import CaseNumbers, case_numbers

        from . import selectors

        if not case_numbers:
            case_numbers.append(
                CaseNumbers(numbers=selectors.numbers_by_id, ids=selectors.ids_by_number)
            )

    def plug_in(self, app: wiring.AppConfig) -> None:
        """Registers the panels, summaries and timeline sources ``app`` adds to the case page,
        and what it reads with the open caseload."""
        if not (
            app.case_panels or app.case_summaries or app.timeline_sources or app.caseload_reads
        ):
            return
        from .panels import add_panel, add_summary
        from .selectors import add_caseload_read
        from .timeline import add_source

        for order, panel, *tab in app.case_panels:
            add_panel(order, app.resolve(panel), *tab)
        for summary in app.case_summaries:
            add_summary(app.resolve(summary))
        for source in app.timeline_sources:
            add_source(app.resolve(source))
        for read in app.caseload_reads:
            add_caseload_read(app.resolve(read))
