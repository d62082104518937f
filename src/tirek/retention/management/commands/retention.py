from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tirek.retention import selectors, services


class Command(BaseCommand):
    help = (
        "The daily retention pass: list what falls due per record type and propose the "
        "batches the DPO approves on the Retention page. Destroys nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--list-only", action="store_true", help="Only print what is due; propose nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["list_only"]:
            services.daily_pass()
        for entry in selectors.due():
            rule = entry.rule
            numbers = ", ".join(d.number for d in entry.now[:20])
            more = "…" if len(entry.now) > 20 else ""
            self.stdout.write(
                f"{rule.record_type:14} due now: {entry.total_now:6}  "
                f"in {selectors.SOON_DAYS} days: {len(entry.soon):6}  "
                f"held: {len(entry.held):4}  {numbers}{more}"
            )
