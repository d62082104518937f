from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tirek.assessments.selectors import current_instruments
from tirek.assessments.services import instruments_load


class Command(BaseCommand):
    help = (
        "Assessment instruments: `tirek instruments load [FILE.json ...]` loads the shipped "
        "definitions (or the given files); a changed definition becomes a new version. "
        "`tirek instruments list` shows the current versions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["load", "list"])
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "list":
            for version in current_instruments():
                self.stdout.write(
                    f"{version.instrument.code}\tv{version.number}\t{version.licence}"
                )
            return
        try:
            results = instruments_load(paths=options["files"] or None)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        for result in results:
            state = "new version" if result.created else "unchanged"
            self.stdout.write(f"{result.code}\tv{result.number}\t{state}")
