from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Training: `tirek training load-seed` loads the seed curriculum (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load-seed"])

    def handle(self, *args: Any, **options: Any) -> None:
        from tirek.training import seed

        count = seed.load()
        self.stdout.write(f"Seed curriculum ready: {count} courses.")
