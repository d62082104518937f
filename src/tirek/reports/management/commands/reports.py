from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.reports import exchange, jobs


class Command(BaseCommand):
    help = (
        "Reports operations (export jobs run in `tirek worker`): "
        "`purge-exports` (delete expired export files), "
        "`import-exchange FILE` (import another country's regional exchange file), "
        "`refresh-indicators` (recompute the national indicator snapshots now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "operation",
            choices=["purge-exports", "import-exchange", "refresh-indicators"],
        )
        parser.add_argument("file", nargs="?", help="the exchange file (import-exchange)")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "refresh-indicators":
            from tirek.reports.registry import refresh

            self.stdout.write(f"Indicator snapshots computed: {refresh()}")
            return
        if operation == "purge-exports":
            self.stdout.write(f"Expired exports deleted: {jobs.purge_expired()}")
            return
        if not options["file"]:
            raise CommandError("import-exchange needs the file to import.")
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            item = exchange.exchange_import(user=None, raw=raw, source_name=path.name)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{path.name} was not imported ({len(exc.messages)} problem(s))."
            ) from exc
        self.stdout.write(
            f"Imported {item.country} {item.year} ({len(item.payload['indicators'])} indicators)."
        )
