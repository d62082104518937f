from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tirek.audit.anchoring import AnchorError, load_anchor, make_anchor, missing_since_anchor
from tirek.audit.services import verify

MAX_ANCHOR_BYTES = 1_000_000


class Command(BaseCommand):
    help = (
        "Audit log operations: `tirek audit verify [--anchor FILE]` checks that no entry was "
        "changed, inserted or deleted (and, with an anchor, that nothing before it was "
        "removed); `tirek audit anchor [--output FILE]` writes the signed chain heads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "anchor"])
        parser.add_argument("--anchor", help="verify: an anchor file written earlier")
        parser.add_argument("--output", help="anchor: write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "anchor":
            self._anchor(options.get("output"))
        else:
            self._verify(options.get("anchor"))

    def _anchor(self, output: str | None) -> None:
        text = json.dumps(make_anchor(), indent=1) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(_("Anchor written to %(file)s.") % {"file": output})
        else:
            self.stdout.write(text, ending="")

    def _verify(self, anchor_file: str | None) -> None:
        report = verify()
        problems = list(report.problems)
        if anchor_file:
            problems += missing_since_anchor(self._read_anchor(anchor_file))
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                _("Audit log tampered: %(count)d problem(s) in %(entries)d entries.")
                % {"count": len(problems), "entries": report.entries}
            )
        self.stdout.write(
            _("Audit log intact: %(entries)d entries verified.") % {"entries": report.entries}
        )

    def _read_anchor(self, anchor_file: str) -> dict[str, Any]:
        path = Path(anchor_file)
        if not path.is_file():
            raise CommandError(_("No anchor file at %(file)s.") % {"file": anchor_file})
        if path.stat().st_size > MAX_ANCHOR_BYTES:
            raise CommandError(_("The anchor file is too large to be an anchor."))
        try:
            return load_anchor(path.read_text(encoding="utf-8", errors="replace"))
        except AnchorError as exc:
            raise CommandError(str(exc)) from exc
