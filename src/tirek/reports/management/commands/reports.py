from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.reports import exchange_jobs, jobs


class Command(BaseCommand):
    help = (
        "Reports operations (export jobs run in `tirek worker`): "
        "`purge-exports` (delete expired export files), "
        "`import-exchange FILE [--now]` (queue the import of another country's regional exchange file), "
        "`refresh-indicators` (recompute the national indicator snapshots now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "operation",
            choices=["purge-exports", "import-exchange", "refresh-indicators"],
        )
        parser.add_argument("file", nargs="?", help="the exchange file (import-exchange)")
        parser.add_argument(
            "--now",
            action="store_true",
            help="import-exchange: import in this process instead of waiting for the worker",
        )

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
            with path.open("rb") as stream:
                raw = exchange_jobs.read_bounded(stream)  # bounded before it is read
            job = exchange_jobs.request_import(user=None, raw=raw, source_name=path.name)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(f"{path.name} was not imported: {' '.join(exc.messages)}") from exc
        if options["now"] and job.is_pending:
            exchange_jobs.run_now(job.pk)  # no worker at hand: import in this process
            job.refresh_from_db()
        if job.status == job.Status.FAILED:
            for message in job.errors:
                self.stderr.write(str(message))
            raise CommandError(f"{path.name} was not imported ({len(job.errors)} problem(s)).")
        if job.result is not None:
            self.stdout.write(
                f"Imported {job.result.country} {job.result.year} "
                f"({len(job.result.payload['indicators'])} indicators)."
            )
            return
        self.stdout.write(
            f"Queued as import job {job.pk}; `tirek worker` imports it "
            "(or run this again with --now)."
        )
