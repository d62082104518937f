from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tirek.cases.models import Case
from tirek.plans.milestones import milestones_refresh


class Command(BaseCommand):
    help = (
        "Deadline summaries: `tirek milestones refresh` recomputes every case's row from its "
        "assessments, plan, reviews and follow-ups (after an import or a restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["refresh"])

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for case_id in Case.objects.order_by("pk").values_list("pk", flat=True).iterator():
            milestones_refresh(case_id)
            count += 1
        self.stdout.write(f"Milestones refreshed for {count} cases.")
