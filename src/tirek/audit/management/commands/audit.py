from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tirek.audit.services import verify


class Command(BaseCommand):
    help = "Audit log operations: `tirek audit verify` checks that no entry was changed, inserted or deleted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(
                _("Audit log tampered: %(count)d problem(s) in %(entries)d entries.")
                % {"count": len(report.problems), "entries": report.entries}
            )
        self.stdout.write(
            _("Audit log intact: %(entries)d entries verified.") % {"entries": report.entries}
        )
