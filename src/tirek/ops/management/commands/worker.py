from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tirek.ops.worker import TirekWorker


class Command(BaseCommand):
    help = (
        "Run background jobs and the schedule (exports, indicator refresh, purges, reminder "
        "e-mails). Run one or more beside `tirek serve`; Ctrl-C finishes the job in hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--once", action="store_true", help="one pass, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Tirek worker started (Ctrl-C to stop).")
        TirekWorker(interval=max(options["interval"], 0.1)).run(once=options["once"])
